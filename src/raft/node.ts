import type { BugSwitches } from '../bugs.js';
import {
  checkElectionOptions,
  isDisruptiveCampaign,
  keepsOwnTerm,
  quorumActiveSinceLastCheck,
  type ElectionNotice,
  type ElectionOptions,
} from './election.js';
import { RaftLog } from './log.js';
import { Progress, quorumIndex } from './progress.js';
import { ReadOnlyQueue } from './read-only.js';
import { NONE } from './types.js';
import type {
  AppendRequest,
  AppendResponse,
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
  VoteRequest,
  VoteResponse,
} from './types.js';

export interface RaftConfig extends ElectionOptions {
  readonly id: NodeId;
  /** Every voter, this node included. */
  readonly voters: readonly NodeId[];
  /** Base election timeout; each term draws a timeout in [electionTicks, 2·electionTicks − 1]. */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  /** This node's own random stream, in [0, 1); the host owns the seed. */
  readonly random: () => number;
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  /** What the node's storage held when it (re)started. */
  readonly restored?: { readonly hardState: HardState; readonly entries: readonly Entry[] };
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
  readonly voters: readonly NodeId[];
  term: number;
  vote: NodeId;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  applied = 0;

  private readonly config: RaftConfig;
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  private votes = new Map<NodeId, boolean>();
  private progress = new Map<NodeId, Progress>();
  private readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests that arrive before the leader has committed an entry of its term. */
  private deferredReads: { context: string; requester: NodeId }[] = [];
  private outbox: Message[] = [];
  /** The voter a leadership transfer hands over to, or NONE; proposals wait while one is pending. */
  private transferee: NodeId = NONE;
  private notices: ElectionNotice[] = [];
  private readStates: ReadState[] = [];
  private persisted: HardState;
  private readonly maxEntriesPerAppend: number;
  private readonly maxInflight: number;
  private readonly bugs: BugSwitches;

  constructor(config: RaftConfig) {
    checkElectionOptions(config);
    this.config = config;
    this.id = config.id;
    this.voters = config.voters.slice().sort((a, b) => a - b);
    const hardState = config.restored?.hardState ?? EMPTY_HARD_STATE;
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.log = new RaftLog(config.restored?.entries ?? [], hardState.commit);
    this.persisted = hardState;
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? 64;
    this.maxInflight = config.maxInflight ?? 64;
    this.bugs = config.bugs ?? {};
    this.resetElectionTimer();
  }

  get commit(): number {
    return this.log.committed;
  }

  quorum(): number {
    return Math.floor(this.voters.length / 2) + 1;
  }

