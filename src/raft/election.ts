import type { Progress } from './progress.js';
import type { Message, NodeId } from './types.js';

/**
 * Election hardening after etcd's raft: PreVote, CheckQuorum, leadership transfer and
 * lease-based reads. Each is off unless switched on, and off the node behaves exactly
 * as before they existed. The rules live here; node.ts only calls them.
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
