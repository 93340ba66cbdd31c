import { randomInt } from 'node:crypto';
import type { KvReply, KvRequest } from '../kv/protocol.js';
import { KvService, type RaftAccess } from '../kv/service.js';
import { changeConf, decodeConfChange } from '../raft/membership.js';
import { RaftNode } from '../raft/node.js';
import type { ConfChange, Entry, Message, NodeId, Ready, Snapshot } from '../raft/types.js';
import { snapshotWithTable, splitSnapshot, type MemberTable } from './member-table.js';
import { FSYNC_BUCKETS, Histogram } from './metrics.js';
import type { RestoredState } from './recovery.js';
import type { Snapshotter } from './snap.js';
import type { Wal } from './wal.js';

/** A request that got no answer in time: it may or may not have taken effect. */
export type MemberReply = KvReply | { readonly kind: 'timeout' };

/** How a membership change proposed here ended. */
export type MembershipOutcome =
  | { readonly kind: 'applied' }
  /** Not proposed: this member does not lead (`leader`: the one it knows, 0 for none). */
  | { readonly kind: 'notLeader'; readonly leader: NodeId }
  /** Not proposed, or not taking effect: Raft's rules refuse it (another change not applied yet, say). */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Proposed, but not seen applied in time (or overwritten by a new leader): it may yet take effect, or never. */
  | { readonly kind: 'timeout' };

export interface MemberOptions {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly wal: Wal;
  readonly snapshotter: Snapshotter;
  /** What recovery found: the snapshot the store starts from, and the log after it. */
  readonly restored: RestoredState;
  /** A snapshot is taken once this many entries were applied since the last one (etcd's --snapshot-count). */
  readonly snapshotCount: number;
  /** Entries kept in memory behind a snapshot, so a follower a little behind needs none (etcd's SnapshotCatchUpEntries). */
  readonly snapshotCatchUpEntries: number;
  /** Who the members are; the member keeps it in step with the conf changes it applies. */
  readonly table: MemberTable;
  /** After every applied conf change and every snapshot restored; `removedSelf` when this member is no longer in the table. */
  readonly onMembershipChange?: (removedSelf: boolean) => void;
  /** Hands messages to the peer transport; called only after the WAL is synced. */
  readonly send: (messages: readonly Message[]) => void;
  /** Told whenever the leader this member knows changes (0: none), for the log. */
  readonly onLeaderChange?: (leader: NodeId, term: number) => void;
  /** Lines for the server's log: snapshots taken and installed. */
  readonly log?: (line: string) => void;
}

/** Counters for /metrics. */
export interface MemberCounters {
  leaderChanges: number;
  applied: number;
  proposals: number;
  messagesSent: number;
  messagesReceived: number;
  readies: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
}

type ReplyHandler = (reply: KvReply) => void;

/**
 * One real member: the very RaftNode and KvService the simulator runs, driven the way
 * sim/node-host.ts drives them (persist entries and hard state, fsync, then send, then
 * apply, then advance), but on real time, a real disk and a real network. This is the
 * real driver, outside the deterministic core, so it may use timers and crypto randomness.
 */
export class Member {
  readonly node: RaftNode;
  readonly service: KvService;
  readonly counters: MemberCounters = { leaderChanges: 0, applied: 0, proposals: 0, messagesSent: 0, messagesReceived: 0, readies: 0, snapshotsTaken: 0, snapshotsInstalled: 0 };
  /** How long taking or installing a snapshot held the event loop: encode, write, fsync, WAL rewrite. */
  readonly snapshotSeconds = new Histogram(FSYNC_BUCKETS);
  private readonly handlers = new Map<number, ReplyHandler>();
  /** Membership changes proposed here, by entry index: the term they were proposed in, and who waits. */
  private readonly confWaiters = new Map<number, { readonly term: number; readonly done: (outcome: MembershipOutcome) => void }>();
  private nextRequestId = 1;
  private scheduled = false;
  /** A ready's fsync is in flight; its messages wait for it. */
  private syncing = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private lastLeader: NodeId = 0;
  private readonly options: MemberOptions;

