/**
 * MvccStore: a pure, deterministic MVCC key-value store with etcd v3
 * semantics. It is the state machine a Raft log is applied to: it never reads
 * time or randomness, and every output is a function of the applied requests.
 *
 * Revision rules: the store revision starts at 1 and is bumped by exactly one
 * per request that changes at least one key (put, a delete that deletes
 * something, a txn whose executed branch changes something, a lease revoke
 * that deletes attached keys). Compaction and lease grant do not bump it.
 */
import { NO_BUGS, type BugSwitches } from '../bugs.js';
import { fail, ok } from './errors.js';
import { KeyIndex, keyInRange } from './keyIndex.js';
import { decodeSnapshot, encodeSnapshot, makeEvent, rebuildEventLog } from './snapshot.js';
import { DEFAULT_MAX_TXN_OPS, evalCompare, validateTxn } from './txn.js';
import type {
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  Event,
  KeyValue,
  KvErrorCode,
  KvResult,
  LeaseGrantResponse,
  LeaseId,
  LeaseInfo,
  LeaseRevokeResponse,
  LeaseTimeToLiveResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  ResponseOp,
  Revision,
  TxnRequest,
  TxnResponse,
} from './types.js';

/** etcd's MaxLeaseTTL (seconds). */
export const MAX_LEASE_TTL = 9_000_000_000;

export interface MvccStoreOptions {
  /** Minimum lease TTL in seconds; smaller grants are raised to it (etcd's minLeaseTTL). Default 1. */
  minTtl?: number;
  /** Maximum operations per txn branch (etcd --max-txn-ops). Default 128. */
  maxTxnOps?: number;
  /** Maximum lease TTL in seconds. Default 9e9 (etcd's MaxLeaseTTL). */
  maxLeaseTtl?: number;
  /** Planted defects (src/bugs.ts): the store reads `emptyWriteBumpsRevision`. All off unless a test or `--bug` asks. */
  bugs?: BugSwitches;
}

/** Called synchronously after each revision is committed, with that revision's events in order. */
export type EventListener = (events: readonly Event[], revision: Revision) => void;

export type EventsSinceResult =
  | { compacted: false; events: Event[]; revision: Revision }
  | { compacted: true; compactRevision: Revision };

interface LeaseEntry {
  ttl: number;
  keys: Set<string>;
}

/** Changes of one in-flight write (one revision). */
interface WriteCtx {
  rev: Revision;
  changes: Event[];
}

function header(revision: Revision): ResponseHeader {
  return { revision, raftTerm: 0 };
}

export class MvccStore {
  private index = new KeyIndex();
  private currentRev: Revision = 1;
  private compactRev: Revision = 0;
  private readonly leaseTable = new Map<LeaseId, LeaseEntry>();
  /** Events of revisions > compactRev, in (revision, sub-revision) order. */
  private eventLog: Event[] = [];
  private readonly listeners = new Set<EventListener>();
  readonly minTtl: number;
  readonly maxTxnOps: number;
  readonly maxLeaseTtl: number;
  private readonly bugs: BugSwitches;

  constructor(options: MvccStoreOptions = {}) {
    this.bugs = options.bugs ?? NO_BUGS;
    this.minTtl = options.minTtl ?? 1;
    this.maxTxnOps = options.maxTxnOps ?? DEFAULT_MAX_TXN_OPS;
    this.maxLeaseTtl = options.maxLeaseTtl ?? MAX_LEASE_TTL;
  }

  /** Current store revision (1 for an empty store). */
  get revision(): Revision {
    return this.currentRev;
  }

  /** Last compaction revision (0 = never compacted). */
  get compactRevision(): Revision {
    return this.compactRev;
  }

  // ---------------------------------------------------------------- reads

  private checkReadRev(rev: Revision | undefined): KvErrorCode | null {
    const r = rev ?? 0;
    if (r > this.currentRev) return 'ErrFutureRev';
    // etcd: ErrCompacted when rev < compactRev; the compact revision itself stays readable.
    if (r > 0 && r < this.compactRev) return 'ErrCompacted';
    return null;
  }

