import type { BugSwitches } from '../bugs.js';
import { applyConfChange, proposeConfChange } from './conf-change.js';
import {
  campaign,
  checkElectionOptions,
  handleVoteRequest,
  inLeaderLease,
  isDisruptiveCampaign,
  keepsOwnTerm,
  leaderElectionTimeout,
  stepCandidate,
  transferLeadership,
  type ElectionNotice,
  type ElectionOptions,
} from './election.js';
import { answerStaleTerm, stepFollower } from './follower.js';
import type { RaftLog } from './log.js';
import type { ProgressState } from './progress.js';
import { handleReadIndex } from './reads.js';
import { afterCommit, appendEntry, broadcastAppend, broadcastHeartbeat, maybeCommit, stepLeader } from './replication.js';
import { becomeFollower, resetElectionTimer } from './roles.js';
import { NodeState } from './state.js';
import { NONE } from './types.js';
import { proposalForward, readIndexRequest } from './wire.js';
import type {
  ConfChange,
  ConfProposeResult,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  Role,
  Snapshot,
} from './types.js';

const NO_NOTICES: readonly ElectionNotice[] = [];
const NOTHING: readonly never[] = [];

export interface RaftConfig extends ElectionOptions {
  readonly id: NodeId;
  /** The voters the cluster was bootstrapped with (when `restored` carries no conf). */
  readonly voters: readonly NodeId[];
  /** Base election timeout; each term draws a timeout in [electionTicks, 2·electionTicks − 1]. */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** This node's own random stream, in [0, 1); the host owns the seed. */
  readonly random: () => number;
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  /** etcd's MaxSizePerMsg: payload bytes per append (at least one entry always goes); 0 = unbounded. */
  readonly maxBytesPerAppend?: number;
  /** etcd's MaxUncommittedEntriesSize: payload bytes a leader holds uncommitted before it drops proposals; 0 = unbounded. */
  readonly maxUncommittedBytes?: number;
  /** Entries kept behind a compaction, so slightly lagging followers need no snapshot (etcd's SnapshotCatchUpEntries). */
  readonly snapshotCatchUpEntries?: number;
  /**
   * What the node's storage held when it (re)started: with a snapshot, the entries it does
   * not cover follow it (any it covers are ignored) and the driver has restored the state
   * machine from it, so the node hands out only entries after it.
   */
  readonly restored?: {
    readonly hardState: HardState;
    readonly entries: readonly Entry[];
    readonly snapshot?: Snapshot | null;
    /** The membership at boot when no snapshot carries it (the bootstrap config otherwise). */
    readonly conf?: ConfState;
  };
  /** Planted defects (src/bugs.ts), all off unless a test or `--bug` switches one on. */
  readonly bugs?: BugSwitches;
}

/**
 * A Raft node as a pure state machine, after etcd's raft: the driver calls `tick()`,
 * `step()`, `propose()` and `readIndex()`, then drains `ready()` and calls `advance()`
 * once it has persisted, sent and applied what the ready asked for.
 *
 * This class is the node's public face and its dispatch (etcd's Step and the Ready loop);
 * the node's fields live in a NodeState (state.ts) that the concept modules act on:
 * roles.ts, election.ts, replication.ts (leader), follower.ts, reads.ts, conf-change.ts.
 */
export class RaftNode {
  /** The node's fields, shared with the concept modules; nothing outside src/raft sees them. */
  private readonly n: NodeState;

  constructor(config: RaftConfig) {
    checkElectionOptions(config);
    this.n = new NodeState(config);
    resetElectionTimer(this.n);
  }

  get id(): NodeId {
    return this.n.id;
  }

  get term(): number {
    return this.n.term;
  }

  set term(term: number) {
    this.n.term = term;
  }

  get vote(): NodeId {
    return this.n.vote;
  }

  set vote(vote: NodeId) {
    this.n.vote = vote;
  }

  get lead(): NodeId {
    return this.n.lead;
  }

  set lead(lead: NodeId) {
    this.n.lead = lead;
  }

  get role(): Role {
    return this.n.role;
  }

  set role(role: Role) {
    this.n.role = role;
  }

  get log(): RaftLog {
    return this.n.log;
  }

  get applied(): number {
    return this.n.applied;
  }

  set applied(applied: number) {
    this.n.applied = applied;
  }

  get commit(): number {
    return this.n.log.committed;
  }

  /** The voters of the configuration in force (the incoming half when joint). */
  get voters(): readonly NodeId[] {
    return this.n.configuration.state.voters;
  }

  confState(): ConfState {
    return this.n.configuration.state;
  }

  /** Voters and learners, ascending. */
  members(): readonly NodeId[] {
    return this.n.configuration.members;
  }

  /** The leader's view of a follower, for observers such as the trace and the viewer. */
  progressOf(peer: NodeId): { readonly match: number; readonly next: number; readonly state: ProgressState; readonly pendingSnapshot: number } | undefined {
    return this.n.progress.get(peer);
  }

