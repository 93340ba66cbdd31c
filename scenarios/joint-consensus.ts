import { defineScenario } from '../sim/scenario.js';

/**
 * Two voters replaced at once through joint consensus, and the leader crashes while the
 * cluster is joint. Voters 1, 2, 3 become 3, 4, 5: in between, every election and every
 * commit needs a majority of {1,2,3} AND of {3,4,5}. The joint config is left explicitly
 * (autoLeave off), so the crash lands inside it for sure; the next leader, elected by
 * both majorities, proposes the leave. Changes are proposed twice in case the first
 * finds no leader: a second joint change is refused while joint, a second leave when
 * not joint.
 */
export default defineScenario({
  name: 'joint-consensus',
  description: 'five nodes; voters 1,2,3 become 3,4,5 in one joint change; the leader crashes while joint',
  nodes: 5,
  members: 3,
  workload: { type: 'register', clients: 4 },
  durationMs: 9000,
  faults: [
    { at: 2000, action: 'joint', add: [4, 5], remove: [1, 2], autoLeave: false },
    { at: 2500, action: 'joint', add: [4, 5], remove: [1, 2], autoLeave: false },
    { at: 3500, action: 'crash', node: 'leader' },
    { at: 5000, action: 'restart', node: 'all' },
    { at: 5500, action: 'leave-joint' },
    { at: 6000, action: 'leave-joint' },
  ],
});