  /** The leader's view of a follower, for observers such as the trace and the viewer. */
  progressOf(peer: NodeId): { readonly match: number; readonly next: number } | undefined {
    return this.progress.get(peer);
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
    if (this.role !== 'leader' || target === this.id || !this.voters.includes(target) || target === this.transferee) return;
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
      this.broadcastAppend();
      return { kind: 'appended', index: entry.index, term: entry.term };
    }
    if (this.lead === NONE) return { kind: 'dropped', reason: 'no leader' };
    this.send({ type: 'prop', from: this.id, to: this.lead, term: 0, data: [data] });
    return { kind: 'forwarded', leader: this.lead };
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
    if (m.term > this.term) {
      // Within a live leader's lease a campaign is ignored outright: no answer, no new term.
      if (isDisruptiveCampaign(m) && this.inLeaderLease()) return;
      if (!keepsOwnTerm(m)) {
        const leader = m.type === 'app' || m.type === 'heartbeat' ? m.from : NONE;
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
        this.broadcastAppend();
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
      this.outbox.length > 0 ||
      this.readStates.length > 0 ||
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
    const entries = this.log.unstableEntries();
    const hardState = this.hardStateChanged() ? this.hardState() : null;
    const termOrVoteChanged =
      hardState !== null && (hardState.term !== this.persisted.term || hardState.vote !== this.persisted.vote);
    const messages = this.outbox;
    const readStates = this.readStates;
    this.outbox = [];
    this.readStates = [];
    return {
      hardState,
      entries,
      mustSync: (entries.length > 0 && !this.bugs.ackBeforeSync) || (termOrVoteChanged && !this.bugs.voteBeforePersist),
      messages,
      committed: this.log.slice(this.applied + 1, this.log.committed),
      readStates,
    };
  }

  /** The driver has persisted, sent and applied everything in `rd`. */
  advance(rd: Ready): void {
    if (rd.hardState) this.persisted = rd.hardState;
    if (rd.entries.length > 0) this.log.stableTo(rd.entries[rd.entries.length - 1]);
    if (rd.committed.length > 0) this.applied = rd.committed[rd.committed.length - 1].index;
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
    if (this.tally().granted >= this.quorum()) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.lead = this.id;
    this.resetRoleState();
    const next = this.log.lastIndex() + 1;
    for (const voter of this.voters) {
      const progress = new Progress(voter, next, this.maxInflight);
      if (voter === this.id) progress.acknowledge(this.log.stableIndex());
      this.progress.set(voter, progress);
    }
    // §5.4.2: only an entry of the leader's own term can be committed by counting replicas.
    this.appendEntry(null);
    this.broadcastAppend();
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
    for (const peer of this.peers()) {
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
    if (this.tally().granted >= this.quorum()) return this.startElection(false);
    for (const peer of this.peers()) {
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
    if (this.config.checkQuorum && !quorumActiveSinceLastCheck(this.id, this.voters, this.progress)) {
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
    const { granted, rejected } = this.tally();
    if (granted >= this.quorum()) this.winElection();
    else if (rejected >= this.quorum()) this.becomeFollower(this.term, NONE);
  }

  private tally(): { granted: number; rejected: number } {
    let granted = 0;
    let rejected = 0;
    for (const voter of this.voters) {
      const vote = this.votes.get(voter);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    return { granted, rejected };
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

  private answerAppend(to: NodeId, index: number, reject: boolean, hintIndex = 0, hintTerm = 0): void {
    this.send({ type: 'appResp', from: this.id, to, term: this.term, index, reject, hintIndex, hintTerm });
  }

  // ---- replication: leader side ------------------------------------------

  private appendEntry(data: string | null): Entry {
    const entry: Entry = { index: this.log.lastIndex() + 1, term: this.term, data };
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
      if (progress.isPaused()) progress.becomeProbe();
      this.sendAppend(progress);
    }
    if (m.context !== '') this.releaseReads(this.readOnly.acknowledge(m.context, m.from, this.quorum()));
  }

  private maybeCommit(): boolean {
    const matches = this.voters.map((voter) => this.progress.get(voter)?.match ?? 0);
    const index = quorumIndex(matches);
    if (index <= this.log.committed || (this.log.termAt(index) !== this.term && !this.bugs.figure8Commit)) return false;
    this.log.commitTo(index);
    return true;
  }

  private afterCommit(): void {
    this.broadcastAppend();
    this.releaseDeferredReads();
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
    const entries = this.log.slice(progress.next, this.log.lastIndex(), this.maxEntriesPerAppend);
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
    if (this.quorum() === 1 || this.config.readMode === 'lease') this.releaseReads(this.readOnly.drain());
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
    if (m.type === 'app' || m.type === 'heartbeat') this.answerAppend(m.from, 0, true);
    else if (m.type === 'vote') {
      this.send({ type: 'voteResp', from: this.id, to: m.from, term: this.term, granted: false });
    } else if (m.type === 'preVote') {
      this.send({ type: 'preVoteResp', from: this.id, to: m.from, term: this.term, granted: false });
    }
  }

  private peers(): NodeId[] {
    return this.voters.filter((voter) => voter !== this.id);
  }

  private isVoter(): boolean {
    return this.voters.includes(this.id);
  }

  private hardStateChanged(): boolean {
    const p = this.persisted;
    return p.term !== this.term || p.vote !== this.vote || p.commit !== this.log.committed;
  }

  private send(m: Message): void {
    this.outbox.push(m);
  }
}
