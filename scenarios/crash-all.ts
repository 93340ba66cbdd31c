import { defineScenario, type FaultAction } from '../sim/scenario.js';

const everyNode = (at: number): FaultAction[] => [1, 2, 3, 4, 5].map((node) => ({ at, action: 'crash', node }));

/**
 * Every node crashes at the same moment, three times: a power cut. Only what each disk
 * had synced survives, so the cluster must come back with every committed entry (a
 * committed entry is on a majority of disks) and elect a leader from disk state alone.
 * The restart events show what each disk gave back: term, vote, commit and last index.
 */
export default defineScenario({
  name: 'crash-all',
  description: 'all five nodes crash at once (a power cut), three times',
  nodes: 5,
  durationMs: 8000,
  workload: { type: 'register', clients: 4 },
  faults: [
    ...everyNode(1500),
    { at: 1700, action: 'restart', node: 'all' },
    ...everyNode(3800),
    { at: 4500, action: 'restart', node: 'all' },
    ...everyNode(6000),
    { at: 6050, action: 'restart', node: 'all' },
  ],
});
