import { defineScenario } from '../sim/scenario.js';

/**
 * Happy path: three nodes, a reliable network, no faults. One leader is elected
 * within a couple of election timeouts and every proposal commits. If this fails,
 * nothing else is worth reading.
 */
export default defineScenario({
  name: 'happy',
  description: 'three nodes, no faults: one election, steady replication',
  nodes: 3,
  workload: { type: 'kv', clients: 3 },
  durationMs: 5000,
});
