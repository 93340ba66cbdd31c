import type { BugSwitches } from '../bugs.js';
import {
  checkElectionOptions,
  isDisruptiveCampaign,
  keepsOwnTerm,
  activeSinceLastCheck,
  type ElectionNotice,
  type ElectionOptions,
} from './election.js';
import { RaftLog } from './log.js';
import { bootstrapConf, changeConf, Configuration, encodeConfChange } from './membership.js';
import { Progress, type ProgressState } from './progress.js';
import type { VoteResult } from './quorum.js';
import { ReadOnlyQueue } from './read-only.js';
import { SnapshotKeeper } from './snapshot.js';
import { NONE } from './types.js';
import type {
  AppendRequest,
  AppendResponse,
  ConfChange,
  ConfProposeResult,
  ConfState,
  Entry,
  HardState,
  Heartbeat,
  HeartbeatResponse,
  Message,
  NodeId,
  PreVoteRequest,
  PreVoteResponse,
  ProposeResult,
  ReadIndexRequest,
  ReadState,
  Ready,
  Role,
  Snapshot,
  SnapshotMessage,
  VoteRequest,
  VoteResponse,
} from './types.js';

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

const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

/**
 * A Raft node as a pure state machine, after etcd's raft: the driver calls `tick()`,
 * `step()`, `propose()` and `readIndex()`, then drains `ready()` and calls `advance()`
 * once it has persisted, sent and applied what the ready asked for.
 */
export class RaftNode {
  readonly id: NodeId;
  term: number;
  vote: NodeId;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  applied = 0;

  private readonly config: RaftConfig;
  /** The membership in force: the last conf change applied (see membership.ts). */
  private configuration: Configuration;
  /** The index of the newest conf change the leader appended; no other is taken until it is applied. */
  private pendingConfIndex = 0;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  private readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests that arrive before the leader has committed an entry of its term. */
  private deferredReads: { context: string; requester: NodeId }[] = [];
  private outbox: Message[] = [];
  /** Proposals appended since the last ready, their appends not sent yet (see sendBatchedProposals). */
  private appendsDue = false;
  /** Proposals to forward to the leader with the next ready. */
  private forwarding: string[] = [];
  /** The voter a leadership transfer hands over to, or NONE; proposals wait while one is pending. */
  private transferee: NodeId = NONE;
  private notices: ElectionNotice[] = [];
  private readStates: ReadState[] = [];
  private persisted: HardState;
  private readonly maxEntriesPerAppend: number;
  private readonly maxInflight: number;
  private readonly maxBytesPerAppend: number;
  private readonly snapshotCatchUpEntries: number;
  private readonly snapshots: SnapshotKeeper;
  private readonly bugs: BugSwitches;

  constructor(config: RaftConfig) {
    checkElectionOptions(config);
    this.config = config;
    this.id = config.id;
    const snapshot = config.restored?.snapshot ?? null;
    // The conf entries a snapshot covers are gone from the log: the membership comes with it.
    this.configuration = new Configuration(snapshot?.metadata.conf ?? config.restored?.conf ?? bootstrapConf(config.voters));
    const hardState = config.restored?.hardState ?? EMPTY_HARD_STATE;
    this.term = hardState.term;
    this.vote = hardState.vote;
    const snapshotIndex = snapshot?.metadata.index ?? 0;
    const entries = (config.restored?.entries ?? []).filter((entry) => entry.index > snapshotIndex);
    this.log = new RaftLog(entries, hardState.commit, snapshotIndex, snapshot?.metadata.term ?? 0);
    this.snapshots = new SnapshotKeeper(snapshot);
    this.applied = snapshotIndex;
    this.persisted = hardState;
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? 64;
    this.maxInflight = config.maxInflight ?? 64;
    this.maxBytesPerAppend = config.maxBytesPerAppend ?? 0;
    this.snapshotCatchUpEntries = config.snapshotCatchUpEntries ?? 0;
    this.bugs = config.bugs ?? {};
    this.resetElectionTimer();
  }

  get commit(): number {
    return this.log.committed;
  }

  /** The voters of the configuration in force (the incoming half when joint). */
  get voters(): readonly NodeId[] {
    return this.configuration.state.voters;
  }

  confState(): ConfState {
    return this.configuration.state;
  }

