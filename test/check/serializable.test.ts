import { describe, expect, it } from 'vitest';
import { operationsOf, type RawEvent } from '../../src/check/checker.js';
import { checkSerializableReads } from '../../src/check/serializable.js';
import { op, put, resetClock } from './etcd-ops.js';

const stale = (key: string, value: string | null, version: number, createRevision: number, modRevision: number) =>
  op(1, 'get', { serializable: true }, { value, version, createRevision, modRevision }, key);
const violations = (events: RawEvent[]) => checkSerializableReads(operationsOf(events, 'etcd').ops).map((v) => v.message);

describe('serializable reads', () => {
  it('may be stale: any state the key had, and a missing key, pass', () => {
    resetClock();
    expect(violations([...put('a', 'x', 2), ...put('a', 'y', 3), ...stale('a', 'x', 1, 2, 2), ...stale('b', null, 0, 0, 0)])).toEqual([]);
    resetClock();
    const txn = op(0, 'txn', { compare: [], success: [{ f: 'put', key: 'a', value: 't' }], failure: [] }, { succeeded: true, revision: 2, results: [{ revision: 2 }] });
    expect(violations([...txn, ...stale('a', 't', 1, 2, 2)])).toEqual([]);
  });

  it('never return a value no write gave the key at that revision', () => {
    resetClock();
    expect(violations([...put('a', 'x', 2), ...stale('a', 'invented', 1, 2, 2)])).toEqual([
      'op 1 serializable get a -> "invented" mod=2 returned a state the key never had: no write of that value to it at revision 2 was invoked before the read returned',
    ]);
    resetClock();
    // The right value at another key's revision is no state of this key either.
    expect(violations([...put('a', 'x', 2), ...put('b', 'x', 3), ...stale('a', 'x', 1, 3, 3)])).toHaveLength(1);
  });

  it('never return a state from the future: the write must have been invoked before the read returned', () => {
    resetClock();
    expect(violations([...stale('a', 'x', 1, 2, 2), ...put('a', 'x', 2)])).toHaveLength(1);
  });

  it('may return what a write of unknown outcome would have made, at a revision no ok write reports', () => {
    resetClock();
    const lost = op(0, 'put', { value: 'x' }, null, 'a', 'info');
    expect(violations([...lost, ...stale('a', 'x', 1, 2, 2)])).toEqual([]);
    resetClock();
    expect(violations([...lost, ...stale('a', 'z', 1, 2, 2)])).toHaveLength(1);
  });
});
