import { defineScenario } from '../sim/scenario.js';

/**
 * Churn on a bad network, as 6.824's unreliable churn: besides the crashes and
 * partitions, a tenth of all messages between servers are lost, a tenth arrive twice,
 * and latency spreads to 27 ms. Retries, duplicate appends and stale votes all happen
 * at once.
 */
export default defineScenario({
  name: 'unreliable-churn',
  description: 'churn plus 10% loss, 10% duplicates and heavy reordering',
  nodes: 5,
  durationMs: 10000,
  network: { minLatencyMs: 1, latencySpreadMs: 27, dropRate: 0.1, duplicateRate: 0.1 },
  workload: { type: 'register', clients: 5, keys: 3 },
  nemesis: { intervalMs: 350, faults: ['crash', 'isolate', 'partition', 'pause'] },
});
