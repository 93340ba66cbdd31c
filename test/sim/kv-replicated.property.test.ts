import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MvccStore } from '../../src/kv/store.js';
import type { HistoryEvent } from '../../sim/history.js';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

interface TxnOp {
  f: 'put' | 'get' | 'delete';
  key: string;
  value?: string;
}

/** What a single, unreplicated store answers to the same operations, in the history's shapes. */
function replayOnSingleStore(history: readonly HistoryEvent[]): unknown[] {
  const store = new MvccStore();
  const kvOf = (key: string) => {
    const kv = store.range({ key });
    const found = kv.ok ? kv.response.kvs[0] : undefined;
    return found
      ? { value: found.value, version: found.version, createRevision: found.createRevision, modRevision: found.modRevision }
      : { value: null, version: 0, createRevision: 0, modRevision: 0 };
  };
  const answers: unknown[] = [];
  for (const event of history) {
    if (event.type !== 'invoke') continue;
    const value = event.value as { value?: string; compare?: { key: string }[]; success?: TxnOp[]; failure?: TxnOp[] } | null;
    switch (event.f) {
      case 'get':
        answers.push(kvOf(event.key!));
        break;
      case 'put': {
        store.put({ key: event.key!, value: value!.value! });
        answers.push({ value: value!.value, revision: store.revision });
        break;
      }
      case 'delete': {
        const result = store.deleteRange({ key: event.key! });
        answers.push({ deleted: result.ok ? result.response.deleted : -1, revision: store.revision });
        break;
      }
      case 'range': {
        const result = store.range(event.value as { key: string; rangeEnd?: string; limit?: number });
        const r = result.ok ? result.response : { kvs: [], count: -1, more: false };
        const kvs = r.kvs.map((kv) => ({ key: kv.key, value: kv.value, version: kv.version, createRevision: kv.createRevision, modRevision: kv.modRevision }));
        answers.push({ kvs, count: r.count, more: r.more, revision: store.revision });
        break;
      }
      case 'txn': {
        const key = value!.compare![0].key;
        const succeeded = kvOf(key).version > 0;
        const ops = succeeded ? value!.success! : value!.failure!;
        const results = ops.map((op) => {
          if (op.f === 'get') return kvOf(op.key);
          return op;
        });
        const writes = ops.filter((op) => op.f === 'put');
        if (writes.length > 0) {
          store.txn({ compare: [], success: writes.map((op) => ({ requestPut: { key: op.key, value: op.value! } })), failure: [] });
        }
        answers.push({ succeeded, revision: store.revision, results: results.map((r) => ('f' in r ? { revision: store.revision } : r)) });
        break;
      }
    }
  }
  return answers;
}

describe('the replicated store answers as one in-memory store would', () => {
  it('for a single client, with a follower cut off for a while', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 500, max: 2500 }), (seed, keys, isolateAt) => {
        const scenario = defineScenario({
          name: 'replicated-vs-single',
          nodes: 3,
          durationMs: 3000,
          workload: { type: 'kv', clients: 1, keys, thinkMs: 5 },
          faults: [
            { at: isolateAt, action: 'isolate', node: 'follower' },
            { at: isolateAt + 400, action: 'heal' },
          ],
        });
        const result = runScenario(scenario, { seed, trace: 'off' });
        expect(result.violations).toEqual([]);
        const completions = result.history.filter((event) => event.type !== 'invoke');
        // Without leader changes nothing is left unknown: every write's fate is known.
        const certain = completions.every((event) => event.type === 'ok' || (event.type === 'fail' && (event.f === 'get' || event.f === 'range')));
        fc.pre(certain);
        const okOnly = result.history.filter((event) => {
          const completion = completions.find((c) => c.op === event.op);
          return completion?.type === 'ok';
        });
        const expected = replayOnSingleStore(okOnly);
        const actual = completions.filter((event) => event.type === 'ok').map((event) => event.value);
        expect(actual).toEqual(expected);
        expect(actual.length).toBeGreaterThan(20);
      }),
      { numRuns: 25 },
    );
  });
});
