import { defineScenario, nemesisFaults } from '../sim/scenario.js';

/**
 * The default nemesis against the node as etcd's server runs it: PreVote and CheckQuorum
 * on, the log compacted every 50 entries (so lagging and restarted nodes catch up by
 * snapshot), a leader's uncommitted payload bounded at 512 bytes (a cut-off leader drops
 * proposals, a few percent of them in most seeds), and the kinds the default leaves out in the
 * swarm's draw: membership changes (voters removed, never below three, re-added as learners and
 * promoted), leadership transfers, kill -9, and clogged links (held, then let through at once). Every
 * feature at once, under every fault, so their interplay is what gets tested.
 */
export default defineScenario({
  name: 'nemesis-hardened',
  description: 'the nemesis with every Raft feature on: PreVote, CheckQuorum, snapshots, an uncommitted limit, membership changes, transfers',
  nodes: 5,
  workload: { type: 'watch', clients: 5, keys: 4, watchers: 2 },
  durationMs: 10000,
  raft: { maxEntriesPerAppend: 1, preVote: true, checkQuorum: true, snapshotEntries: 50, snapshotCatchUpEntries: 5, maxUncommittedBytes: 512 },
  nemesis: { intervalMs: 700, swarm: true, faults: [...nemesisFaults] },
});
