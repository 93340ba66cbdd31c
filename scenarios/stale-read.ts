import { defineScenario } from '../sim/scenario.js';

/**
 * The leader is cut off from the majority while clients still talk to it. It keeps
 * believing it leads until it hears a higher term, so it must not answer a
 * linearizable read from its own state: a ReadIndex read needs a heartbeat round
 * acknowledged by a majority, which it cannot get. The majority elects a new leader
 * and writes move on. Serializable reads are served locally and may be stale; the
 * history labels them (`"serializable": true`) and the checker does not hold them
 * to linearizability.
 */
export default defineScenario({
  name: 'stale-read',
  description: 'a leader cut off from the majority must not serve linearizable reads',
  nodes: 5,
  durationMs: 8000,
  workload: { type: 'kv', clients: 6, keys: 3, serializableShare: 0.3 },
  faults: [
    { at: 1500, action: 'isolate', node: 'leader' },
    { at: 4500, action: 'heal' },
    { at: 5000, action: 'isolate', node: 'leader' },
    { at: 7000, action: 'heal' },
  ],
});
