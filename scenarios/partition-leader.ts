import { defineScenario } from '../sim/scenario.js';

/**
 * The leader alone is cut off. It stays leader of its old term with no one to
 * replicate to, so nothing it accepts can commit; the others elect a new leader in a
 * higher term. On heal the old leader sees the higher term, steps down, and its
 * uncommitted tail is replaced by the new leader's log (the §5.3 conflict rule).
 */
export default defineScenario({
  name: 'partition-leader',
  description: 'five nodes; the leader is isolated, a new one takes over, heal',
  nodes: 5,
  workload: { type: 'register', clients: 4 },
  durationMs: 8000,
  faults: [
    { at: 2000, action: 'isolate', node: 'leader' },
    { at: 4500, action: 'heal' },
    { at: 5500, action: 'isolate', node: 'leader' },
    { at: 7000, action: 'heal' },
  ],
});
