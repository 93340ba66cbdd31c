import { decodeConfChange } from '../src/raft/membership.js';
import { RaftNode } from '../src/raft/node.js';
import type { ProgressState } from '../src/raft/progress.js';
import type { RaftAccess } from '../src/kv/service.js';
import type { Entry, Message, NodeId, Ready, Role, Snapshot } from '../src/raft/types.js';
import { SimDisk } from './disk.js';
import type { HostContext, HostOptions, StateMachine } from './host-parts.js';
import type { ClientRequestPacket } from './packets.js';
import type { UnsyncedFate } from './scenario.js';

export type { HostContext, HostOptions, StateMachine } from './host-parts.js';

export type NodeStatus = 'up' | 'crashed' | 'paused';

/**
 * One simulated server: a Raft node, its disk and its state machine, driven through
 * the ready/advance handshake. It persists and syncs before it sends, as a real server must.
 */
export class NodeHost {
  readonly id: NodeId;
  readonly disk = new SimDisk();
  status: NodeStatus = 'up';
  /** Down because its process was killed, not its machine: connections to it are refused. */
  killed = false;
  node: RaftNode;
  stateMachine: StateMachine;
  /** Messages that arrived while paused, handled in order on resume. */
  private inbox: (Message | ClientRequestPacket)[] = [];
  /** A ready held back until its slow sync completes (then `done`), or null. */
  private syncing: { readonly ready: Ready; done: boolean } | null = null;
  private syncMs = 0;
  private incarnation = 0;
  /** The node as the state machine sees it; always the current incarnation's node. */
  private readonly raftAccess: RaftAccess;
  private seen: { role: Role; term: number; vote: NodeId; lead: NodeId; commit: number };
  /** The role and term the simulation last heard of (see HostContext.leadershipMayHaveChanged). */
  private announcedRole: Role = 'follower';
  private announcedTerm = 0;
  private readonly reportedProgress = new Map<NodeId, number>();
  private readonly reportedState = new Map<NodeId, ProgressState>();

  constructor(
    private readonly options: HostOptions,
    private readonly ctx: HostContext,
  ) {
    this.id = options.id;
    this.node = this.boot();
    this.raftAccess = {
      id: this.id,
      role: () => this.node.role,
      term: () => this.node.term,
      leader: () => this.node.lead,
      propose: (data) => this.node.propose(data),
      readIndex: (context) => this.node.readIndex(context),
    };
    this.stateMachine = options.makeStateMachine(this.raftAccess, this.incarnation);
    this.seen = this.snapshotState();
  }

  get isUp(): boolean {
    return this.status === 'up';
  }

  tick(): void {
    // A node blocked in a slow sync does not tick, as etcd's raft loop does not.
    if (this.status !== 'up' || this.syncing) return;
    const role = this.node.role;
    const fired = this.node.tick();
    if (!isCampaigning(role) && isCampaigning(this.node.role) && this.ctx.trace.enabled) {
      this.ctx.trace.record({ t: this.ctx.now(), k: 'timeout', node: this.id, term: this.node.term });
    }
    if (this.stateMachine.tick) this.stateMachine.tick();
    // A tick that only counted left nothing to drain (the last event drained everything).
    else if (!fired) return;
    this.process();
  }

  receive(packet: Message | ClientRequestPacket): void {
    if (this.status === 'paused' || this.syncing) {
      this.inbox.push(packet);
      return;
    }
    if (packet.type === 'kvReq') this.stateMachine.handle?.(packet.from, packet.requestId, packet.request);
    else this.node.step(packet);
    this.process();
  }

  /** Runs `action` against the live node, then drains its ready. */
  act<T>(action: (node: RaftNode) => T): T {
    const result = action(this.node);
    this.process();
    return result;
  }

  /** Volatile state is gone; of the unsynced writes, what `fate` says survives (see SimDisk.crash). */
  crash(fate: UnsyncedFate = 'lose', keep = 0): void {
    const { lost, kept, torn } = this.disk.crash(fate, keep);
    this.goDown(false, { lostWrites: lost, ...(fate === 'lose' ? {} : { keptWrites: kept, torn }) });
  }

