import { defineScenario } from '../sim/scenario.js';

/**
 * No partitions, but a bad network: a fifth of the messages are lost, a fifth are
 * delivered twice, and latency spreads wide enough that messages overtake each
 * other. Stale and duplicated appends must change nothing; lost ones are repaired
 * by retries and heartbeats.
 */
export default defineScenario({
  name: 'flaky-network',
  description: 'three nodes; 20% loss, 20% duplicates, heavy reordering',
  nodes: 3,
  workload: { type: 'kv', clients: 3 },
  durationMs: 8000,
  network: { minLatencyMs: 1, latencySpreadMs: 30, dropRate: 0.2, duplicateRate: 0.2 },
});
