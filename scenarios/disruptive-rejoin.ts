import { defineScenario } from '../sim/scenario.js';

/**
 * A follower is cut off for several election timeouts. Alone, it times out again and
 * again and raises its term each time. When it returns, its higher term makes the
 * healthy leader step down: a needless election, although nothing was wrong. PreVote
 * (a candidate first asks whether it could win, without raising its term) is the cure;
 * without it, watch the leader lane turn grey the moment the isolated node rejoins.
 * Safety holds either way; only availability suffers.
 */
export default defineScenario({
  name: 'disruptive-rejoin',
  description: 'an isolated follower rejoins with a high term and deposes a healthy leader',
  nodes: 5,
  durationMs: 9000,
  workload: { type: 'register', clients: 3 },
  faults: [
    { at: 1000, action: 'isolate', node: 'follower' },
    { at: 3500, action: 'heal' },
    { at: 5000, action: 'isolate', node: 'follower' },
    { at: 7500, action: 'heal' },
  ],
});
