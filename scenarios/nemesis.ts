import { defineScenario } from '../sim/scenario.js';

/**
 * The default sweep target, and the place planted bugs are hunted. Five nodes under a
 * random nemesis with swarm testing: every seed draws its own fault profile, which of
 * the thirteen fault kinds are on (partitions of every shape, one-way and flaky links,
 * crashes that lose, keep or tear unsynced writes, pauses, loss, duplication, the long
 * tail, clock drift), how often they strike (from a storm to a calm run), and how many
 * at once. Clients read, write, range and transact on four keys while two watchers
 * follow every change. Appends carry one entry each, so a lagging follower catches up
 * entry by entry: that is where a new leader's commit index can rest on entries of
 * earlier terms, and where Figure 8 bugs live. `raftsim run nemesis --seed N` prints the
 * profile a seed drew.
 */
export default defineScenario({
  name: 'nemesis',
  description: 'five nodes; each seed draws its own mix of every fault (swarm testing); KV clients and watchers',
  nodes: 5,
  workload: { type: 'watch', clients: 5, keys: 4, watchers: 2 },
  durationMs: 10000,
  raft: { maxEntriesPerAppend: 1 },
  nemesis: { intervalMs: 700, swarm: true },
});
