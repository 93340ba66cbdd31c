import type { BugSwitches } from '../bugs.js';
import type { Entry, NodeId, ProposeResult, ReadState, Role } from '../raft/types.js';
import { applyCommand, applyToLessor, decodeCommand, encodeCommand, type KvCommand } from './commands.js';
import { Lessor } from './lessor.js';
import { isWrite, type KvReply, type KvRequest } from './protocol.js';
import { MvccStore } from './store.js';
import type { LeaseId } from './types.js';
import { WatchHub } from './watch.js';

/** What the service needs from its Raft node; the driver keeps the node's ready drained. */
export interface RaftAccess {
  readonly id: NodeId;
  role(): Role;
  term(): number;
  leader(): NodeId;
  propose(data: string): ProposeResult;
  readIndex(context: string): boolean;
}

export interface KvServiceOptions {
  readonly raft: RaftAccess;
  /** Sends a reply (or a watch event) to a client. */
  readonly reply: (client: number, requestId: number, reply: KvReply) => void;
  /** The node's own clock in ms: it decides lease expiry, so a skewed clock skews leases. */
  readonly now: () => number;
  readonly minLeaseTtl?: number;
  /** Counts this node's restarts, so proposal ids never repeat across incarnations. */
  readonly incarnation: number;
  /** Planted defects (src/bugs.ts), all off unless a test or `--bug` switches one on. */
  readonly bugs?: BugSwitches;
}

interface Requester {
  readonly client: number;
  readonly requestId: number;
}

interface PendingRead extends Requester {
  readonly request: KvRequest;
  readonly since: number;
  index: number;
}

const READ_GIVE_UP_MS = 5000;
const PROPOSAL_GIVE_UP_MS = 30_000;
const REVOKE_RETRY_MS = 1000;

/**
 * The etcd server layer on one node: it turns client requests into Raft proposals or
 * ReadIndex reads, applies committed entries to the MVCC store, answers the client
 * whose proposal this node made, runs the leader's lessor, and streams watches.
 * Volatile: a crash loses it, and a restart rebuilds the store from the node's snapshot,
 * if any, and by replaying the log after it.
 */
export class KvService {
  readonly store: MvccStore;
  private readonly watches: WatchHub;
  private readonly lessor = new Lessor();
  private readonly raft: RaftAccess;
  private readonly options: KvServiceOptions;
  /** Proposal id (written into the entry) → who is waiting for its result, since when, and what was proposed. */
  private readonly waiting = new Map<string, Requester & { readonly since: number; readonly command: KvCommand }>();
  private readonly reads = new Map<string, PendingRead>();
  private readonly revoking = new Map<LeaseId, number>();
  private readonly watchOwners = new Map<number, Requester>();
  private sequence = 0;
  private wasLeader = false;
  appliedIndex = 0;
  /** When (on this node's clock) each lease's revocation was applied here. */
  readonly leaseRevokedAt = new Map<LeaseId, number>();

  constructor(options: KvServiceOptions) {
    this.options = options;
    this.raft = options.raft;
    this.store = new MvccStore({ minTtl: options.minLeaseTtl ?? 1, bugs: options.bugs });
    this.watches = new WatchHub(this.store);
  }

  handle(client: number, requestId: number, request: KvRequest): void {
    this.noticeLeadership();
    const from: Requester = { client, requestId };
    if (isWrite(request)) return this.propose(from, this.toCommand(request));
    switch (request.kind) {
      case 'range':
        if (request.serializable || (this.options.bugs?.localLinearizableRead && this.raft.role() === 'leader')) return this.answerRead(from, request);
        return this.startRead(from, request);
      case 'txn':
        return this.startRead(from, request);
      // A leader cut off from the majority must not renew leases that a newer leader
      // will expire on schedule: like a linearizable read, a renewal first confirms
      // leadership through ReadIndex (etcd does the same since 3.5).
      case 'leaseKeepAlive':
      case 'leaseTimeToLive':
        if (this.raft.role() !== 'leader') return this.send(from, { kind: 'notLeader', leader: this.raft.leader() });
        return this.startRead(from, request);
      case 'watchCreate': {
        let seq = 0;
        let lastTerm = this.raft.term();
        const created = this.watches.watch(request.req, (response) => {
          const term = this.raft.term();
          response.header.raftTerm = term;
          const firstAfterTermChange = term !== lastTerm && response.events.length > 0;
          lastTerm = term;
          if (firstAfterTermChange && this.options.bugs?.watchSkipsOnLeaderChange) return;
          this.send(from, { kind: 'watch', seq: seq++, response });
        });
        if (!created.ok) return this.send(from, { kind: 'error', error: created.error });
        this.watchOwners.set(created.watchId, from);
        return;
      }
      case 'watchCancel':
        this.watchOwners.delete(request.watchId);
        this.watches.cancel(request.watchId);
        return;
    }
  }

