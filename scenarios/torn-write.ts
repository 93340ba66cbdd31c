import { defineScenario } from '../sim/scenario.js';

/**
 * Crashes in the middle of a write: the last record reaches the disk only in part.
 * Each record carries its length and a CRC-32, so recovery finds the torn one and stops
 * there, as etcd's WAL does; a torn record read as valid would hand Raft a corrupt
 * entry. Hover a crash in the faults strip to see how many writes survived and whether
 * one was torn.
 */
export default defineScenario({
  name: 'torn-write',
  description: 'three nodes crash mid-write; torn records are caught by their checksums',
  nodes: 3,
  durationMs: 9000,
  workload: { type: 'register', clients: 3, thinkMs: 5 },
  nemesis: { intervalMs: 400, faults: ['torn-write', 'lost-fsync'] },
});