  /**
   * The process dies and its machine stays up (kill -9): everything it wrote is in the
   * operating system's hands, synced or not, so every write survives.
   */
  kill(): void {
    const { kept } = this.disk.crash('keep-some', Infinity);
    this.goDown(true, { lostWrites: 0, keptWrites: kept, torn: false, killed: true });
  }

  private goDown(killed: boolean, writes: { lostWrites: number; keptWrites?: number; torn?: boolean; killed?: boolean }): void {
    this.syncing = null;
    this.status = 'crashed';
    this.killed = killed;
    this.inbox = [];
    this.ctx.leadershipMayHaveChanged();
    this.ctx.invariants.onCrash(this.id, this.disk);
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'crash', node: this.id, ...writes });
  }

  restart(): void {
    this.node = this.boot();
    this.stateMachine = this.options.makeStateMachine(this.raftAccess, ++this.incarnation);
    const snapshot = this.node.latestSnapshot();
    if (snapshot) {
      // The node hands out only entries after its snapshot: the state machine starts from it.
      this.ctx.invariants.onSnapshot(this.id, snapshot.metadata, true);
      this.stateMachine.restore(snapshot.data, snapshot.metadata.index);
    }
    this.status = 'up';
    this.killed = false;
    const { term, vote, commit } = this.node.hardState();
    if (this.ctx.trace.enabled) {
      this.ctx.trace.record({ t: this.ctx.now(), k: 'restart', node: this.id, term, vote, commit, lastIndex: this.node.log.lastIndex() });
    }
    this.seen = this.snapshotState();
    this.ctx.leadershipMayHaveChanged();
    this.ctx.invariants.onCommit(this.id, commit, term, this.node.log, this.node.confState());
    if (this.options.bugs?.reapplyAfterRestart) this.replayCommittedLog();
    this.process();
  }

  pause(): void {
    this.status = 'paused';
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'pause', node: this.id });
  }

  resume(): void {
    this.status = 'up';
    const queued = this.inbox;
    this.inbox = [];
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'resume', node: this.id, queued: queued.length });
    if (this.syncing?.done) return this.finishSync();
    this.deliverQueued(queued);
  }

  get syncDelay(): number {
    return this.syncMs;
  }

  /** How long each sync takes from now on; 0 is an instant disk. */
  setSyncDelay(syncMs: number): void {
    this.syncMs = syncMs;
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'disk', node: this.id, syncMs });
  }

  private deliverQueued(queued: (Message | ClientRequestPacket)[]): void {
    for (let i = 0; i < queued.length; i++) {
      if (this.status !== 'up' || this.syncing) {
        this.inbox.push(...queued.slice(i));
        return;
      }
      this.receive(queued[i]);
    }
  }

  /** The slow sync is done: the ready it held back goes on, then what queued meanwhile. */
  private finishSync(): void {
    const syncing = this.syncing;
    if (!syncing) return;
    this.syncing = null;
    this.disk.sync();
    this.completeReady(syncing.ready);
    this.process();
    const queued = this.inbox;
    this.inbox = [];
    this.deliverQueued(queued);
  }

  private boot(): RaftNode {
    const { id, voters, electionTicks, heartbeatTicks, timers, bugs, maxEntriesPerAppend, maxInflight, maxBytesPerAppend, maxUncommittedBytes, snapshotCatchUpEntries, preVote, checkQuorum, readMode } = this.options;
    return new RaftNode({
      id,
      voters,
      electionTicks,
      heartbeatTicks,
      maxEntriesPerAppend,
      maxInflight,
      maxBytesPerAppend,
      maxUncommittedBytes,
      snapshotCatchUpEntries,
      random: timers.asFunction(),
      restored: this.disk.read(),
      bugs,
      preVote,
      checkQuorum,
      readMode,
    });
  }

  /**
   * The planted bug `reapply-after-restart`: the host replays the committed log it booted
   * with into the fresh state machine without telling Raft, which then hands the same
   * entries out again (etcd's raft avoids this through Config.Applied).
   */
  private replayCommittedLog(): void {
    for (const entry of this.node.log.slice(this.node.log.firstIndex(), this.node.commit)) {
      this.ctx.invariants.onApply(this.id, entry);
      this.stateMachine.apply(entry);
    }
  }

  /** The ready loop: persist, sync, send, apply, advance; then report what changed. */
  private process(): void {
    const node = this.node;
    while (!this.syncing && node.hasReady()) {
      const rd = node.ready();
      // The snapshot replaces the stored log, so it goes before the entries that follow it.
      if (rd.snapshot) this.disk.writeSnapshot(rd.snapshot, true);
      if (rd.entries.length > 0) {
        this.disk.writeEntries(rd.entries);
        this.ctx.invariants.onAppend(this.id, rd.entries, node.log, node.role === 'leader' ? node.term : 0);
        if (this.ctx.trace.enabled) {
          this.ctx.trace.record({ t: this.ctx.now(), k: 'append', node: this.id, from: rd.entries[0].index, terms: rd.entries.map((e) => e.term) });
        }
      }
      if (rd.hardState) this.disk.writeHardState(rd.hardState);
      if (rd.mustSync && this.syncMs > 0) {
        // Nothing of this ready may leave before its writes are durable.
        this.waitForSync(rd);
        return this.announceLeadership();
      }
      if (rd.mustSync) this.disk.sync();
      this.completeReady(rd);
    }
    this.reportStateChange();
    this.announceLeadership();
  }

  /** Every step, tick and action ends here: the simulation rescans for the leader only when a role or term moved. */
  private announceLeadership(): void {
    const node = this.node;
    if (node.role === this.announcedRole && node.term === this.announcedTerm) return;
    this.announcedRole = node.role;
    this.announcedTerm = node.term;
    this.ctx.leadershipMayHaveChanged();
  }

  private waitForSync(ready: Ready): void {
    const syncing = { ready, done: false };
    this.syncing = syncing;
    this.ctx.schedule(this.syncMs, () => {
      if (this.syncing !== syncing) return; // crashed meanwhile: the writes were lost
      syncing.done = true;
      if (this.status === 'up') this.finishSync();
    });
  }

  /** Send, apply, advance: what a ready asks once its writes are durable. */
  private completeReady(rd: Ready): void {
    const node = this.node;
    this.reportStateChange();
    for (const message of rd.messages) this.ctx.send(message);
    if (rd.snapshot) this.installSnapshot(rd.snapshot);
    for (const entry of rd.committed) {
      this.ctx.invariants.onApply(this.id, entry);
      if (entry.type === 'conf') this.applyConfChange(entry);
      this.stateMachine.apply(entry);
    }
    if (rd.committed.length > 0 && this.ctx.trace.enabled) {
      this.ctx.trace.record({ t: this.ctx.now(), k: 'apply', node: this.id, from: rd.committed[0].index, to: rd.committed[rd.committed.length - 1].index });
    }
    for (const read of rd.readStates) this.stateMachine.onReadState?.(read);
    node.advance(rd);
    this.maybeCompact();
  }

  private installSnapshot(snapshot: Snapshot): void {
    const { index } = snapshot.metadata;
    this.ctx.invariants.onSnapshot(this.id, snapshot.metadata, true);
    this.stateMachine.restore(snapshot.data, index);
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'installSnapshot', node: this.id, from: this.node.lead, index });
  }

  /**
   * Every `snapshotEntries` applied entries the state machine is snapshotted and the log
   * compacted. The snapshot is written before the entries it covers are dropped, as etcd
   * saves the snapshot before it releases the WAL: a crash in between loses nothing.
   */
  private maybeCompact(): void {
    const every = this.options.snapshotEntries ?? 0;
    const node = this.node;
    if (every === 0 || node.applied - (node.latestSnapshot()?.metadata.index ?? 0) < every) return;
    const snapshot = node.compact(node.applied, this.stateMachine.snapshot());
    this.ctx.invariants.onSnapshot(this.id, snapshot.metadata, false);
    this.disk.writeSnapshot(snapshot, false);
    this.disk.compact(node.log.compactedIndex);
    if (this.ctx.trace.enabled) {
      this.ctx.trace.record({ t: this.ctx.now(), k: 'snapshot', node: this.id, index: snapshot.metadata.index, term: snapshot.metadata.term });
    }
  }

  /** A committed conf entry takes effect on the node as it is applied (the state machine skips it). */
  private applyConfChange(entry: Entry): void {
    const before = this.node.confState();
    const conf = this.node.applyConfChange(decodeConfChange(entry));
    this.ctx.invariants.onConfApplied(this.id, entry.index, before, conf);
    if (this.ctx.trace.enabled) this.ctx.trace.record({ t: this.ctx.now(), k: 'conf', node: this.id, index: entry.index, conf });
  }

  private reportStateChange(): void {
    const node = this.node;
    const seen = this.seen;
    const tracing = this.ctx.trace.enabled;
    const { role, term, vote, lead, commit } = node;
    this.reportNotices();
    if (role !== seen.role || term !== seen.term || vote !== seen.vote || lead !== seen.lead) {
      if (tracing) this.ctx.trace.record({ t: this.ctx.now(), k: 'state', node: this.id, role, term, vote, lead });
      if (role === 'leader' && (seen.role !== 'leader' || seen.term !== term)) {
        this.ctx.invariants.onBecomeLeader(this.id, term, node.log);
        if (tracing) this.ctx.transfers.leaderElected(this.id, term);
      }
    }
    if (role === 'leader' && tracing) this.reportProgress(this.ctx.now());
    if (commit !== seen.commit) {
      if (role === 'leader' && seen.role === 'leader') {
        const durablyHolds = this.ctx.durablyHolds;
        this.ctx.invariants.onLeaderCommit(this.id, commit, term, node.log, durablyHolds && { conf: node.confState(), durablyHolds });
      }
      this.ctx.invariants.onCommit(this.id, commit, term, node.log, node.confState());
      if (tracing) this.ctx.trace.record({ t: this.ctx.now(), k: 'commit', node: this.id, index: commit });
    }
    seen.role = role;
    seen.term = term;
    seen.vote = vote;
    seen.lead = lead;
    seen.commit = commit;
  }

  /** What the node noticed that its state does not show: transfers begun or given up, CheckQuorum step-downs. */
  private reportNotices(): void {
    const notices = this.node.takeNotices();
    if (notices.length === 0 || !this.ctx.trace.enabled) return;
    const now = this.ctx.now();
    for (const notice of notices) {
      if (notice.kind === 'stepDown') {
        this.ctx.trace.record({ t: now, k: 'stepDown', node: this.id, term: notice.term, reason: notice.reason });
      } else if (notice.phase === 'started') this.ctx.transfers.started(this.id, notice.to, notice.term);
      else this.ctx.transfers.abandoned(this.id, notice.to, notice.term, notice.reason);
    }
  }

  /** The leader's match and next index per follower (voter or learner), whenever they move (for the viewer). */
  private reportProgress(now: number): void {
    for (const peer of this.node.members()) {
      if (peer === this.id) continue;
      const progress = this.node.progressOf(peer);
      if (!progress) continue;
      this.reportProgressState(now, peer, progress.state, progress.pendingSnapshot);
      const key = progress.match * 0x100000 + progress.next;
      if (this.reportedProgress.get(peer) === key) continue;
      this.reportedProgress.set(peer, key);
      this.ctx.trace.record({ t: now, k: 'progress', node: this.id, peer, match: progress.match, next: progress.next });
    }
  }

  /**
   * Progress state changes into and out of `snapshot`. Probe and replicate alone are not
   * recorded: that would add events to every run and move the pinned trace hashes.
   */
  private reportProgressState(now: number, peer: NodeId, state: ProgressState, pendingSnapshot: number): void {
    const before = this.reportedState.get(peer) ?? 'probe';
    if (before === state) return;
    this.reportedState.set(peer, state);
    if (before !== 'snapshot' && state !== 'snapshot') return;
    this.ctx.trace.record({ t: now, k: 'progressState', node: this.id, peer, state, ...(state === 'snapshot' ? { pendingSnapshot } : {}) });
  }

  private snapshotState() {
    const node = this.node;
    return { role: node.role, term: node.term, vote: node.vote, lead: node.lead, commit: node.commit };
  }
}

function isCampaigning(role: Role): boolean {
  return role === 'candidate' || role === 'preCandidate';
}
