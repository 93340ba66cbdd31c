import { defineScenario } from '../sim/scenario.js';

/**
 * The 6.824 "churn" test: while clients keep writing, servers are crashed, restarted,
 * partitioned and cut off at random, every third of a second. The cluster spends much
 * of its time without a stable leader; every acknowledged write must survive, and the
 * history must stay linearizable.
 */
export default defineScenario({
  name: 'churn',
  description: 'five nodes crashed, restarted and partitioned at random every ~350 ms',
  nodes: 5,
  durationMs: 10000,
  workload: { type: 'register', clients: 5, keys: 3 },
  nemesis: { intervalMs: 350, faults: ['crash', 'isolate', 'partition'] },
});
