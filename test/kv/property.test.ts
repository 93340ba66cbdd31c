import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MvccStore,
  WatchHub,
  prefixEnd,
  type Compare,
  type Event,
  type RequestOp,
  type WatchResponse,
} from '../../src/kv/index.js';
import { Model } from './model.js';

const KEYS = ['a', 'ab', 'abc', 'b', 'c', '\u00e9'];
const key = fc.constantFrom(...KEYS);
const value = fc.constantFrom('x', 'y', 'z');
const lease = fc.constantFrom(0, 0, 1, 2, 3);
/** undefined = single key; otherwise a range end (possibly prefix / "\0" / reversed). */
const endFor = fc.oneof(
  fc.constant<'single'>('single'),
  fc.constant<'all'>('all'),
  fc.constant<'prefix'>('prefix'),
  key,
);
type EndSpec = 'single' | 'all' | 'prefix' | string;
const resolveEnd = (k: string, e: EndSpec): string | undefined =>
  e === 'single' ? undefined : e === 'all' ? '\0' : e === 'prefix' ? prefixEnd(k) : e;

const revOffset = fc.oneof(fc.constant(null), fc.integer({ min: -12, max: 2 }));

const rangeOp = fc.record({
  key,
  end: endFor,
  rev: revOffset,
  limit: fc.nat(3),
  keysOnly: fc.boolean(),
  countOnly: fc.boolean(),
});

const compare: fc.Arbitrary<Compare> = fc.oneof(
  fc.record({ key, target: fc.constant('VALUE' as const), value, result: fc.constantFrom('EQUAL', 'NOT_EQUAL', 'LESS', 'GREATER') }),
  fc.record({ key, target: fc.constant('VERSION' as const), version: fc.nat(3), result: fc.constantFrom('EQUAL', 'NOT_EQUAL', 'LESS', 'GREATER') }),
  fc.record({ key, target: fc.constant('CREATE' as const), createRevision: fc.nat(20), result: fc.constantFrom('EQUAL', 'LESS', 'GREATER') }),
  fc.record({ key, target: fc.constant('MOD' as const), modRevision: fc.nat(20), result: fc.constantFrom('EQUAL', 'LESS', 'GREATER') }),
  fc.record({ key, target: fc.constant('LEASE' as const), lease, result: fc.constantFrom('EQUAL', 'NOT_EQUAL') }),
);

type TxnOpSpec =
  | { t: 'put'; key: string; value: string; lease: number; prevKv: boolean }
  | { t: 'del'; key: string; end: EndSpec; prevKv: boolean }
  | { t: 'get'; key: string; end: EndSpec; rev: number | null; limit: number; keysOnly: boolean; countOnly: boolean };

const txnOp: fc.Arbitrary<TxnOpSpec> = fc.oneof(
  fc.record({ t: fc.constant('put' as const), key, value, lease, prevKv: fc.boolean() }),
  fc.record({ t: fc.constant('del' as const), key, end: endFor, prevKv: fc.boolean() }),
  rangeOp.map((r) => ({ t: 'get' as const, ...r })),
);

type OpSpec =
  | TxnOpSpec
  | { t: 'txn'; compare: Compare[]; success: TxnOpSpec[]; failure: TxnOpSpec[] }
  | { t: 'compact'; off: number }
  | { t: 'grant'; id: number; ttl: number }
  | { t: 'revoke'; id: number }
  | { t: 'restore' }
  | { t: 'events'; off: number; key: string; end: EndSpec };

