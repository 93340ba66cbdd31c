import { defineScenario } from '../sim/scenario.js';

/**
 * Two halves that cannot reach each other, joined by one node that reaches both
 * (Jepsen's bridge). Neither half is a majority without the bridge, and the bridge
 * sees everyone: whoever can win its vote leads, and the other half keeps timing out.
 * Watch the pink shading: the bridge node's lane is the only one never shaded.
 */
export default defineScenario({
  name: 'bridge',
  description: 'five nodes split into two halves that share one bridge node',
  nodes: 5,
  durationMs: 9000,
  workload: { type: 'register', clients: 4 },
  faults: [
    { at: 1500, action: 'bridge', node: 'follower' },
    { at: 3500, action: 'heal' },
    { at: 4500, action: 'bridge', node: 'leader' },
    { at: 6000, action: 'heal' },
    { at: 6500, action: 'bridge' },
    { at: 8000, action: 'heal' },
  ],
});
