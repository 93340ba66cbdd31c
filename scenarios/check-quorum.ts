import { defineScenario } from '../sim/scenario.js';

/**
 * The leader and one follower are cut off from the other three. Without CheckQuorum
 * the old leader would go on believing it leads, in its old term, until the partition
 * heals. With it, once an election timeout passes without answers from a majority, it
 * steps down (the trace shows a `stepDown` event), so nobody in the minority claims to
 * lead while the majority elects a leader of its own. The same again later.
 */
export default defineScenario({
  name: 'check-quorum',
  description: 'a leader cut off in a minority steps down within about an election timeout',
  nodes: 5,
  durationMs: 8000,
  workload: { type: 'register', clients: 3 },
  raft: { preVote: true, checkQuorum: true },
  faults: [
    { at: 1500, action: 'partition', groups: [['leader', 'follower']] },
    { at: 3500, action: 'heal' },
    { at: 5000, action: 'partition', groups: [['leader', 'follower']] },
    { at: 7000, action: 'heal' },
  ],
});
