import { voteResult } from './election.js';
import { Progress } from './progress.js';
import { appendEntry, broadcastAppend } from './replication.js';
import type { NodeState } from './state.js';
import { NONE } from './types.js';
import type { NodeId } from './types.js';

/**
 * Role changes (§5.2, etcd's becomeFollower/becomePreCandidate/becomeCandidate/becomeLeader):
 * each starts the role afresh, with new timers and none of the previous role's votes,
 * progress, pending reads or transfer.
 */

export function becomeFollower(n: NodeState, term: number, lead: NodeId): void {
  if (term !== n.term) {
    n.term = term;
    n.vote = NONE;
  }
  n.role = 'follower';
  n.lead = lead;
  resetRoleState(n);
}

/** Like a candidate, but in the current term and without a vote of its own: it only asks. */
export function becomePreCandidate(n: NodeState): void {
  n.role = 'preCandidate';
  n.lead = NONE;
  resetRoleState(n);
  n.votes.set(n.id, true);
}

export function becomeCandidate(n: NodeState): void {
  n.term++;
  n.vote = n.id;
  n.role = 'candidate';
  n.lead = NONE;
  resetRoleState(n);
  n.votes.set(n.id, true);
  if (voteResult(n) === 'won') becomeLeader(n);
}

export function becomeLeader(n: NodeState): void {
  n.role = 'leader';
  n.lead = n.id;
  resetRoleState(n);
  const next = n.log.lastIndex() + 1;
  const retryRounds = snapshotRetryRounds(n);
  for (const member of n.configuration.members) {
    const progress = new Progress(member, next, n.maxInflight, retryRounds);
    if (member === n.id) progress.acknowledge(n.log.stableIndex());
    n.progress.set(member, progress);
  }
  // Whatever conf change may be in the log, none other is taken until it all is applied (etcd).
  n.pendingConfIndex = n.log.lastIndex();
  // §5.4.2: only an entry of the leader's own term can be committed by counting replicas.
  appendEntry(n, null);
  broadcastAppend(n);
}

/** Heartbeat answers without an acknowledgement after which a sent snapshot counts as lost: two election timeouts. */
export function snapshotRetryRounds(n: NodeState): number {
  return Math.max(1, Math.ceil((2 * n.config.electionTicks) / n.config.heartbeatTicks));
}

function resetRoleState(n: NodeState): void {
  n.electionElapsed = 0;
  n.heartbeatElapsed = 0;
  resetElectionTimer(n);
  n.votes.clear();
  n.progress.clear();
  n.readOnly.clear();
  n.deferredReads = [];
  n.transferee = NONE;
  n.handingOver = false;
  n.uncommitted.reset();
}

export function resetElectionTimer(n: NodeState): void {
  const base = n.config.electionTicks;
  n.randomizedElectionTimeout = base + (n.bugs.fixedElectionTimeout ? 0 : Math.floor(n.config.random() * base));
}
