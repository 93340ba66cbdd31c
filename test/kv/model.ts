/**
 * An obviously-correct (and slow) reference model of the store: it keeps the
 * flat list of every write ever made and re-scans it for every query.
 * Compaction only records the compact revision (nothing is dropped).
 */
import type {
  Compare,
  DeleteRangeResponse,
  Event,
  KeyValue,
  KvErrorCode,
  KvResult,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
} from '../../src/kv/index.js';
import { ERROR_MESSAGES } from '../../src/kv/index.js';

interface Write {
  rev: number;
  key: string;
  value: string | null; // null = delete
  lease: number;
}

const fail = <T>(code: KvErrorCode): KvResult<T> => ({ ok: false, error: { code, message: ERROR_MESSAGES[code] } });
const ok = <T>(response: T): KvResult<T> => ({ ok: true, response });
const hdr = (revision: number) => ({ revision, raftTerm: 0 });

function selects(k: string, key: string, end: string | undefined): boolean {
  if (end === undefined || end === '') return k === key;
  if (end === '\0') return k >= key;
  return k >= key && k < end;
}

export type ModelEventsResult = { compacted: true; compactRevision: number } | { compacted: false; events: Event[] };

export class Model {
  writes: Write[] = [];
  rev = 1;
  compactRev = 0;
  leases = new Map<number, number>();
  constructor(readonly minTtl = 1) {}

  /** Replay writes with rev <= at. */
  stateAt(at: number): Map<string, KeyValue> {
    const m = new Map<string, KeyValue>();
    for (const w of this.writes) {
      if (w.rev > at) break;
      if (w.value === null) {
        m.delete(w.key);
        continue;
      }
      const p = m.get(w.key);
      m.set(w.key, {
        key: w.key,
        value: w.value,
        createRevision: p ? p.createRevision : w.rev,
        modRevision: w.rev,
        version: p ? p.version + 1 : 1,
        lease: w.lease,
      });
    }
    return m;
  }

