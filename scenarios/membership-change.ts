import { defineScenario, type ScenarioInput } from '../sim/scenario.js';

/**
 * Growing and shrinking a cluster one step at a time, under client load on a lossy
 * network. Five nodes, of which 1..3 start as the cluster; 4 and 5 are up but outside
 * it (they never campaign). Node 4 joins as a learner (it gets the log, it does not
 * vote), is promoted once caught up, node 2 is removed, and node 5 joins straight as a
 * voter: the cluster ends as voters 1, 3, 4, 5. Each change is proposed at whoever
 * leads then, and proposed twice, half a second apart: if the first one found no
 * leader, or a leader whose previous change was not yet applied, the second one makes
 * it (the repeat of a change already made changes nothing).
 */
const twice = <T extends FaultInput>(fault: T): T[] => [fault, { ...fault, at: fault.at + 500 }];
type FaultInput = NonNullable<ScenarioInput['faults']>[number];

export default defineScenario({
  name: 'membership-change',
  description: 'five nodes, three voters; add a learner, promote it, remove a voter, add a voter; 5% loss',
  nodes: 5,
  members: 3,
  workload: { type: 'kv', clients: 4 },
  durationMs: 9000,
  network: { minLatencyMs: 1, latencySpreadMs: 10, dropRate: 0.05, duplicateRate: 0.05 },
  faults: [
    ...twice({ at: 1500, action: 'add-learner' as const, node: 4 }),
    ...twice({ at: 3000, action: 'promote' as const, node: 4 }),
    ...twice({ at: 4500, action: 'remove' as const, node: 2 }),
    ...twice({ at: 6000, action: 'add-voter' as const, node: 5 }),
  ],
});