  /** The newest snapshot this node holds (its own or one it installed), or null. */
  latestSnapshot(): Snapshot | null {
    return this.n.snapshots.latest;
  }

  /**
   * The driver has applied up to `index` and took the state machine's snapshot `data` there:
   * the node records the snapshot and forgets the entries before it but for the last
   * `snapshotCatchUpEntries`. The driver persists the returned snapshot itself, then drops
   * the entries up to `log.compactedIndex` from its storage.
   */
  compact(index: number, data: string): Snapshot {
    const n = this.n;
    // Conf changes take effect as they are applied, so the membership in force is that of `applied`.
    if (index !== n.applied) throw new Error(`cannot snapshot at ${index}: the membership is known only at the applied index ${n.applied}`);
    return n.snapshots.take(n.log, index, data, n.configuration.state, n.snapshotCatchUpEntries);
  }

  // ---- inputs ------------------------------------------------------------

  /**
   * One tick of the logical clock. Answers false when it only counted (no timeout fired):
   * then nothing a ready or the node's state shows has changed, and a driver may skip both.
   */
  tick(): boolean {
    const n = this.n;
    if (n.role === 'leader') {
      let fired = false;
      n.electionElapsed++;
      if (n.electionElapsed >= n.config.electionTicks) {
        n.electionElapsed = 0;
        fired = true;
        leaderElectionTimeout(n);
        if (n.role !== 'leader') return true;
      }
      n.heartbeatElapsed++;
      if (n.heartbeatElapsed >= n.config.heartbeatTicks) {
        n.heartbeatElapsed = 0;
        fired = true;
        broadcastHeartbeat(n);
      }
      return fired;
    }
    n.electionElapsed++;
    if (n.electionElapsed < n.randomizedElectionTimeout || !n.isVoter()) return false;
    campaign(n);
    return true;
  }

  /** Starts an election now, as a timeout would (with PreVote, the pre-election first). */
  campaign(): void {
    campaign(this.n);
  }

  /**
   * Hands leadership to `target` (etcd's MsgTransferLeader): bring it up to date, then
   * tell it to campaign at once. Ignored unless this node leads and `target` is another voter.
   */
  transferLeadership(target: NodeId): void {
    transferLeadership(this.n, target);
  }

  /** What happened since the last call that the node's state does not show (for the trace). */
  takeNotices(): readonly ElectionNotice[] {
    const notices = this.n.notices;
    if (notices.length === 0) return NO_NOTICES;
    this.n.notices = [];
    return notices;
  }

  propose(data: string): ProposeResult {
    const n = this.n;
    if (n.role === 'leader') {
      // The target must catch up with a log that stands still.
      if (n.transferee !== NONE) return { kind: 'dropped', reason: 'leadership transfer' };
      if (!n.uncommitted.admit(data.length)) return { kind: 'dropped', reason: 'uncommitted limit' };
      const entry = appendEntry(n, data);
      n.appendsDue = true;
      return { kind: 'appended', index: entry.index, term: entry.term };
    }
    if (n.lead === NONE) return { kind: 'dropped', reason: 'no leader' };
    n.forwarding.push(data);
    return { kind: 'forwarded', leader: n.lead };
  }

  /** Appends a membership change, at the leader only and within the rules of membership.ts. */
  proposeConfChange(cc: ConfChange): ConfProposeResult {
    return proposeConfChange(this.n, cc);
  }

  /**
   * The driver applied a committed conf entry: its change takes effect now. Returns the
   * configuration in force afterwards (unchanged if the change breaks the rules).
   */
  applyConfChange(cc: ConfChange): ConfState {
    return applyConfChange(this.n, cc);
  }

  /**
   * Asks for a linearizable read point; the answer arrives as a ReadState carrying
   * `context`. Returns false when no leader is known and the read cannot start.
   */
  readIndex(context: string): boolean {
    const n = this.n;
    if (n.role === 'leader') {
      handleReadIndex(n, context, n.id);
      return true;
    }
    if (n.lead === NONE) return false;
    n.send(readIndexRequest(n.id, n.lead, context));
    return true;
  }

