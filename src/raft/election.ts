import { stepFollower } from './follower.js';
import type { Progress } from './progress.js';
import type { VoteResult } from './quorum.js';
import { sendAppend } from './replication.js';
import { becomeCandidate, becomeFollower, becomeLeader, becomePreCandidate } from './roles.js';
import type { NodeState } from './state.js';
import { NONE } from './types.js';
import type { Message, NodeId, PreVoteRequest, PreVoteResponse, VoteRequest, VoteResponse } from './types.js';
import { preVoteRequest, timeoutNow, voteRequest, voteResponse } from './wire.js';

/**
 * Elections (§5.2, §5.4.1) and their hardening after etcd's raft: PreVote, CheckQuorum,
 * leadership transfer and lease-based reads. Each of those is off unless switched on, and
 * off the node behaves exactly as before they existed. First the options and rules, then
 * the campaign, the votes, and the leader's side (CheckQuorum, transfers).
 */

/**
 * How a leader confirms it still leads before it answers a read: `index` waits for a
 * heartbeat round acknowledged by a majority (ReadIndex); `lease` answers at once,
 * trusting that CheckQuorum deposes it within an election timeout. The lease is only as
 * good as the clocks: a leader whose clock runs slow outlives it and serves stale reads.
 */
export type ReadMode = 'index' | 'lease';

export interface ElectionOptions {
  /** Before raising its term, a would-be candidate asks whether it could win (thesis §9.6). */
  readonly preVote?: boolean;
  /**
   * A leader that has not heard from a majority within an election timeout steps down, and
   * a node that heard from a leader within one ignores other nodes' campaigns.
   */
  readonly checkQuorum?: boolean;
  readonly readMode?: ReadMode;
}

/** Things worth telling an observer (the trace) that leave no other mark on the node's state. */
export type ElectionNotice =
  | { readonly kind: 'transfer'; readonly phase: 'started'; readonly to: NodeId; readonly term: number }
  | {
      readonly kind: 'transfer';
      readonly phase: 'abandoned';
      readonly to: NodeId;
      readonly term: number;
      /** timeout: the target did not take over within an election timeout; superseded: a transfer to another node replaced it. */
      readonly reason: 'timeout' | 'superseded';
    }
  | { readonly kind: 'stepDown'; readonly term: number; readonly reason: 'check quorum' };

/** Refuses option sets etcd refuses: a lease without CheckQuorum has nothing to end it. */
export function checkElectionOptions(options: ElectionOptions): void {
  if (options.readMode === 'lease' && !options.checkQuorum) {
    throw new Error('readMode lease needs checkQuorum: without it nothing ends a deposed leader\'s lease');
  }
}

/**
 * etcd's special cases in Step for a message of a higher term than ours: a pre-vote asks
 * about a term that may never exist, and a granted pre-vote answer echoes that term, so
 * neither may move our term (nor make us step down).
 */
export function keepsOwnTerm(m: Message): boolean {
  return m.type === 'preVote' || (m.type === 'preVoteResp' && m.granted);
}

/**
 * A campaign that a node still within its leader's lease ignores: every vote and pre-vote
 * request except the one a leadership transfer starts, which the leader itself asked for.
 */
export function isDisruptiveCampaign(m: Message): boolean {
  return m.type === 'preVote' || (m.type === 'vote' && m.transfer !== true);
}

/**
 * CheckQuorum's test, run once per election timeout: the voters (the leader counts itself)
 * that answered since the last test, for the config's quorum to judge (both halves when
 * joint). It clears the marks for the next round.
 */
export function activeSinceLastCheck(self: NodeId, voters: readonly NodeId[], progress: ReadonlyMap<NodeId, Progress>): Set<NodeId> {
  const active = new Set<NodeId>();
  for (const voter of voters) {
    const peer = progress.get(voter);
    if (voter === self || peer?.recentActive) active.add(voter);
    if (peer && voter !== self) peer.recentActive = false;
  }
  return active;
}

// ---- the campaign ------------------------------------------------------

/** Starts an election now, as a timeout would (with PreVote, the pre-election first). */
export function campaign(n: NodeState): void {
  if (n.config.preVote) startPreElection(n);
  else startElection(n, false);
}

export function startElection(n: NodeState, transfer: boolean): void {
  becomeCandidate(n);
  if (n.role === 'leader') return;
  for (const peer of n.otherVoters()) {
    n.send(voteRequest(n.id, peer, n.term, n.log.lastIndex(), n.log.lastTerm(), transfer));
  }
}