  /** Applies one committed entry on this replica, and answers its proposer if that was us. */
  apply(entry: Entry): void {
    this.appliedIndex = entry.index;
    // A conf entry is Raft's own business: the driver hands it to the node, not to the store.
    if (entry.data !== null && entry.type !== 'conf') {
      const { id, command } = decodedEntry(entry, entry.data, this.waiting);
      const response = applyCommand(this.store, command, this.raft.term());
      applyToLessor(this.lessor, command, response, this.options.now());
      if (command.op === 'leaseRevoke' && response.ok) {
        this.revoking.delete(command.id);
        this.leaseRevokedAt.set(command.id, this.options.now());
      }
      const requester = this.waiting.get(id);
      if (requester) {
        this.waiting.delete(id);
        this.send(requester, response.ok ? { kind: 'ok', response } : { kind: 'error', error: response.error });
      }
    }
    this.serveReadyReads();
  }

  /** The replicated state as of `appliedIndex`: the MVCC store, whose snapshot includes the leases. */
  snapshot(): string {
    return this.store.snapshot();
  }

  /**
   * Installs a snapshot taken at Raft index `appliedIndex`. The store (and with it the
   * leases) becomes the snapshot's; the lessor, local state derived from the applied log,
   * is reconciled with it; reads waiting for an index the snapshot reaches are served.
   */
  restore(data: string, appliedIndex: number): void {
    this.store.adopt(data);
    this.appliedIndex = appliedIndex;
    const now = this.options.now();
    this.lessor.syncFromStore(this.store, now);
    for (const id of [...this.revoking.keys()]) if (!this.lessor.has(id)) this.revoking.delete(id);
    this.serveReadyReads();
  }

  onReadState(read: ReadState): void {
    const pending = this.reads.get(read.context);
    if (!pending) return;
    pending.index = read.index;
    this.serveReadyReads();
  }

  /** Called on every tick of the node: leases expire here, on the leader only. */
  tick(): void {
    this.noticeLeadership();
    const now = this.options.now();
    if (this.raft.role() === 'leader') {
      for (const id of this.lessor.expired(now)) {
        const since = this.revoking.get(id);
        if (since !== undefined && now - since < REVOKE_RETRY_MS) continue;
        this.revoking.set(id, now);
        this.raft.propose(encodeEntry(this.nextId(), { op: 'leaseRevoke', id }));
      }
    }
    // Both maps are in insertion order, which is `since` order on a clock that never runs
    // back, so the scans stop at the first one still young: a tick costs nothing when none expired.
    for (const [context, read] of this.reads) {
      if (now - read.since <= READ_GIVE_UP_MS) break;
      this.reads.delete(context);
    }
    // A proposal lost in a leader change never applies: forget its requester, whose client
    // has long timed out (its outcome is unknown to it either way), or a server leaks them.
    for (const [id, requester] of this.waiting) {
      if (now - requester.since <= PROPOSAL_GIVE_UP_MS) break;
      this.waiting.delete(id);
    }
  }

  /** Writes go to the leader: a follower answers with its hint, and the client retries there. */
  private propose(from: Requester, command: KvCommand): void {
    if (this.raft.role() !== 'leader') return this.send(from, { kind: 'notLeader', leader: this.raft.leader() });
    const id = this.nextId();
    const result = this.raft.propose(encodeEntry(id, command));
    if (result.kind === 'dropped') return this.send(from, { kind: 'notLeader', leader: 0 });
    this.waiting.set(id, { client: from.client, requestId: from.requestId, since: this.options.now(), command });
  }

  private startRead(from: Requester, request: KvRequest): void {
    const context = this.nextId();
    // Named fields, not a spread of `from`: this runs for every read, and a spread copies generically.
    this.reads.set(context, { client: from.client, requestId: from.requestId, request, since: this.options.now(), index: -1 });
    if (!this.raft.readIndex(context)) {
      this.reads.delete(context);
      this.send(from, { kind: 'notLeader', leader: 0 });
    }
  }

  private serveReadyReads(): void {
    if (this.reads.size === 0) return;
    for (const [context, read] of this.reads) {
      if (read.index < 0 || read.index > this.appliedIndex) continue;
      this.reads.delete(context);
      this.answerRead(read, read.request);
    }
  }