  private matching(state: Map<string, KeyValue>, key: string, end: string | undefined): KeyValue[] {
    return [...state.values()].filter((kv) => selects(kv.key, key, end)).sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  private readErr(revision: number | undefined): KvErrorCode | null {
    const r = revision ?? 0;
    if (r > this.rev) return 'ErrFutureRev';
    if (r > 0 && r < this.compactRev) return 'ErrCompacted';
    return null;
  }

  private doRange(req: RangeRequest, headerRev: number): RangeResponse {
    const at = req.revision && req.revision > 0 ? req.revision : Infinity;
    const all = this.matching(this.stateAt(at), req.key, req.rangeEnd);
    let kvs = req.countOnly ? [] : all;
    if (req.limit && req.limit > 0) kvs = kvs.slice(0, req.limit);
    if (req.keysOnly) kvs = kvs.map((kv) => ({ ...kv, value: '' }));
    return { header: hdr(headerRev), kvs, more: kvs.length < all.length && !req.countOnly, count: all.length };
  }

  range(req: RangeRequest): KvResult<RangeResponse> {
    if (req.key === '') return fail('ErrEmptyKey');
    const e = this.readErr(req.revision);
    return e ? fail(e) : ok(this.doRange(req, this.rev));
  }

  private putIn(key: string, value: string, lease: number, wantPrev: boolean | undefined): PutResponse {
    const prev = this.stateAt(Infinity).get(key);
    this.writes.push({ rev: this.rev + 1, key, value, lease });
    return wantPrev && prev ? { header: hdr(this.rev + 1), prevKv: prev } : { header: hdr(this.rev + 1) };
  }

  private deleteIn(key: string, end: string | undefined, wantPrev: boolean | undefined, hdrRev: () => number): DeleteRangeResponse {
    const gone = this.matching(this.stateAt(Infinity), key, end);
    for (const kv of gone) this.writes.push({ rev: this.rev + 1, key: kv.key, value: null, lease: 0 });
    const r: DeleteRangeResponse = { header: hdr(hdrRev()), deleted: gone.length };
    if (wantPrev) r.prevKvs = gone;
    return r;
  }

  private commit(before: number): number {
    if (this.writes.length > before) this.rev++;
    return this.rev;
  }

  put(key: string, value: string, lease: number, prevKv?: boolean): KvResult<PutResponse> {
    if (key === '') return fail('ErrEmptyKey');
    if (lease !== 0 && !this.leases.has(lease)) return fail('ErrLeaseNotFound');
    const r = this.putIn(key, value, lease, prevKv);
    this.commit(this.writes.length - 1);
    return ok(r);
  }

  deleteRange(key: string, end: string | undefined, prevKv?: boolean): KvResult<DeleteRangeResponse> {
    if (key === '') return fail('ErrEmptyKey');
    const before = this.writes.length;
    const r = this.deleteIn(key, end, prevKv, () => (this.writes.length > before ? this.rev + 1 : this.rev));
    this.commit(before);
    return ok(r);
  }

  private static dup(ops: RequestOp[]): boolean {
    const puts = ops.flatMap((o) => ('requestPut' in o ? [o.requestPut.key] : []));
    if (new Set(puts).size !== puts.length) return true;
    return ops.some(
      (o) => 'requestDeleteRange' in o && puts.some((k) => selects(k, o.requestDeleteRange.key, o.requestDeleteRange.rangeEnd)),
    );
  }

  private compareOk(c: Compare): boolean {
    const kvs = this.matching(this.stateAt(Infinity), c.key, c.rangeEnd);
    const zero: KeyValue = { key: c.key, value: '', createRevision: 0, modRevision: 0, version: 0, lease: 0 };
    if (kvs.length === 0 && c.target === 'VALUE') return false;
    return (kvs.length === 0 ? [zero] : kvs).every((kv) => {
      const [a, b]: [string | number, string | number] =
        c.target === 'VALUE'
          ? [kv.value, c.value]
          : c.target === 'VERSION'
            ? [kv.version, c.version]
            : c.target === 'CREATE'
              ? [kv.createRevision, c.createRevision]
              : c.target === 'MOD'
                ? [kv.modRevision, c.modRevision]
                : [kv.lease, c.lease];
      if (c.result === 'EQUAL') return a === b;
      if (c.result === 'NOT_EQUAL') return a !== b;
      if (c.result === 'LESS') return a < b;
      return a > b;
    });
  }

  txn(req: TxnRequest): KvResult<TxnResponse> {
    const allOps = [...req.success, ...req.failure];
    const keyOf = (o: RequestOp) =>
      'requestPut' in o ? o.requestPut.key : 'requestRange' in o ? o.requestRange.key : o.requestDeleteRange.key;
    if (req.compare.some((c) => c.key === '') || allOps.some((o) => keyOf(o) === '')) return fail('ErrEmptyKey');
    if (Model.dup(req.success) || Model.dup(req.failure)) return fail('ErrDuplicateKey');
    const succeeded = req.compare.every((c) => this.compareOk(c));
    const ops = succeeded ? req.success : req.failure;
    for (const o of ops) {
      if ('requestPut' in o && (o.requestPut.lease ?? 0) !== 0 && !this.leases.has(o.requestPut.lease ?? 0)) {
        return fail('ErrLeaseNotFound');
      }
      if ('requestRange' in o) {
        const e = this.readErr(o.requestRange.revision);
        if (e) return fail(e);
      }
    }
    const before = this.writes.length;
    const view = () => (this.writes.length > before ? this.rev + 1 : this.rev);
    const responses: ResponseOp[] = ops.map((o) => {
      if ('requestRange' in o) return { responseRange: this.doRange(o.requestRange, view()) };
      if ('requestPut' in o) {
        const p = o.requestPut;
        return { responsePut: this.putIn(p.key, p.value, p.lease ?? 0, p.prevKv) };
      }
      const d = o.requestDeleteRange;
      return { responseDeleteRange: this.deleteIn(d.key, d.rangeEnd, d.prevKv, view) };
    });
    return ok({ header: hdr(this.commit(before)), succeeded, responses });
  }

  compact(rev: number): KvResult<{ header: { revision: number; raftTerm: number } }> {
    if (rev <= this.compactRev) return fail('ErrCompacted');
    if (rev > this.rev) return fail('ErrFutureRev');
    this.compactRev = rev;
    return ok({ header: hdr(this.rev) });
  }

  leaseGrant(id: number, ttl: number): KvResult<{ header: { revision: number; raftTerm: number }; id: number; ttl: number }> {
    if (id === 0) return fail('ErrLeaseNotFound');
    if (this.leases.has(id)) return fail('ErrLeaseExist');
    const t = Math.max(ttl, this.minTtl);
    this.leases.set(id, t);
    return ok({ header: hdr(this.rev), id, ttl: t });
  }

  leaseRevoke(id: number): KvResult<{ header: { revision: number; raftTerm: number } }> {
    if (!this.leases.has(id)) return fail('ErrLeaseNotFound');
    const before = this.writes.length;
    const attached = [...this.stateAt(Infinity).values()].filter((kv) => kv.lease === id).map((kv) => kv.key);
    for (const k of attached.sort()) this.writes.push({ rev: this.rev + 1, key: k, value: null, lease: 0 });
    this.leases.delete(id);
    return ok({ header: hdr(this.commit(before)) });
  }

  /** All events with revision >= start, replaying the write list. */
  eventsSince(start: number, key: string, end: string | undefined): ModelEventsResult {
    const s = start > 0 ? start : this.rev + 1;
    if (s <= this.compactRev) return { compacted: true, compactRevision: this.compactRev };
    return { compacted: false, events: this.replay(s, key, end) };
  }

  /** Every event since revision `s`, ignoring compaction. */
  replay(s: number, key: string, end: string | undefined): Event[] {
    const state = new Map<string, KeyValue>();
    const events: Event[] = [];
    for (const w of this.writes) {
      const prev = state.get(w.key); // state just before this write
      let kv: KeyValue;
      if (w.value === null) {
        kv = { key: w.key, value: '', createRevision: 0, modRevision: w.rev, version: 0, lease: 0 };
        state.delete(w.key);
      } else {
        kv = {
          key: w.key,
          value: w.value,
          createRevision: prev ? prev.createRevision : w.rev,
          modRevision: w.rev,
          version: prev ? prev.version + 1 : 1,
          lease: w.lease,
        };
        state.set(w.key, kv);
      }
      if (w.rev >= s && selects(w.key, key, end)) {
        events.push(prev ? { type: w.value === null ? 'DELETE' : 'PUT', kv, prevKv: prev } : { type: 'PUT', kv });
      }
    }
    return events;
  }
}