  /** Live kvs (latest state, including writes of an in-flight txn) in a range. */
  private collect(key: string, rangeEnd: string | undefined): KeyValue[] {
    const out: KeyValue[] = [];
    this.index.forRange(key, rangeEnd, (h) => {
      const kv = h.latest();
      if (kv !== null) out.push(kv);
    });
    return out;
  }

  /** Range without validation; revision 0 reads the latest state. */
  private doRange(req: RangeRequest, headerRev: Revision): RangeResponse {
    const at = req.revision !== undefined && req.revision > 0 ? req.revision : 0;
    const limit = req.limit !== undefined && req.limit > 0 ? req.limit : Infinity;
    const countOnly = req.countOnly === true;
    const keysOnly = req.keysOnly === true;
    const kvs: KeyValue[] = [];
    let count = 0;
    this.index.forRange(req.key, req.rangeEnd, (h) => {
      const kv = at > 0 ? h.at(at) : h.latest();
      if (kv === null) return;
      count++;
      if (!countOnly && kvs.length < limit) kvs.push(keysOnly ? { ...kv, value: '' } : kv);
    });
    return { header: header(headerRev), kvs, more: count > kvs.length && !countOnly, count };
  }

  range(req: RangeRequest): KvResult<RangeResponse> {
    if (req.key === '') return fail('ErrEmptyKey');
    const bad = this.checkReadRev(req.revision);
    if (bad !== null) return fail(bad);
    return ok(this.doRange(req, this.currentRev));
  }

  // ---------------------------------------------------------------- writes

  private beginWrite(): WriteCtx {
    return { rev: this.currentRev + 1, changes: [] };
  }

  /** Revision visible inside an in-flight write (etcd: beginRev+1 once something changed). */
  private viewRev(ctx: WriteCtx): Revision {
    return ctx.changes.length > 0 ? ctx.rev : this.currentRev;
  }

  private writePut(ctx: WriteCtx, key: string, value: string, lease: LeaseId): KeyValue | null {
    const h = this.index.getOrCreate(key);
    const prev = h.latest();
    const kv: KeyValue = {
      key,
      value,
      createRevision: prev !== null ? prev.createRevision : ctx.rev,
      modRevision: ctx.rev,
      version: prev !== null ? prev.version + 1 : 1,
      lease,
    };
    h.append({ rev: ctx.rev, sub: ctx.changes.length, kv });
    if (prev !== null && prev.lease !== 0 && prev.lease !== lease) this.leaseTable.get(prev.lease)?.keys.delete(key);
    if (lease !== 0) this.leaseTable.get(lease)?.keys.add(key);
    ctx.changes.push(makeEvent(key, ctx.rev, kv, prev));
    return prev;
  }

  private writeDelete(ctx: WriteCtx, key: string, rangeEnd: string | undefined): KeyValue[] {
    const deleted: KeyValue[] = [];
    this.index.forRange(key, rangeEnd, (h) => {
      const prev = h.latest();
      if (prev === null) return;
      h.append({ rev: ctx.rev, sub: ctx.changes.length, kv: null });
      if (prev.lease !== 0) this.leaseTable.get(prev.lease)?.keys.delete(h.key);
      ctx.changes.push(makeEvent(h.key, ctx.rev, null, prev));
      deleted.push(prev);
    });
    return deleted;
  }

  /** Commit the write: bump the revision if anything changed, log and publish events. */
  private endWrite(ctx: WriteCtx): Revision {
    if (ctx.changes.length === 0 && !this.bugs.emptyWriteBumpsRevision) return this.currentRev;
    this.currentRev = ctx.rev;
    for (const ev of ctx.changes) this.eventLog.push(ev);
    if (this.listeners.size > 0) for (const l of [...this.listeners]) l(ctx.changes, ctx.rev);
    return this.currentRev;
  }

  private putResponse(rev: Revision, prev: KeyValue | null, wantPrev: boolean | undefined): PutResponse {
    return wantPrev === true && prev !== null ? { header: header(rev), prevKv: prev } : { header: header(rev) };
  }

  private deleteResponse(rev: Revision, deleted: KeyValue[], wantPrev: boolean | undefined): DeleteRangeResponse {
    const resp: DeleteRangeResponse = { header: header(rev), deleted: deleted.length };
    if (wantPrev === true) resp.prevKvs = deleted;
    return resp;
  }

