import { defineScenario } from '../sim/scenario.js';

/**
 * Crashes that lose unsynced writes, or keep some of them: a disk may have written
 * part of its page cache before the power went. A node may therefore come back with
 * entries or a vote it never acknowledged, but never without one it did (it syncs
 * before it answers). Both must be safe: the durability check compares every disk with
 * what the node promised.
 */
export default defineScenario({
  name: 'lost-fsync',
  description: 'three nodes crash often; unsynced writes are lost, or partly survive',
  nodes: 3,
  durationMs: 9000,
  workload: { type: 'register', clients: 3, thinkMs: 5 },
  nemesis: { intervalMs: 400, faults: ['crash', 'lost-fsync'] },
});
