import { defineScenario } from '../sim/scenario.js';

/**
 * disruptive-rejoin again, with etcd's cure switched on: PreVote and CheckQuorum. The
 * isolated follower times out again and again, but as a pre-candidate: it asks whether
 * it could win term + 1 and, hearing nothing, never raises its own term. When it
 * returns, the others are within their leader's lease and its log is behind, so its
 * pre-votes are refused; the heartbeats of the healthy leader reach it and it follows.
 * The leader keeps its term through both rejoins: no needless election.
 */
export default defineScenario({
  name: 'prevote-rejoin',
  description: 'disruptive-rejoin with PreVote and CheckQuorum: the healthy leader keeps its term',
  nodes: 5,
  durationMs: 9000,
  workload: { type: 'register', clients: 3 },
  raft: { preVote: true, checkQuorum: true },
  faults: [
    { at: 1000, action: 'isolate', node: 'follower' },
    { at: 3500, action: 'heal' },
    { at: 5000, action: 'isolate', node: 'follower' },
    { at: 7500, action: 'heal' },
  ],
});