  constructor(options: MemberOptions) {
    this.options = options;
    this.node = new RaftNode({
      id: options.id,
      voters: options.voters,
      electionTicks: options.electionTicks,
      heartbeatTicks: 1,
      // As etcd's server runs its raft: no disruptive rejoins, no leader stranded in a minority.
      preVote: true,
      checkQuorum: true,
      // Election timeouts only need to differ between members; any good source will do.
      random: () => randomInt(0, 2 ** 47) / 2 ** 47,
      restored: options.restored,
      snapshotCatchUpEntries: options.snapshotCatchUpEntries,
    });
    const node = this.node;
    const raft: RaftAccess = {
      id: options.id,
      role: () => node.role,
      term: () => node.term,
      leader: () => node.lead,
      propose: (data) => {
        this.counters.proposals++;
        this.schedule();
        return node.propose(data);
      },
      readIndex: (context) => {
        this.schedule();
        return node.readIndex(context);
      },
    };
    this.service = new KvService({
      raft,
      reply: (_client, requestId, reply) => this.handlers.get(requestId)?.(reply),
      // A monotonic clock: lease expiry must not jump when the wall clock is set.
      now: () => performance.now(),
      // Proposal ids carry the incarnation: an entry proposed before a restart must never
      // be mistaken for one proposed after it, so each boot takes a fresh number.
      incarnation: Date.now(),
    });
    // The store starts from the snapshot; the node hands out only the committed entries after it,
    // which replay into the store before any client is served.
    const snapshot = options.restored.snapshot;
    if (snapshot) this.restoreSnapshot(snapshot);
    this.process();
  }

