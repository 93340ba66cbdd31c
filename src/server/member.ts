import { randomInt } from 'node:crypto';
import type { KvReply, KvRequest } from '../kv/protocol.js';
import { KvService, type RaftAccess } from '../kv/service.js';
import { RaftNode } from '../raft/node.js';
import type { Message, NodeId, Ready } from '../raft/types.js';
import type { Wal, WalState } from './wal.js';

/** A request that got no answer in time: it may or may not have taken effect. */
export type MemberReply = KvReply | { readonly kind: 'timeout' };

export interface MemberOptions {
  readonly id: NodeId;
  readonly voters: readonly NodeId[];
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly wal: Wal;
  readonly restored: WalState;
  /** Hands messages to the peer transport; called only after the WAL is synced. */
  readonly send: (messages: readonly Message[]) => void;
  /** Told whenever the leader this member knows changes (0: none), for the log. */
  readonly onLeaderChange?: (leader: NodeId, term: number) => void;
}

/** Counters for /metrics. */
export interface MemberCounters {
  leaderChanges: number;
  applied: number;
  proposals: number;
  messagesSent: number;
  messagesReceived: number;
  readies: number;
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
  readonly counters: MemberCounters = { leaderChanges: 0, applied: 0, proposals: 0, messagesSent: 0, messagesReceived: 0, readies: 0 };
  private readonly handlers = new Map<number, ReplyHandler>();
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
    // Replays the committed log into the fresh store before any client is served.
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
      // A member never compacts and its peers' parser refuses 'snap' messages, so no
      // snapshot can be installed here; were one to arrive, the WAL could not keep it.
      if (rd.snapshot) throw new Error('member received a snapshot, which the server does not support yet');
      this.counters.readies++;
      const wal = this.options.wal;
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
    for (const entry of rd.committed) this.service.apply(entry);
    this.counters.applied += rd.committed.length;
    for (const read of rd.readStates) this.service.onReadState(read);
    this.node.advance(rd);
  }
}