  /** Voters and learners, ascending. */
  members(): readonly NodeId[] {
    return this.configuration.members;
  }

  /** The leader's view of a follower, for observers such as the trace and the viewer. */
  progressOf(peer: NodeId): { readonly match: number; readonly next: number; readonly state: ProgressState; readonly pendingSnapshot: number } | undefined {
    return this.progress.get(peer);
  }

  /** The newest snapshot this node holds (its own or one it installed), or null. */
  latestSnapshot(): Snapshot | null {
    return this.snapshots.latest;
  }

  /**
   * The driver has applied up to `index` and took the state machine's snapshot `data` there:
   * the node records the snapshot and forgets the entries before it but for the last
   * `snapshotCatchUpEntries`. The driver persists the returned snapshot itself, then drops
   * the entries up to `log.compactedIndex` from its storage.
   */
  compact(index: number, data: string): Snapshot {
    // Conf changes take effect as they are applied, so the membership in force is that of `applied`.
    if (index !== this.applied) throw new Error(`cannot snapshot at ${index}: the membership is known only at the applied index ${this.applied}`);
    return this.snapshots.take(this.log, index, data, this.configuration.state, this.snapshotCatchUpEntries);
  }

  // ---- inputs ------------------------------------------------------------

  tick(): void {
    if (this.role === 'leader') {
      this.electionElapsed++;
      if (this.electionElapsed >= this.config.electionTicks) {
        this.electionElapsed = 0;
        this.leaderElectionTimeout();
        if (this.role !== 'leader') return;
      }
      this.heartbeatElapsed++;
      if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
        this.heartbeatElapsed = 0;
        this.broadcastHeartbeat();
      }
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout && this.isVoter()) this.campaign();
  }

  /** Starts an election now, as a timeout would (with PreVote, the pre-election first). */
  campaign(): void {
    if (this.config.preVote) this.startPreElection();
    else this.startElection(false);
  }

  /**
   * Hands leadership to `target` (etcd's MsgTransferLeader): bring it up to date, then
   * tell it to campaign at once. Ignored unless this node leads and `target` is another voter.
   */
  transferLeadership(target: NodeId): void {
    if (this.role !== 'leader' || target === this.id || !this.configuration.isVoter(target) || target === this.transferee) return;
    if (this.transferee !== NONE) this.abandonTransfer('superseded');
    // The transfer gets one election timeout, counted from now.
    this.electionElapsed = 0;
    this.transferee = target;
    this.notices.push({ kind: 'transfer', phase: 'started', to: target, term: this.term });
    const progress = this.progress.get(target)!;
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(target);
    else this.sendAppend(progress);
  }

  /** What happened since the last call that the node's state does not show (for the trace). */
  takeNotices(): ElectionNotice[] {
    const notices = this.notices;
    this.notices = [];
    return notices;
  }

  propose(data: string): ProposeResult {
    if (this.role === 'leader') {
      // The target must catch up with a log that stands still.
      if (this.transferee !== NONE) return { kind: 'dropped', reason: 'leadership transfer' };
      const entry = this.appendEntry(data);
      this.appendsDue = true;
      return { kind: 'appended', index: entry.index, term: entry.term };
    }
    if (this.lead === NONE) return { kind: 'dropped', reason: 'no leader' };
    this.forwarding.push(data);
    return { kind: 'forwarded', leader: this.lead };
  }

  /** Appends a membership change, at the leader only and within the rules of membership.ts. */
  proposeConfChange(cc: ConfChange): ConfProposeResult {
    if (this.role !== 'leader') return { kind: 'refused', reason: 'not the leader' };
    if (this.pendingConfIndex > this.applied) return { kind: 'refused', reason: `conf change at ${this.pendingConfIndex} not applied yet` };
    const outcome = changeConf(this.configuration.state, cc);
    if ('error' in outcome) return { kind: 'refused', reason: outcome.error };
    const entry = this.appendEntry(encodeConfChange(cc), 'conf');
    this.pendingConfIndex = entry.index;
    this.broadcastAppend();
    return { kind: 'appended', index: entry.index, term: entry.term };
  }

  /**
   * The driver applied a committed conf entry: its change takes effect now. Returns the
   * configuration in force afterwards (unchanged if the change breaks the rules).
   */
  applyConfChange(cc: ConfChange): ConfState {
    const outcome = changeConf(this.configuration.state, cc);
    if ('error' in outcome) return this.configuration.state;
    this.configuration = new Configuration(outcome.conf);
    if (this.role === 'leader') this.leaderSwitchConf();
    return outcome.conf;
  }

  /**
   * Asks for a linearizable read point; the answer arrives as a ReadState carrying
   * `context`. Returns false when no leader is known and the read cannot start.
   */
  readIndex(context: string): boolean {
    if (this.role === 'leader') {
      this.handleReadIndex(context, this.id);
      return true;
    }
    if (this.lead === NONE) return false;
    this.send({ type: 'readIndex', from: this.id, to: this.lead, term: 0, context });
    return true;
  }

  step(m: Message): void {
    if (m.to !== this.id) throw new Error(`node ${this.id} got a message for ${m.to}`);
    // A node removed while cut off never learns of it (the leader no longer writes to it)
    // and would campaign forever, each time with a higher term. Vote requests from
    // non-voters are dropped unheard, term and all, as etcd's transport drops messages
    // from removed members. Never safety-relevant: it is a lost message.
    if (m.type === 'vote' && !this.configuration.isVoter(m.from)) return;
    if (m.term > this.term) {
      // Within a live leader's lease a campaign is ignored outright: no answer, no new term.
      if (isDisruptiveCampaign(m) && this.inLeaderLease()) return;
      if (!keepsOwnTerm(m)) {
        const leader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap' ? m.from : NONE;
        this.becomeFollower(m.term, leader);
      }
    } else if (m.term !== 0 && m.term < this.term) {
      this.answerStaleTerm(m);
      return;
    }
    switch (m.type) {
      case 'vote':
      case 'preVote':
        return this.handleVoteRequest(m);
      // Forwarded requests that reach a node which is no longer leader are dropped, not
      // forwarded again: two nodes with stale views could otherwise bounce them forever.
      // The client's timeout and retry cover the loss.
      case 'prop':
        if (this.role !== 'leader' || this.transferee !== NONE) return;
        for (const data of m.data) this.appendEntry(data);
        this.appendsDue = true;
        return;
      case 'readIndex':
        if (this.role === 'leader') this.handleReadIndex(m.context, m.from);
        return;
      case 'readIndexResp':
        this.readStates.push({ index: m.index, context: m.context });
        return;
    }
    if (this.role === 'leader') this.stepLeader(m);
    else if (this.role === 'candidate' || this.role === 'preCandidate') this.stepCandidate(m);
    else this.stepFollower(m);
  }

  // ---- the ready / advance handshake -------------------------------------

  hasReady(): boolean {
    return (
      this.appendsDue ||
      this.forwarding.length > 0 ||
      this.outbox.length > 0 ||
      this.readStates.length > 0 ||
      this.snapshots.unstable !== null ||
      this.log.stableIndex() < this.log.lastIndex() ||
      this.applied < this.log.committed ||
      this.hardStateChanged()
    );
  }

  /**
   * Hands out what the driver must do now. Messages and read states are handed out
   * once; anything the node produces before `advance` (say, a proposal made while
   * applying) waits for the next ready.
   */
  ready(): Ready {
    this.sendBatchedProposals();
    const snapshot = this.snapshots.unstable;
    const entries = this.log.unstableEntries();
    const hardState = this.hardStateChanged() ? this.hardState() : null;
    const termOrVoteChanged =
      hardState !== null && (hardState.term !== this.persisted.term || hardState.vote !== this.persisted.vote);
    const messages = this.outbox;
    const readStates = this.readStates;
    this.outbox = [];
    this.readStates = [];
    const appliedThrough = Math.max(this.applied, snapshot?.metadata.index ?? 0);
    return {
      snapshot,
      hardState,
      entries,
      mustSync: ((entries.length > 0 || snapshot !== null) && !this.bugs.ackBeforeSync) || (termOrVoteChanged && !this.bugs.voteBeforePersist),
      messages,
      committed: this.log.slice(appliedThrough + 1, this.log.committed),
      readStates,
    };
  }

  /** The driver has persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    if (rd.hardState) this.persisted = rd.hardState;
    if (rd.snapshot) {
      this.snapshots.stableTo(rd.snapshot);
      this.applied = Math.max(this.applied, rd.snapshot.metadata.index);
    }
    if (rd.entries.length > 0) this.log.stableTo(rd.entries[rd.entries.length - 1]);
    if (rd.committed.length > 0) this.applied = rd.committed[rd.committed.length - 1].index;
    if (this.role === 'leader' && this.configuration.state.autoLeave && this.pendingConfIndex <= this.applied) {
      // The joint config is applied and asks to be left: as etcd, the leader proposes it.
      this.proposeConfChange({ changes: [] });
    }
    if (this.role === 'leader' && rd.entries.length > 0) {
      // The leader counts its own copy only once it is durable.
      this.progress.get(this.id)?.acknowledge(this.log.stableIndex());
      if (this.maybeCommit()) this.afterCommit();
    }
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  // ---- roles -------------------------------------------------------------

  private becomeFollower(term: number, lead: NodeId): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.role = 'follower';
    this.lead = lead;
    this.resetRoleState();
  }

  /** Like a candidate, but in the current term and without a vote of its own: it only asks. */
  private becomePreCandidate(): void {
    this.role = 'preCandidate';
    this.lead = NONE;
    this.resetRoleState();
    this.votes.set(this.id, true);
  }

  private becomeCandidate(): void {
    this.term++;
    this.vote = this.id;
    this.role = 'candidate';
    this.lead = NONE;
    this.resetRoleState();
    this.votes.set(this.id, true);
    if (this.voteResult() === 'won') this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.lead = this.id;
    this.resetRoleState();
    const next = this.log.lastIndex() + 1;
    const snapshotRetryRounds = this.snapshotRetryRounds();
    for (const member of this.configuration.members) {
      const progress = new Progress(member, next, this.maxInflight, snapshotRetryRounds);
      if (member === this.id) progress.acknowledge(this.log.stableIndex());
      this.progress.set(member, progress);
    }
    // Whatever conf change may be in the log, none other is taken until it all is applied (etcd).
    this.pendingConfIndex = this.log.lastIndex();
    // §5.4.2: only an entry of the leader's own term can be committed by counting replicas.
    this.appendEntry(null);
    this.broadcastAppend();
  }

  /** Heartbeat answers without an acknowledgement after which a sent snapshot counts as lost: two election timeouts. */
  private snapshotRetryRounds(): number {
    return Math.max(1, Math.ceil((2 * this.config.electionTicks) / this.config.heartbeatTicks));
  }

  private resetRoleState(): void {
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetElectionTimer();
    this.votes.clear();
    this.progress.clear();
    this.readOnly.clear();
    this.deferredReads = [];
    this.transferee = NONE;
  }

  private resetElectionTimer(): void {
    const base = this.config.electionTicks;
    this.randomizedElectionTimeout = base + (this.bugs.fixedElectionTimeout ? 0 : Math.floor(this.config.random() * base));
  }

  // ---- role-specific steps -----------------------------------------------

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        return this.handleAppend(m);
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        return this.handleHeartbeat(m);
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        return this.handleSnapshot(m);
      case 'timeoutNow':
        // A transfer campaign skips PreVote: the leader itself asked for it.
        if (this.isVoter()) this.startElection(true);
        return;
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        // Someone won this term: follow it (§5.2).
        this.becomeFollower(this.term, m.from);
        return this.stepFollower(m);
      case 'voteResp':
        if (this.role === 'candidate') this.handleVoteResponse(m);
        return;
      case 'preVoteResp':
        // A grant counts only for the term this pre-election asks about, not an earlier one's.
        if (this.role === 'preCandidate' && (!m.granted || m.term === this.term + 1)) this.handleVoteResponse(m);
        return;
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'appResp':
        return this.handleAppendResponse(m);
      case 'heartbeatResp':
        return this.handleHeartbeatResponse(m);
    }
  }

  // ---- elections ---------------------------------------------------------

  private startElection(transfer: boolean): void {
    this.becomeCandidate();
    if (this.role === 'leader') return;
    for (const peer of this.otherVoters()) {
      this.send({
        type: 'vote',
        from: this.id,
        to: peer,
        term: this.term,
        lastIndex: this.log.lastIndex(),
        lastTerm: this.log.lastTerm(),
        ...(transfer ? { transfer: true as const } : {}),
      });
    }
  }

  private startPreElection(): void {
    this.becomePreCandidate();
    if (this.voteResult() === 'won') return this.startElection(false);
    for (const peer of this.otherVoters()) {
      this.send({ type: 'preVote', from: this.id, to: peer, term: this.term + 1, lastIndex: this.log.lastIndex(), lastTerm: this.log.lastTerm() });
    }
  }

  private winElection(): void {
    if (this.role === 'preCandidate') this.startElection(false);
    else this.becomeLeader();
  }

  /** etcd's lease: a node that heard from its leader (or leads) within an election timeout. */
  private inLeaderLease(): boolean {
    return this.config.checkQuorum === true && this.lead !== NONE && this.electionElapsed < this.config.electionTicks;
  }

  /** Once per election timeout a leader checks that a majority still answers, and gives up a stalled transfer. */
  private leaderElectionTimeout(): void {
    if (this.config.checkQuorum && !this.hasQuorum(activeSinceLastCheck(this.id, this.configuration.voters(), this.progress))) {
      this.notices.push({ kind: 'stepDown', term: this.term, reason: 'check quorum' });
      return this.becomeFollower(this.term, NONE);
    }
    if (this.transferee !== NONE) this.abandonTransfer('timeout');
  }

  private abandonTransfer(reason: 'timeout' | 'superseded'): void {
    this.notices.push({ kind: 'transfer', phase: 'abandoned', to: this.transferee, term: this.term, reason });
    this.transferee = NONE;
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeoutNow', from: this.id, to, term: this.term });
  }

  private handleVoteRequest(m: VoteRequest | PreVoteRequest): void {
    const preVote = m.type === 'preVote';
    // A pre-vote for a later term binds nothing, so our vote in this term is no obstacle.
    const canVote = this.vote === m.from || (this.vote === NONE && this.lead === NONE) || (preVote && m.term > this.term);
    const granted = canVote && (this.bugs.voteWithoutLogCheck || this.log.isUpToDate(m.lastIndex, m.lastTerm));
    if (preVote) {
      this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: granted ? m.term : this.term, granted });
      return;
    }
    if (granted) {
      this.vote = m.from;
      this.electionElapsed = 0;
    }
    this.send({ type: 'voteResp', from: this.id, to: m.from, term: this.term, granted });
  }

  private handleVoteResponse(m: VoteResponse | PreVoteResponse): void {
    this.votes.set(m.from, m.granted);
    const result = this.voteResult();
    if (result === 'won') this.winElection();
    else if (result === 'lost') this.becomeFollower(this.term, NONE);
  }

  private voteResult(): VoteResult {
    return this.configuration.quorum.voteResult((id) => this.votes.get(id));
  }

  // ---- replication: follower side ----------------------------------------

  private handleAppend(m: AppendRequest): void {
    if (m.prevIndex < this.log.committed) {
      // Everything up to our commit is settled; a stale append must change nothing.
      return this.answerAppend(m.from, this.log.committed, false);
    }
    if (!this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      const hintIndex = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
      return this.answerAppend(m.from, m.prevIndex, true, hintIndex, this.log.termAt(hintIndex));
    }
    const lastNew = m.prevIndex + m.entries.length;
    this.log.appendAfterMatch(m.entries, this.bugs.truncateOnEveryAppend);
    // Entries past lastNew may be a stale tail not yet checked against this leader.
    this.log.commitTo(Math.min(m.commit, this.bugs.uncappedFollowerCommit ? this.log.lastIndex() : lastNew));
    this.answerAppend(m.from, lastNew, false);
  }

  private handleHeartbeat(m: Heartbeat): void {
    // The leader sends min(match, commit), so this index is known to be in our log.
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'heartbeatResp', from: this.id, to: m.from, term: this.term, context: m.context });
  }

  /** An install is answered like an append: with the index the follower's log now reaches. */
  private handleSnapshot(m: SnapshotMessage): void {
    const reached = this.snapshots.receive(this.log, m.snapshot);
    if (this.snapshots.latest === m.snapshot) this.configuration = new Configuration(m.snapshot.metadata.conf);
    this.answerAppend(m.from, reached, false);
  }

  private answerAppend(to: NodeId, index: number, reject: boolean, hintIndex = 0, hintTerm = 0): void {
    this.send({ type: 'appResp', from: this.id, to, term: this.term, index, reject, hintIndex, hintTerm });
  }

  // ---- replication: leader side ------------------------------------------

  private appendEntry(data: string | null, type?: 'conf'): Entry {
    // Ordinary entries carry no `type` at all, so their traces read as they always did.
    const entry: Entry = type ? { index: this.log.lastIndex() + 1, term: this.term, data, type } : { index: this.log.lastIndex() + 1, term: this.term, data };
    this.log.append(entry);
    return entry;
  }

  private handleAppendResponse(m: AppendResponse): void {
    const progress = this.progress.get(m.from);
    if (!progress) return;
    progress.recentActive = true;
    if (m.reject) {
      const probeFrom = m.hintTerm > 0 ? this.log.findConflictByTerm(m.hintIndex, m.hintTerm) : m.hintIndex;
      if (progress.reject(m.index, probeFrom)) this.sendAppend(progress);
      return;
    }
    if (!progress.acknowledge(m.index)) return;
    if (this.maybeCommit()) this.afterCommit();
    else this.sendAppend(progress, false);
    if (m.from === this.transferee && progress.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleHeartbeatResponse(m: HeartbeatResponse): void {
    const progress = this.progress.get(m.from);
    if (!progress) return;
    progress.recentActive = true;
    progress.heard();
    if (progress.match < this.log.lastIndex()) {
      if (progress.isPaused() && progress.state !== 'snapshot') progress.becomeProbe();
      this.sendAppend(progress);
    }
    if (m.context !== '') this.releaseReads(this.readOnly.acknowledge(m.context, m.from, (acks) => this.hasQuorum(acks)));
  }

  private maybeCommit(): boolean {
    const index = this.configuration.quorum.committedIndex((id) => this.progress.get(id)?.match ?? 0);
    if (index === Infinity || index <= this.log.committed || (this.log.termAt(index) !== this.term && !this.bugs.figure8Commit)) return false;
    this.log.commitTo(index);
    return true;
  }

  private afterCommit(): void {
    this.broadcastAppend();
    this.releaseDeferredReads();
  }

  /**
   * Proposals are batched (etcd's raft gets this from its Ready loop): the leader appends each
   * at once but sends the appends for all of them when the driver next asks for a ready, so a
   * burst of proposals goes out in one append per follower, up to the size bounds; a follower
   * forwards a burst in one message.
   */
  private sendBatchedProposals(): void {
    if (this.appendsDue) {
      this.appendsDue = false;
      if (this.role === 'leader') this.broadcastAppend();
    }
    if (this.forwarding.length === 0) return;
    const data = this.forwarding;
    this.forwarding = [];
    // The leader may have changed since: forward to the one known now, or drop (clients retry).
    if (this.role !== 'leader' && this.lead !== NONE) this.send({ type: 'prop', from: this.id, to: this.lead, term: 0, data });
  }

  private broadcastAppend(): void {
    for (const peer of this.peers()) {
      const progress = this.progress.get(peer);
      if (progress) this.sendAppend(progress);
    }
  }

  /** Sends what the follower lacks; an empty append only when `evenIfEmpty` (to carry the commit index or probe). */
  private sendAppend(progress: Progress, evenIfEmpty = true): void {
    if (progress.isPaused()) return;
    const prevIndex = progress.next - 1;
    if (prevIndex < this.log.compactedIndex) return this.sendSnapshot(progress);
    const entries = this.log.slice(progress.next, this.log.lastIndex(), this.maxEntriesPerAppend, this.maxBytesPerAppend);
    if (entries.length === 0 && !evenIfEmpty) return;
    this.send({
      type: 'app',
      from: this.id,
      to: progress.id,
      term: this.term,
      prevIndex,
      prevTerm: this.log.termAt(prevIndex),
      entries,
      commit: this.log.committed,
    });
    progress.sent(prevIndex + entries.length, entries.length > 0);
  }

  /** The follower needs entries this leader compacted: it gets the newest snapshot instead. */
  private sendSnapshot(progress: Progress): void {
    const snapshot = this.snapshots.latest;
    if (!snapshot) throw new Error(`node ${this.id} compacted up to ${this.log.compactedIndex} without a snapshot`);
    this.send({ type: 'snap', from: this.id, to: progress.id, term: this.term, snapshot });
    progress.becomeSnapshot(snapshot.metadata.index);
  }

  private broadcastHeartbeat(): void {
    const context = this.readOnly.lastContext();
    for (const peer of this.peers()) {
      const progress = this.progress.get(peer);
      // A heartbeat vouches for no entries: what the follower may commit is capped at its match.
      const commit = this.bugs.uncappedFollowerCommit ? this.log.committed : Math.min(progress?.match ?? 0, this.log.committed);
      this.send({ type: 'heartbeat', from: this.id, to: peer, term: this.term, commit, context });
    }
  }

  // ---- linearizable reads ------------------------------------------------

  private handleReadIndex(context: string, requester: NodeId): void {
    if (this.log.termAt(this.log.committed) !== this.term && !this.bugs.earlyReadIndex) {
      // A new leader does not yet know the full commit index (§6.4): wait for its first commit.
      this.deferredReads.push({ context, requester });
      return;
    }
    this.readOnly.add(context, this.log.committed, requester, this.id);
    // A lease read skips the heartbeat round: CheckQuorum would have deposed a leader without a majority.
    if (this.hasQuorum(new Set([this.id])) || this.config.readMode === 'lease') this.releaseReads(this.readOnly.drain());
    else this.broadcastHeartbeat();
  }

  private releaseDeferredReads(): void {
    const deferred = this.deferredReads;
    this.deferredReads = [];
    for (const read of deferred) this.handleReadIndex(read.context, read.requester);
  }

  private releaseReads(reads: readonly { context: string; index: number; requester: NodeId }[]): void {
    for (const read of reads) {
      if (read.requester === this.id) this.readStates.push({ index: read.index, context: read.context });
      else {
        this.send({
          type: 'readIndexResp',
          from: this.id,
          to: read.requester,
          term: this.term,
          context: read.context,
          index: read.index,
        });
      }
    }
  }

  // ---- helpers -----------------------------------------------------------

  private answerStaleTerm(m: Message): void {
    // Tell a stale leader or candidate about the newer term so it steps down (§5.1).
    if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') this.answerAppend(m.from, 0, true);
    else if (m.type === 'vote') {
      this.send({ type: 'voteResp', from: this.id, to: m.from, term: this.term, granted: false });
    } else if (m.type === 'preVote') {
      this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: this.term, granted: false });
    }
  }

  /** Everyone the leader sends the log and heartbeats to: voters and learners. */
  private peers(): NodeId[] {
    return this.configuration.members.filter((member) => member !== this.id);
  }

  /** Whom to ask for votes: every voter of the config in force (of both halves when joint) but this node. */
  private otherVoters(): NodeId[] {
    return this.configuration.voters().filter((voter) => voter !== this.id);
  }

  /** Learners and nodes outside the config never campaign. */
  private isVoter(): boolean {
    return this.configuration.isVoter(this.id);
  }

  private hasQuorum(acks: ReadonlySet<NodeId>): boolean {
    return this.configuration.quorum.voteResult((id) => (acks.has(id) ? true : undefined)) === 'won';
  }

  /**
   * The leader's side of a new config: progress for newcomers, none for the removed, and
   * a leader that is no voter any more steps down (etcd's StepDownOnRemoval). It led
   * until now, so the change that removed it is committed and applied.
   */
  private leaderSwitchConf(): void {
    if (!this.isVoter()) return this.becomeFollower(this.term, NONE);
    const next = this.log.lastIndex() + 1;
    for (const id of [...this.progress.keys()]) if (!this.configuration.isMember(id)) this.progress.delete(id);
    for (const member of this.configuration.members) {
      if (!this.progress.has(member)) this.progress.set(member, new Progress(member, next, this.maxInflight, this.snapshotRetryRounds()));
    }
    // Leaving joint, or losing a lagging voter, may let more entries commit at once.
    if (this.maybeCommit()) this.afterCommit();
    else this.broadcastAppend();
  }

  private hardStateChanged(): boolean {
    const p = this.persisted;
    return p.term !== this.term || p.vote !== this.vote || p.commit !== this.log.committed;
  }

  private send(m: Message): void {
    this.outbox.push(m);
  }
}
