import { startElection } from './election.js';
import { Configuration } from './membership.js';
import type { NodeState } from './state.js';
import type { AppendRequest, Heartbeat, Message, NodeId, SnapshotMessage } from './types.js';
import { appendResponse, heartbeatResponse, voteResponse } from './wire.js';

/**
 * The follower's side of replication (§5.3, §7): it takes the leader's appends after the
 * consistency check, its heartbeats' commit index, and its snapshots, and answers each
 * with the index its log now reaches (or a rejection with a hint where the logs diverge).
 */

/** etcd's stepFollower: the leader's appends, heartbeats and snapshots, and a transfer's timeoutNow. */
export function stepFollower(n: NodeState, m: Message): void {
  switch (m.type) {
    case 'app':
      n.electionElapsed = 0;
      n.lead = m.from;
      return handleAppend(n, m);
    case 'heartbeat':
      n.electionElapsed = 0;
      n.lead = m.from;
      return handleHeartbeat(n, m);
    case 'snap':
      n.electionElapsed = 0;
      n.lead = m.from;
      return handleSnapshot(n, m);
    case 'timeoutNow':
      // A transfer campaign skips PreVote: the leader itself asked for it.
      if (n.isVoter()) startElection(n, true);
      return;
  }
}

function handleAppend(n: NodeState, m: AppendRequest): void {
  if (m.prevIndex < n.log.committed) {
    // Everything up to our commit is settled; a stale append must change nothing.
    return answerAppend(n, m.from, n.log.committed, false);
  }
  if (!n.log.matchTerm(m.prevIndex, m.prevTerm)) {
    const hintIndex = n.log.findConflictByTerm(Math.min(m.prevIndex, n.log.lastIndex()), m.prevTerm);
    return answerAppend(n, m.from, m.prevIndex, true, hintIndex, n.log.termAt(hintIndex));
  }
  const lastNew = m.prevIndex + m.entries.length;
  n.log.appendAfterMatch(m.entries, n.bugs.truncateOnEveryAppend);
  // Entries past lastNew may be a stale tail not yet checked against this leader.
  n.log.commitTo(Math.min(m.commit, n.bugs.uncappedFollowerCommit ? n.log.lastIndex() : lastNew));
  answerAppend(n, m.from, lastNew, false);
}

function handleHeartbeat(n: NodeState, m: Heartbeat): void {
  // The leader sends min(match, commit), so this index is known to be in our log.
  n.log.commitTo(Math.min(m.commit, n.log.lastIndex()));
  n.send(heartbeatResponse(n.id, m.from, n.term, m.context));
}

/** An install is answered like an append: with the index the follower's log now reaches. */
function handleSnapshot(n: NodeState, m: SnapshotMessage): void {
  const before = n.snapshots.latest;
  const reached = n.snapshots.receive(n.log, m.snapshot);
  // Only a snapshot installed now brings its membership. The same one again (a duplicate, a
  // resend) is ignored, and must not undo conf changes applied since (nemesis-hardened seed 100662).
  if (n.snapshots.latest !== before) n.configuration = new Configuration(m.snapshot.metadata.conf);
  answerAppend(n, m.from, reached, false);
}

function answerAppend(n: NodeState, to: NodeId, index: number, reject: boolean, hintIndex = 0, hintTerm = 0): void {
  n.send(appendResponse(n.id, to, n.term, index, reject, hintIndex, hintTerm));
}

/** Tells a stale leader or candidate about the newer term so it steps down (§5.1). */
export function answerStaleTerm(n: NodeState, m: Message): void {
  if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') answerAppend(n, m.from, 0, true);
  else if (m.type === 'vote') {
    n.send(voteResponse('voteResp', n.id, m.from, n.term, false));
  } else if (m.type === 'preVote') {
    n.send(voteResponse('preVoteResp', n.id, m.from, n.term, false));
  }
}