  put(req: PutRequest): KvResult<PutResponse> {
    if (req.key === '') return fail('ErrEmptyKey');
    const lease = req.lease ?? 0;
    if (lease !== 0 && !this.leaseTable.has(lease)) return fail('ErrLeaseNotFound');
    const ctx = this.beginWrite();
    const prev = this.writePut(ctx, req.key, req.value, lease);
    const rev = this.endWrite(ctx);
    return ok(this.putResponse(rev, prev, req.prevKv));
  }

  deleteRange(req: DeleteRangeRequest): KvResult<DeleteRangeResponse> {
    if (req.key === '') return fail('ErrEmptyKey');
    const ctx = this.beginWrite();
    const deleted = this.writeDelete(ctx, req.key, req.rangeEnd);
    const rev = this.endWrite(ctx);
    return ok(this.deleteResponse(rev, deleted, req.prevKv));
  }

  /**
   * Txn: compares are evaluated on the state before the txn; the chosen
   * branch runs in one revision and its reads see its own earlier writes
   * (etcd >= 3.3 behaviour).
   */
  txn(req: TxnRequest): KvResult<TxnResponse> {
    const invalid = validateTxn(req, this.maxTxnOps);
    if (invalid !== null) return fail(invalid);
    const succeeded = req.compare.every((c) => evalCompare(c, this.collect(c.key, c.rangeEnd)));
    const ops = succeeded ? req.success : req.failure;
    // Apply-time checks of the executed branch (etcd checkPut / checkRange), before any write.
    for (const op of ops) {
      if ('requestPut' in op) {
        const lease = op.requestPut.lease ?? 0;
        if (lease !== 0 && !this.leaseTable.has(lease)) return fail('ErrLeaseNotFound');
      } else if ('requestRange' in op) {
        const bad = this.checkReadRev(op.requestRange.revision);
        if (bad !== null) return fail(bad);
      }
    }
    const ctx = this.beginWrite();
    const responses: ResponseOp[] = [];
    for (const op of ops) {
      if ('requestRange' in op) {
        responses.push({ responseRange: this.doRange(op.requestRange, this.viewRev(ctx)) });
      } else if ('requestPut' in op) {
        const p = op.requestPut;
        const prev = this.writePut(ctx, p.key, p.value, p.lease ?? 0);
        responses.push({ responsePut: this.putResponse(ctx.rev, prev, p.prevKv) });
      } else {
        const d = op.requestDeleteRange;
        const deleted = this.writeDelete(ctx, d.key, d.rangeEnd);
        responses.push({ responseDeleteRange: this.deleteResponse(this.viewRev(ctx), deleted, d.prevKv) });
      }
    }
    const rev = this.endWrite(ctx);
    return ok({ header: header(rev), succeeded, responses });
  }

