import { defineScenario } from '../sim/scenario.js';

/**
 * The default sweep target: five nodes under a random nemesis that, about once a
 * second, injects one fault (a partition into random halves, an isolated node, a
 * crash, a long pause, or a lossy, duplicating, reordering network) and then heals
 * it. Which faults and when is decided by the seed alone.
 */
export default defineScenario({
  name: 'nemesis',
  description: 'five nodes under random partitions, crashes, pauses and a flaky network',
  nodes: 5,
  workload: { type: 'register', clients: 5 },
  durationMs: 10000,
  nemesis: { intervalMs: 700, faults: ['partition', 'isolate', 'crash', 'pause', 'flaky'] },
});