  /** Serves a read from the local store, as of what this replica has applied. */
  private answerRead(from: Requester, request: KvRequest): void {
    const term = this.raft.term();
    if (request.kind === 'range') {
      const result = this.store.range(request.req);
      if (!result.ok) return this.send(from, { kind: 'error', error: result.error });
      result.response.header.raftTerm = term;
      return this.send(from, { kind: 'ok', response: { op: 'range', ...result } });
    }
    if (request.kind === 'txn') {
      const response = applyCommand(this.store, { op: 'txn', ...request.req }, term);
      return this.send(from, response.ok ? { kind: 'ok', response } : { kind: 'error', error: response.error });
    }
    if (request.kind === 'leaseKeepAlive' || request.kind === 'leaseTimeToLive') {
      if (this.raft.role() !== 'leader') return this.send(from, { kind: 'notLeader', leader: this.raft.leader() });
      return this.answerLease(from, request.kind, request.id);
    }
  }

  private answerLease(from: Requester, kind: 'leaseKeepAlive' | 'leaseTimeToLive', id: LeaseId): void {
    const now = this.options.now();
    if (kind === 'leaseKeepAlive') {
      const result = this.lessor.keepAlive(id, now);
      if (!result.ok) return this.send(from, { kind: 'error', error: result.error });
      return this.send(from, { kind: 'keepAlive', header: this.header(), id, ttl: result.value });
    }
    const result = this.lessor.timeToLive(this.store, id, now);
    if (!result.ok) return this.send(from, { kind: 'error', error: result.error });
    this.send(from, { kind: 'timeToLive', response: { ...result.response, header: this.header() } });
  }

  private toCommand(request: KvRequest): KvCommand {
    switch (request.kind) {
      case 'put':
        return { op: 'put', ...request.req };
      case 'deleteRange':
        return { op: 'deleteRange', ...request.req };
      case 'txn':
        return { op: 'txn', ...request.req };
      case 'compact':
        return { op: 'compact', revision: request.revision };
      case 'leaseGrant':
        // One leader per term, so (term, sequence) names a lease uniquely cluster-wide.
        return { op: 'leaseGrant', id: this.raft.term() * 1_000_000 + (++this.sequence % 1_000_000), ttl: request.ttl };
      case 'leaseRevoke':
        return { op: 'leaseRevoke', id: request.id };
      default:
        throw new Error(`${request.kind} is not a write`);
    }
  }

  private noticeLeadership(): void {
    const isLeader = this.raft.role() === 'leader';
    if (isLeader && !this.wasLeader) this.lessor.promote(this.options.now());
    else if (!isLeader && this.wasLeader) this.lessor.demote();
    this.wasLeader = isLeader;
  }

  private header() {
    return { revision: this.store.revision, raftTerm: this.raft.term() };
  }

  private nextId(): string {
    return `${this.raft.id}.${this.options.incarnation}.${++this.sequence}`;
  }

  private send(to: Requester, reply: KvReply): void {
    this.options.reply(to.client, to.requestId, reply);
  }
}

/** An entry's payload: the proposal id on the first line, the command as JSON after it. */
export function encodeEntry(id: string, command: KvCommand): string {
  return `${id}\n${encodeCommand(command)}`;
}

/**
 * Every replica decodes the same committed entry; in one process (the simulator) they
 * share the entry object, so it is parsed and validated once. Commands are never mutated.
 */
const decoded = new WeakMap<Entry, { id: string; command: KvCommand }>();

/**
 * The proposer already holds the command it encoded into the entry (the leader, which
 * applies first): it takes that instead of parsing its own JSON back, and leaves it for
 * the other replicas in the same process. Everyone else decodes and validates.
 */
function decodedEntry(entry: Entry, data: string, proposed: ReadonlyMap<string, { readonly command: KvCommand }>): { id: string; command: KvCommand } {
  let result = decoded.get(entry);
  if (!result) {
    const id = proposalId(data);
    const own = proposed.get(id);
    result = own ? { id, command: own.command } : decodeEntry(data);
    decoded.set(entry, result);
  }
  return result;
}

function proposalId(data: string): string {
  const newline = data.indexOf('\n');
  return newline < 0 ? data : data.slice(0, newline);
}

export function decodeEntry(data: string): { id: string; command: KvCommand } {
  const newline = data.indexOf('\n');
  if (newline < 0) throw new Error(`log entry without a proposal id: ${data.slice(0, 80)}`);
  return { id: data.slice(0, newline), command: decodeCommand(data.slice(newline + 1)) };
}
