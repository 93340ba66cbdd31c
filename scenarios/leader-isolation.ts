import { defineScenario } from '../sim/scenario.js';

/**
 * The leader is cut off five times in a row, twice only one way. Cut off completely it
 * keeps its role in an old term while the majority elects a new leader; cut off one way
 * (it can send but not hear) its heartbeats still arrive, so the followers stay loyal
 * while it can commit nothing. Each time, writes it accepted but could not replicate
 * are overwritten after the heal, and clients that asked it hear "timeout" (info).
 */
export default defineScenario({
  name: 'leader-isolation',
  description: 'five nodes; the leader is isolated again and again, twice one way only',
  nodes: 5,
  durationMs: 10000,
  workload: { type: 'kv', clients: 4, keys: 4 },
  faults: [
    { at: 1000, action: 'isolate', node: 'leader' },
    { at: 2200, action: 'heal' },
    { at: 3000, action: 'isolate', node: 'leader' },
    { at: 4000, action: 'heal' },
    { at: 4500, action: 'cut', from: 'follower', to: 'leader' },
    { at: 4500, action: 'cut', from: 'follower', to: 'leader' },
    { at: 5500, action: 'heal' },
    { at: 6200, action: 'isolate', node: 'leader' },
    { at: 7400, action: 'heal' },
    { at: 8000, action: 'isolate', node: 'leader' },
    { at: 9000, action: 'heal' },
  ],
});