const opSpec: fc.Arbitrary<OpSpec> = fc.oneof(
  { arbitrary: txnOp, weight: 8 },
  {
    arbitrary: fc.record({
      t: fc.constant('txn' as const),
      compare: fc.array(compare, { maxLength: 2 }),
      success: fc.array(txnOp, { maxLength: 3 }),
      failure: fc.array(txnOp, { maxLength: 3 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ t: fc.constant('compact' as const), off: fc.integer({ min: -8, max: 1 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('grant' as const), id: fc.integer({ min: 1, max: 3 }), ttl: fc.nat(5) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('revoke' as const), id: fc.integer({ min: 1, max: 3 }) }), weight: 1 },
  { arbitrary: fc.constant({ t: 'restore' as const }), weight: 1 },
  {
    arbitrary: fc.record({ t: fc.constant('events' as const), off: fc.integer({ min: -10, max: 2 }), key, end: endFor }),
    weight: 1,
  },
);

function resolveRev(off: number | null, current: number): number | undefined {
  return off === null ? undefined : Math.max(0, current + off);
}

function toRequestOp(o: TxnOpSpec, current: number): RequestOp {
  switch (o.t) {
    case 'put':
      return { requestPut: { key: o.key, value: o.value, lease: o.lease, prevKv: o.prevKv } };
    case 'del':
      return { requestDeleteRange: { key: o.key, rangeEnd: resolveEnd(o.key, o.end), prevKv: o.prevKv } };
    case 'get':
      return {
        requestRange: {
          key: o.key,
          rangeEnd: resolveEnd(o.key, o.end),
          revision: resolveRev(o.rev, current),
          limit: o.limit,
          keysOnly: o.keysOnly,
          countOnly: o.countOnly,
        },
      };
  }
}

class Harness {
  store = new MvccStore({ minTtl: 2 });
  model = new Model(2);
  watched: WatchResponse[] = [];
  private hub = new WatchHub(this.store);
  private lastSeen = 1;

  constructor() {
    this.watch(1);
  }

  private watch(start: number): void {
    this.hub.watch({ key: '\0', rangeEnd: '\0', startRevision: start, prevKv: true }, (r) => {
      this.watched.push(r);
      for (const e of r.events) this.lastSeen = e.kv.modRevision;
    });
  }

  step(op: OpSpec): void {
    const { store, model } = this;
    const cur = store.revision;
    expect(cur).toBe(model.rev);
    switch (op.t) {
      case 'put':
      case 'del':
      case 'get': {
        const r = toRequestOp(op, cur);
        if ('requestPut' in r) {
          const p = r.requestPut;
          expect(store.put(p)).toEqual(model.put(p.key, p.value, p.lease ?? 0, p.prevKv));
        } else if ('requestDeleteRange' in r) {
          const d = r.requestDeleteRange;
          expect(store.deleteRange(d)).toEqual(model.deleteRange(d.key, d.rangeEnd, d.prevKv));
        } else {
          expect(store.range(r.requestRange)).toEqual(model.range(r.requestRange));
        }
        return;
      }
      case 'txn': {
        const req = {
          compare: op.compare,
          success: op.success.map((o) => toRequestOp(o, cur)),
          failure: op.failure.map((o) => toRequestOp(o, cur)),
        };
        expect(store.txn(req)).toEqual(model.txn(req));
        return;
      }
      case 'compact':
        expect(store.compact(cur + op.off)).toEqual(model.compact(cur + op.off));
        return;
      case 'grant':
        expect(store.leaseGrant(op.id, op.ttl)).toEqual(model.leaseGrant(op.id, op.ttl));
        return;
      case 'revoke':
        expect(store.leaseRevoke(op.id)).toEqual(model.leaseRevoke(op.id));
        return;
      case 'events': {
        const start = Math.max(0, cur + op.off);
        const end = resolveEnd(op.key, op.end);
        const got = store.eventsSince(start, op.key, end);
        const want = model.eventsSince(start, op.key, end);
        expect(got.compacted).toBe(want.compacted);
        if (!got.compacted && !want.compacted) expect(got.events).toEqual(want.events);
        if (got.compacted && want.compacted) expect(got.compactRevision).toBe(want.compactRevision);
        return;
      }
      case 'restore': {
        const snap = store.snapshot();
        const restored = MvccStore.restore(snap, { minTtl: 2 });
        expect(restored.snapshot()).toBe(snap);
        const from = store.compactRevision + 1;
        expect(restored.eventsSince(from, '\0', '\0')).toEqual(store.eventsSince(from, '\0', '\0'));
        this.hub.close();
        this.store = restored;
        this.hub = new WatchHub(restored);
        this.watch(this.lastSeen + 1); // resume from last delivered + 1
        return;
      }
    }
  }

  finish(): void {
    // Full read at every retained revision.
    for (let rev = 0; rev <= this.store.revision + 1; rev++) {
      const req = { key: '\0', rangeEnd: '\0', revision: rev };
      expect(this.store.range(req)).toEqual(this.model.range(req));
    }
    // Watch: every event exactly once, in order, revisions never split across responses.
    const delivered: Event[] = this.watched.flatMap((r) => r.events);
    expect(delivered).toEqual(this.model.replay(1, '\0', '\0'));
    const batches = this.watched.filter((r) => r.events.length > 0);
    for (let i = 1; i < batches.length; i++) {
      const prev = batches[i - 1].events;
      expect(prev[prev.length - 1].kv.modRevision).toBeLessThan(batches[i].events[0].kv.modRevision);
    }
    expect(this.watched.some((r) => r.canceled)).toBe(false);
  }
}

describe('MvccStore vs reference model', () => {
  it('agrees on random operation sequences (incl. txns, compaction, leases, snapshot/restore, watch)', () => {
    fc.assert(
      fc.property(fc.array(opSpec, { minLength: 1, maxLength: 80, size: 'max' }), (ops) => {
        const h = new Harness();
        for (const op of ops) h.step(op);
        h.finish();
      }),
      // Set FC_SEED to replay a reported failure.
      { numRuns: 300, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
  });
});