function startPreElection(n: NodeState): void {
  becomePreCandidate(n);
  if (voteResult(n) === 'won') return startElection(n, false);
  for (const peer of n.otherVoters()) {
    n.send(preVoteRequest(n.id, peer, n.term + 1, n.log.lastIndex(), n.log.lastTerm()));
  }
}

function winElection(n: NodeState): void {
  if (n.role === 'preCandidate') startElection(n, false);
  else becomeLeader(n);
}

/** etcd's lease: a node that heard from its leader (or leads) within an election timeout. */
export function inLeaderLease(n: NodeState): boolean {
  return n.config.checkQuorum === true && n.lead !== NONE && n.electionElapsed < n.config.electionTicks;
}

// ---- votes -------------------------------------------------------------

/** etcd's stepCandidate, for candidates and pre-candidates alike. */
export function stepCandidate(n: NodeState, m: Message): void {
  switch (m.type) {
    case 'app':
    case 'heartbeat':
    case 'snap':
      // Someone won this term: follow it (§5.2).
      becomeFollower(n, n.term, m.from);
      return stepFollower(n, m);
    case 'voteResp':
      if (n.role === 'candidate') handleVoteResponse(n, m);
      return;
    case 'preVoteResp':
      // A grant counts only for the term this pre-election asks about, not an earlier one's.
      if (n.role === 'preCandidate' && (!m.granted || m.term === n.term + 1)) handleVoteResponse(n, m);
      return;
  }
}

export function handleVoteRequest(n: NodeState, m: VoteRequest | PreVoteRequest): void {
  const preVote = m.type === 'preVote';
  // A pre-vote for a later term binds nothing, so our vote in this term is no obstacle.
  const canVote = n.vote === m.from || (n.vote === NONE && n.lead === NONE) || (preVote && m.term > n.term);
  const granted = canVote && (n.bugs.voteWithoutLogCheck || n.log.isUpToDate(m.lastIndex, m.lastTerm));
  if (preVote) {
    n.send(voteResponse('preVoteResp', n.id, m.from, granted ? m.term : n.term, granted));
    return;
  }
  if (granted) {
    n.vote = m.from;
    n.electionElapsed = 0;
  }
  n.send(voteResponse('voteResp', n.id, m.from, n.term, granted));
}

function handleVoteResponse(n: NodeState, m: VoteResponse | PreVoteResponse): void {
  n.votes.set(m.from, m.granted);
  const result = voteResult(n);
  if (result === 'won') winElection(n);
  else if (result === 'lost') becomeFollower(n, n.term, NONE);
}

export function voteResult(n: NodeState): VoteResult {
  return n.configuration.quorum.voteResult((id) => n.votes.get(id));
}

// ---- the leader: CheckQuorum and leadership transfer --------------------

/** Once per election timeout a leader checks that a majority still answers, and gives up a stalled transfer. */
export function leaderElectionTimeout(n: NodeState): void {
  if (n.config.checkQuorum && !n.hasQuorum(activeSinceLastCheck(n.id, n.configuration.voters(), n.progress))) {
    n.notices.push({ kind: 'stepDown', term: n.term, reason: 'check quorum' });
    return becomeFollower(n, n.term, NONE);
  }
  if (n.transferee !== NONE) abandonTransfer(n, 'timeout');
  // A removed leader whose successor did not take over within an election timeout goes anyway.
  if (n.handingOver) becomeFollower(n, n.term, NONE);
}

/**
 * Hands leadership to `target` (etcd's MsgTransferLeader): bring it up to date, then
 * tell it to campaign at once. Ignored unless this node leads and `target` is another voter.
 */
export function transferLeadership(n: NodeState, target: NodeId): void {
  if (n.role !== 'leader' || target === n.id || !n.configuration.isVoter(target) || target === n.transferee) return;
  if (n.transferee !== NONE) abandonTransfer(n, 'superseded');
  // The transfer gets one election timeout, counted from now.
  n.electionElapsed = 0;
  n.transferee = target;
  n.notices.push({ kind: 'transfer', phase: 'started', to: target, term: n.term });
  const progress = n.progress.get(target)!;
  if (progress.match === n.log.lastIndex()) sendTimeoutNow(n, target);
  else sendAppend(n, progress);
}

function abandonTransfer(n: NodeState, reason: 'timeout' | 'superseded'): void {
  n.notices.push({ kind: 'transfer', phase: 'abandoned', to: n.transferee, term: n.term, reason });
  n.transferee = NONE;
}

export function sendTimeoutNow(n: NodeState, to: NodeId): void {
  n.send(timeoutNow(n.id, to, n.term));
  // A removed leader's successor campaigns among voters that no longer include it: it would never hear the new term.
  if (n.handingOver) becomeFollower(n, n.term, NONE);
}