  /** Starts ticking. setInterval is fine here: this is the real driver, not the simulation. */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.tickMs);
  }

  /** Stops ticking and taking readies; resolves once no fsync is in flight, so the WAL may close. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    while (this.syncing) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  get id(): NodeId {
    return this.options.id;
  }

  /** Raft messages from a peer, in the order that peer sent them. */
  receive(messages: readonly Message[]): void {
    this.counters.messagesReceived += messages.length;
    for (const message of messages) this.node.step(message);
    this.schedule();
  }

  /** One request, one answer; `timeout` when none came within `timeoutMs`. */
  request(request: KvRequest, timeoutMs: number): Promise<MemberReply> {
    return new Promise((resolve) => {
      const requestId = this.nextRequestId++;
      const timer = setTimeout(() => {
        this.handlers.delete(requestId);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.handlers.set(requestId, (reply) => {
        clearTimeout(timer);
        this.handlers.delete(requestId);
        resolve(reply);
      });
      this.service.handle(0, requestId, request);
      this.schedule();
    });
  }

  /** A watch: every reply goes to `onReply` until the returned function cancels it. */
  watch(request: Extract<KvRequest, { kind: 'watchCreate' }>, onReply: (reply: KvReply) => void): () => void {
    const requestId = this.nextRequestId++;
    let watchId: number | undefined;
    this.handlers.set(requestId, (reply) => {
      if (reply.kind === 'watch') watchId = reply.response.watchId;
      onReply(reply);
    });
    this.service.handle(0, requestId, request);
    return () => {
      this.handlers.delete(requestId);
      if (watchId !== undefined) this.service.handle(0, requestId, { kind: 'watchCancel', watchId });
    };
  }

  /**
   * Proposes a membership change (the leader only) and waits until this member applied it.
   * Raft allows one change in flight at a time; a second is refused until the first applies.
   */
  changeMembership(cc: ConfChange, timeoutMs: number): Promise<MembershipOutcome> {
    const node = this.node;
    if (node.role !== 'leader') return Promise.resolve({ kind: 'notLeader', leader: node.lead });
    const proposed = node.proposeConfChange(cc);
    if (proposed.kind === 'refused') return Promise.resolve({ kind: 'refused', reason: proposed.reason });
    this.schedule();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.confWaiters.delete(proposed.index);
        resolve({ kind: 'timeout' });
      }, timeoutMs);
      this.confWaiters.set(proposed.index, {
        term: proposed.term,
        done: (outcome) => {
          clearTimeout(timer);
          this.confWaiters.delete(proposed.index);
          resolve(outcome);
        },
      });
    });
  }

  private tick(): void {
    this.node.tick();
    this.service.tick();
    this.schedule();
  }

  /**
   * Drains the ready on the next turn of the event loop, so requests and messages that
   * arrive together share one write and one fsync (etcd batches the same way).
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.process());
  }

  /**
   * The ready loop, in sim/node-host.ts's order: persist, sync, send, apply, advance. The
   * fsync runs off the main thread; until it is done and the ready advanced, no new ready
   * is taken (etcd's rule), while steps and proposals keep landing in the node for the next.
   */
  private process(): void {
    this.scheduled = false;
    if (this.syncing || this.stopped) return;
    const node = this.node;
    while (node.hasReady()) {
      const rd = node.ready();
      this.counters.readies++;
      const wal = this.options.wal;
      // The snapshot replaces the stored log, so it is durable, and the WAL reset to start
      // after it, before the entries that follow it are written (and anything is sent).
      if (rd.snapshot) this.persistInstalled(rd.snapshot);
      wal.appendEntries(rd.entries);
      if (rd.hardState) wal.appendHardState(rd.hardState);
      wal.write();
      if (rd.mustSync) {
        this.syncing = true;
        wal.sync((error) => {
          // Like etcd, a member whose disk fails stops rather than acknowledge what is not on it.
          if (error) throw new Error(`fsync of ${wal.file} failed: ${error.message}`);
          this.syncing = false;
          if (this.stopped) return;
          this.finish(rd);
          this.process();
        });
        return;
      }
      this.finish(rd);
    }
    if (node.lead !== this.lastLeader) {
      if (node.lead !== 0) this.counters.leaderChanges++;
      this.lastLeader = node.lead;
      this.options.onLeaderChange?.(node.lead, node.term);
    }
  }

  /** After the ready's writes are durable: send its messages, apply its entries, advance. */
  private finish(rd: Ready): void {
    if (rd.messages.length > 0) {
      this.counters.messagesSent += rd.messages.length;
      this.options.send(rd.messages);
    }
    if (rd.snapshot) {
      this.restoreSnapshot(rd.snapshot);
      this.counters.snapshotsInstalled++;
    }
    for (const entry of rd.committed) {
      if (entry.type === 'conf') this.applyConfChange(entry);
      this.service.apply(entry);
    }
    this.counters.applied += rd.committed.length;
    for (const read of rd.readStates) this.service.onReadState(read);
    this.node.advance(rd);
    this.maybeSnapshot();
  }

  /** The store and the member table start from a snapshot (its own on boot, or the leader's). */
  private restoreSnapshot(snapshot: Snapshot): void {
    const { table, store } = splitSnapshot(snapshot.data);
    this.service.restore(store, snapshot.metadata.index);
    if (!table) return;
    this.options.table.replace(table);
    // The members may differ from those the server last heard of: it must send to the new ones.
    this.options.onMembershipChange?.(this.options.table.wasRemoved(this.id));
  }

  /**
   * A committed conf entry takes effect as it is applied, on the node and in the member
   * table; a change Raft's rules refuse now (they are checked again on apply) changes neither.
   */
  private applyConfChange(entry: Entry): void {
    const cc = decodeConfChange(entry);
    const allowed = !('error' in changeConf(this.node.confState(), cc));
    this.node.applyConfChange(cc);
    this.options.table.apply(cc, allowed);
    const waiter = this.confWaiters.get(entry.index);
    // An entry of another term at that index means a new leader overwrote the proposal.
    if (waiter) waiter.done(waiter.term === entry.term ? (allowed ? { kind: 'applied' } : { kind: 'refused', reason: 'refused when applied' }) : { kind: 'timeout' });
    const removedSelf = allowed && cc.changes.some((change) => change.type === 'remove' && change.node === this.id);
    this.options.onMembershipChange?.(removedSelf);
  }

  /** A leader's snapshot, before anything of its ready is sent: saved, older files purged, the WAL reset. */
  private persistInstalled(snapshot: Snapshot): void {
    const started = performance.now();
    const { path, bytes } = this.options.snapshotter.save(snapshot);
    this.options.wal.resetTo(snapshot.metadata.index, snapshot.metadata.term);
    this.options.snapshotter.purge();
    this.snapshotSeconds.observe((performance.now() - started) / 1000);
    this.options.log?.(`installed the leader's snapshot at index ${snapshot.metadata.index} (term ${snapshot.metadata.term}, ${bytes} bytes) as ${path}`);
  }

  /**
   * Every `snapshotCount` applied entries: the store's snapshot, the node's compaction, the
   * file, then the WAL rewritten to start after the previous snapshot, not this one, so both
   * kept files can start the member (a damaged newest one falls back to the other). The file
   * is durable before the WAL drops anything, as etcd saves the snapshot before it releases
   * the WAL: a crash in between loses nothing. It runs on the event loop (etcd takes it in
   * the background from a copy-on-write store); --snapshot-count bounds how often.
   */
  private maybeSnapshot(): void {
    const node = this.node;
    const previous = node.latestSnapshot()?.metadata;
    if (node.applied - (previous?.index ?? 0) < this.options.snapshotCount) return;
    const started = performance.now();
    const snapshot = node.compact(node.applied, snapshotWithTable(this.options.table.state(), this.service.snapshot()));
    const { path, bytes } = this.options.snapshotter.save(snapshot);
    if (previous) this.options.wal.compactTo(previous.index, previous.term);
    this.options.snapshotter.purge();
    this.counters.snapshotsTaken++;
    const ms = performance.now() - started;
    this.snapshotSeconds.observe(ms / 1000);
    this.options.log?.(
      `snapshot at index ${snapshot.metadata.index} (${bytes} bytes) saved as ${path} in ${ms.toFixed(0)} ms; ` +
        `the log keeps ${this.options.wal.entryCount} entries on disk, ${node.log.lastIndex() - node.log.compactedIndex} in memory`,
    );
  }
}