  /**
   * Compact history at `revision`: reads below it fail with ErrCompacted,
   * watches must start after it. Errors: ErrCompacted when revision <= the
   * current compact revision, ErrFutureRev when revision > current revision.
   */
  compact(revision: Revision): KvResult<CompactionResponse> {
    if (revision <= this.compactRev) return fail('ErrCompacted');
    if (revision > this.currentRev) return fail('ErrFutureRev');
    this.compactRev = revision;
    this.index.compact(revision);
    const log = this.eventLog;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log[mid].kv.modRevision <= revision) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) this.eventLog = log.slice(lo);
    return ok({ header: header(this.currentRev) });
  }

  // ---------------------------------------------------------------- leases

  /** Grant lease `id` (non-zero) with `ttl` seconds (raised to minTtl). Does not bump the revision. */
  leaseGrant(id: LeaseId, ttl: number): KvResult<LeaseGrantResponse> {
    if (id === 0) return fail('ErrLeaseNotFound');
    if (ttl > this.maxLeaseTtl) return fail('ErrLeaseTTLTooLarge');
    if (this.leaseTable.has(id)) return fail('ErrLeaseExist');
    const granted = Math.max(ttl, this.minTtl);
    this.leaseTable.set(id, { ttl: granted, keys: new Set() });
    return ok({ header: header(this.currentRev), id, ttl: granted });
  }

  /** Revoke lease `id`, deleting all attached keys (sorted) in one revision. */
  leaseRevoke(id: LeaseId): KvResult<LeaseRevokeResponse> {
    const l = this.leaseTable.get(id);
    if (l === undefined) return fail('ErrLeaseNotFound');
    const keys = [...l.keys].sort();
    const ctx = this.beginWrite();
    for (const k of keys) this.writeDelete(ctx, k, undefined);
    this.leaseTable.delete(id);
    const rev = this.endWrite(ctx);
    return ok({ header: header(rev) });
  }

  /** Granted TTL and attached keys (remaining TTL comes from the Lessor). */
  leaseTimeToLive(id: LeaseId): KvResult<LeaseTimeToLiveResponse> {
    const l = this.leaseTable.get(id);
    if (l === undefined) return fail('ErrLeaseNotFound');
    return ok({ header: header(this.currentRev), id, grantedTtl: l.ttl, keys: [...l.keys].sort() });
  }

  /** All leases, ascending id. */
  leaseList(): LeaseInfo[] {
    const out: LeaseInfo[] = [];
    for (const [id, l] of this.leaseTable) out.push({ id, ttl: l.ttl });
    return out.sort((a, b) => a.id - b.id);
  }

  // ---------------------------------------------------------------- watch support

  /**
   * Events with revision >= startRevision on keys selected by (key, rangeEnd),
   * in revision order (a revision is never split). startRevision <= 0 means
   * current+1 (no history). If startRevision <= compactRevision the history
   * is gone and the answer is { compacted: true, compactRevision }.
   */
  eventsSince(startRevision: Revision, key: string, rangeEnd?: string): EventsSinceResult {
    const start = startRevision > 0 ? startRevision : this.currentRev + 1;
    if (start <= this.compactRev) return { compacted: true, compactRevision: this.compactRev };
    const log = this.eventLog;
    let lo = 0;
    let hi = log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (log[mid].kv.modRevision < start) lo = mid + 1;
      else hi = mid;
    }
    const events: Event[] = [];
    for (let i = lo; i < log.length; i++) if (keyInRange(log[i].kv.key, key, rangeEnd)) events.push(log[i]);
    return { compacted: false, events, revision: this.currentRev };
  }

  /** Subscribe to committed events; returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  // ---------------------------------------------------------------- snapshot

  /** Deterministic JSON of the whole state (history, leases, revisions). */
  snapshot(): string {
    return encodeSnapshot(this.currentRev, this.compactRev, this.index, this.leaseTable);
  }

  /**
   * Becomes the state `snapshot()` encoded, in place, so watches stay attached (a replica
   * installing its leader's snapshot): they receive, as one batch, the events between the
   * old revision and the new one that the snapshot still holds.
   */
  adopt(snapshot: string): void {
    const restored = MvccStore.restore(snapshot, { minTtl: this.minTtl, maxTxnOps: this.maxTxnOps, maxLeaseTtl: this.maxLeaseTtl });
    const before = this.currentRev;
    this.index = restored.index;
    this.currentRev = restored.currentRev;
    this.compactRev = restored.compactRev;
    this.leaseTable.clear();
    for (const [id, lease] of restored.leaseTable) this.leaseTable.set(id, lease);
    this.eventLog = restored.eventLog;
    const missed = this.eventLog.filter((event) => event.kv.modRevision > before);
    if (missed.length > 0) for (const listener of [...this.listeners]) listener(missed, this.currentRev);
  }

  /** Rebuild a store from `snapshot()` output. Throws on a malformed snapshot. */
  static restore(snapshot: string, options: MvccStoreOptions = {}): MvccStore {
    const data = decodeSnapshot(snapshot);
    const s = new MvccStore(options);
    s.currentRev = data.revision;
    s.compactRev = data.compactRevision;
    for (const { id, ttl } of data.leases) s.leaseTable.set(id, { ttl, keys: new Set() });
    for (const { key, entries } of data.keys) {
      if (entries.length === 0) continue;
      const h = s.index.getOrCreate(key);
      h.entries = entries;
      const live = h.latest();
      if (live !== null && live.lease !== 0) {
        const l = s.leaseTable.get(live.lease);
        if (l === undefined) throw new Error(`kv snapshot: key ${JSON.stringify(key)} attached to unknown lease ${live.lease}`);
        l.keys.add(key);
      }
    }
    s.eventLog = rebuildEventLog(data);
    return s;
  }
}
