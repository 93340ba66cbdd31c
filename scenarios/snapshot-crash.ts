import { defineScenario } from '../sim/scenario.js';

/**
 * Frequent compaction (every 8 applied entries) under crashes that lose unsynced writes,
 * keep some of them, or tear one. A node may crash between saving a snapshot and dropping
 * the entries it covers, or lose both; it boots from whatever snapshot reached its disk,
 * restores its store from it and replays only the entries after it. Nodes that were down
 * long come back to find their peers compacted past them and install a snapshot.
 */
export default defineScenario({
  name: 'snapshot-crash',
  description: 'three nodes compact every 8 entries and crash often, losing or tearing unsynced writes',
  nodes: 3,
  durationMs: 9000,
  raft: { snapshotEntries: 8, snapshotCatchUpEntries: 2 },
  workload: { type: 'kv', clients: 3, thinkMs: 5, keys: 4 },
  nemesis: { intervalMs: 400, faults: ['crash', 'lost-fsync', 'torn-write', 'partition'] },
});