  step(m: Message): void {
    const n = this.n;
    if (m.to !== n.id) throw new Error(`node ${n.id} got a message for ${m.to}`);
    // A node removed while cut off never learns of it (the leader no longer writes to it)
    // and would campaign forever, each time with a higher term. Vote requests from
    // non-voters are dropped unheard, term and all, as etcd's transport drops messages
    // from removed members. Never safety-relevant: it is a lost message.
    if (m.type === 'vote' && !n.configuration.isVoter(m.from)) return;
    if (m.term > n.term) {
      // Within a live leader's lease a campaign is ignored outright: no answer, no new term.
      if (isDisruptiveCampaign(m) && inLeaderLease(n)) return;
      if (!keepsOwnTerm(m)) {
        const leader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap' ? m.from : NONE;
        becomeFollower(n, m.term, leader);
      }
    } else if (m.term !== 0 && m.term < n.term) {
      answerStaleTerm(n, m);
      return;
    }
    switch (m.type) {
      case 'vote':
      case 'preVote':
        return handleVoteRequest(n, m);
      // Forwarded requests that reach a node which is no longer leader are dropped, not
      // forwarded again: two nodes with stale views could otherwise bounce them forever.
      // The client's timeout and retry cover the loss.
      case 'prop':
        // A forwarded batch fits the uncommitted limit whole or is dropped whole, as etcd's MsgProp.
        if (n.role !== 'leader' || n.transferee !== NONE || !n.uncommitted.admit(m.data.reduce((bytes, data) => bytes + data.length, 0))) return;
        for (const data of m.data) appendEntry(n, data);
        n.appendsDue = true;
        return;
      case 'readIndex':
        if (n.role === 'leader') handleReadIndex(n, m.context, m.from);
        return;
      case 'readIndexResp':
        n.readStates.push({ index: m.index, context: m.context });
        return;
    }
    if (n.role === 'leader') stepLeader(n, m);
    else if (n.role === 'candidate' || n.role === 'preCandidate') stepCandidate(n, m);
    else stepFollower(n, m);
  }

  // ---- the ready / advance handshake -------------------------------------

  hasReady(): boolean {
    const n = this.n;
    return (
      n.appendsDue ||
      n.forwarding.length > 0 ||
      n.outbox.length > 0 ||
      n.readStates.length > 0 ||
      n.snapshots.unstable !== null ||
      n.log.stableIndex() < n.log.lastIndex() ||
      n.applied < n.log.committed ||
      n.hardStateChanged()
    );
  }

  /**
   * Hands out what the driver must do now. Messages and read states are handed out
   * once; anything the node produces before `advance` (say, a proposal made while
   * applying) waits for the next ready.
   */
  ready(): Ready {
    const n = this.n;
    this.sendBatchedProposals();
    const snapshot = n.snapshots.unstable;
    const entries = n.log.stableIndex() < n.log.lastIndex() ? n.log.unstableEntries() : NOTHING;
    const hardState = n.hardStateChanged() ? n.hardState() : null;
    const termOrVoteChanged =
      hardState !== null && (hardState.term !== n.persisted.term || hardState.vote !== n.persisted.vote);
    // Most readies carry a message or two and nothing else: the empty parts share one array.
    const messages = n.outbox.length > 0 ? n.outbox : NOTHING;
    const readStates = n.readStates.length > 0 ? n.readStates : NOTHING;
    if (messages !== NOTHING) n.outbox = [];
    if (readStates !== NOTHING) n.readStates = [];
    const appliedThrough = Math.max(n.applied, snapshot?.metadata.index ?? 0);
    return {
      snapshot,
      hardState,
      entries,
      mustSync: ((entries.length > 0 || snapshot !== null) && !n.bugs.ackBeforeSync) || (termOrVoteChanged && !n.bugs.voteBeforePersist),
      messages,
      committed: appliedThrough < n.log.committed ? n.log.slice(appliedThrough + 1, n.log.committed) : NOTHING,
      readStates,
    };
  }

  /** The driver has persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    const n = this.n;
    if (rd.hardState) n.persisted = rd.hardState;
    if (rd.snapshot) {
      n.snapshots.stableTo(rd.snapshot);
      n.applied = Math.max(n.applied, rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) n.log.stableTo(rd.entries[rd.entries.length - 1]);
    if (rd.committed.length > 0) {
      n.applied = rd.committed[rd.committed.length - 1].index;
      n.uncommitted.release(rd.committed);
    }
    if (n.role === 'leader' && n.configuration.state.autoLeave && n.pendingConfIndex <= n.applied) {
      // The joint config is applied and asks to be left: as etcd, the leader proposes it.
      proposeConfChange(n, { changes: [] });
    }
    if (n.role === 'leader' && rd.entries.length > 0) {
      // The leader counts its own copy only once it is durable.
      n.progress.get(n.id)?.acknowledge(n.log.stableIndex());
      if (maybeCommit(n)) afterCommit(n);
    }
  }

  hardState(): HardState {
    return this.n.hardState();
  }

  /**
   * Proposals are batched (etcd's raft gets this from its Ready loop): the leader appends each
   * at once but sends the appends for all of them when the driver next asks for a ready, so a
   * burst of proposals goes out in one append per follower, up to the size bounds; a follower
   * forwards a burst in one message.
   */
  private sendBatchedProposals(): void {
    const n = this.n;
    if (n.appendsDue) {
      n.appendsDue = false;
      if (n.role === 'leader') broadcastAppend(n);
    }
    if (n.forwarding.length === 0) return;
    const data = n.forwarding;
    n.forwarding = [];
    // The leader may have changed since: forward to the one known now, or drop (clients retry).
    if (n.role !== 'leader' && n.lead !== NONE) n.send(proposalForward(n.id, n.lead, data));
  }
}
