import { defineScenario, type FaultAction } from '../sim/scenario.js';

/** Twenty rounds: the leader crashes soon after taking writes, and everyone comes back. */
function crashLeaderRounds(): FaultAction[] {
  const rounds: FaultAction[] = [];
  for (let round = 0, at = 800; round < 20; round++, at += 330 + ((round * 137) % 170)) {
    rounds.push({ at, action: 'crash', node: 'leader' });
    rounds.push({ at: at + 60 + ((round * 53) % 90), action: 'restart', node: 'all' });
  }
  return rounds;
}

/**
 * Figure 8 of the Raft paper, as the 6.824 tests drive it: leaders crash a moment
 * after accepting writes, so their newest entries reach only some followers. A later
 * leader may hold such an entry from an earlier term on a majority, yet it must not
 * count replicas to commit it: only an entry of its own term commits by counting, and
 * the earlier ones commit with it. Otherwise a leader of yet another term could
 * overwrite an entry already applied. Watch the log panel: entries of old terms stay
 * uncommitted (hollow) until the leader's own entry above them commits.
 */
export default defineScenario({
  name: 'figure-8',
  description: 'five nodes; leaders crash right after replicating to a minority, twenty times',
  nodes: 5,
  durationMs: 9000,
  network: { minLatencyMs: 1, latencySpreadMs: 15 },
  workload: { type: 'register', clients: 5, thinkMs: 5 },
  faults: crashLeaderRounds(),
});
