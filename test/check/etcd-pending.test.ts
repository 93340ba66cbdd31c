/**
 * The pending-write guard (src/check/pending.ts) on small etcd histories. The checker
 * adds it to parts its first slice left open, so these run with one-step slices. Each
 * linearizable case is one a wrong rule refutes: rule A (a known write after the read's
 * modRevision counted as due before it; a need of a later lifetime tested against the
 * current one; a txn's untaken branch counted as a write) and rule B (a key a known
 * delete ends counted as needing an info delete; an info op that deletes one key and
 * puts the other counted twice; a txn putting a key twice counted as one version).
 * Each refuted one must stay refuted.
 */
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { get, op, put, resetClock } from './etcd-ops.js';

/** One-step slices, each history opened by a read the first step takes: the guard is on from the first write. */
const verdict = (events: RawEvent[]) => checkHistory(events, { model: 'etcd', sliceSteps: 1 }).verdict;
const opening = () => get('a', null, 0, 0, 0);
const del = (k: string, rev: number) => op(0, 'delete', null, { deleted: 1, revision: rev }, k);
const txnOps = (ops: { f: string; key: string; value?: string }[]) => ({ compare: [], success: ops, failure: [] });
const info = (process: number, f: string, value: unknown, key?: string) => op(process, f, value, null, key, 'info');
const kv = (key: string, value: string, version: number, createRevision: number, modRevision: number) => ({ key, value, version, createRevision, modRevision });
/** A range over keys a and b: it joins their parts. */
const range = (kvs: ReturnType<typeof kv>[], revision: number) => op(1, 'range', { key: 'a', rangeEnd: 'c' }, { kvs, count: kvs.length, more: false, revision });
/** Info ops invoked before `mid` that never return. */
const around = (makeInfos: () => RawEvent[][], mid: () => RawEvent[]) => {
  resetClock();
  const infos = makeInfos();
  return [...infos.map((i) => i[0]), ...mid(), ...infos.map((i) => i[1])];
};

describe('pending known writes (rule A)', () => {
  it('a known write after the read it precedes in real time is not due before the read', () => {
    resetClock();
    // At revision 2, a is at version 1; the read of version 2 (modRevision 3) needs only the put at 3, not the one at 4.
    expect(verdict([...opening(), ...put('a', 'x', 2), ...put('a', 'y', 3), ...get('a', 'y', 2, 2, 3), ...put('a', 'z', 4), ...get('a', 'z', 3, 2, 4)])).toBe('linearizable');
  });

  it('a read of a later lifetime is not held to the current one', () => {
    resetClock();
    // At revision 3, a is at version 2; the read of version 1 is of the lifetime created at 5, after the delete.
    expect(verdict([...opening(), ...put('a', 'x', 2), ...put('a', 'y', 3), ...del('a', 4), ...put('a', 'z', 5), ...get('a', 'z', 1, 5, 5)])).toBe('linearizable');
  });

  it("a txn's branch it did not take is no write", () => {
    resetClock();
    // The txn failed (a's version is not above 5) and put b: only the put at 4 raises a's version before the read.
    const txn = () => op(2, 'txn', { compare: [{ key: 'a', target: 'version', op: '>', value: 5 }], success: [{ f: 'put', key: 'a', value: 'w' }], failure: [{ f: 'put', key: 'b', value: 'w' }] }, { succeeded: false, revision: 3, results: [{ revision: 3 }] });
    expect(verdict([...opening(), ...put('a', 'x', 2), ...txn(), ...put('a', 'y', 4), ...get('a', 'y', 2, 2, 4)])).toBe('linearizable');
  });

  it('a key already at the version a read reports, with a known write still due before it, is refuted', () => {
    // An info put of a may take revision 3; then a is at version 2, and the put at 4 makes 3, the version the read reports.
    expect(verdict(around(() => [info(3, 'put', { value: 'u' }, 'a')], () => [...opening(), ...put('a', 'x', 2), ...put('a', 'y', 4), ...get('a', 'y', 3, 2, 4)]))).toBe('linearizable');
    resetClock();
    expect(verdict([...opening(), ...put('a', 'x', 2), ...put('a', 'y', 4), ...get('a', 'y', 3, 2, 4)])).toBe('not-linearizable');
  });
});

describe('free ranks shared between keys (rule B)', () => {
  it('a key a known delete ends needs no info delete', () => {
    // Revision 4 is the only free one: the info put of a takes it; the delete at 5 ends b before it is created again at 6.
    const mid = () => [...opening(), ...put('a', 'x', 2), ...put('b', 'y', 3), ...del('b', 5), ...put('b', 'w', 6), ...put('a', 'z', 7), ...range([kv('a', 'z', 3, 2, 7), kv('b', 'w', 1, 6, 6)], 7)];
    expect(verdict(around(() => [info(3, 'put', { value: 'u' }, 'a'), info(4, 'delete', null, 'b')], mid))).toBe('linearizable');
  });

  it('one info op may delete one key and put the other', () => {
    // Revision 4 is the only free one: the info txn there deletes b (created again at 5) and puts a (version 2).
    const mid = () => [...opening(), ...put('a', 'x', 2), ...put('b', 'y', 3), ...put('b', 'w', 5), ...put('a', 'z', 6), ...range([kv('a', 'z', 3, 2, 6), kv('b', 'w', 1, 5, 5)], 6)];
    expect(verdict(around(() => [info(3, 'txn', txnOps([{ f: 'delete', key: 'b' }, { f: 'put', key: 'a', value: 'u' }]))], mid))).toBe('linearizable');
  });

  it('one info txn may put a key twice', () => {
    // Revision 3 is the only free one (b took 4): the info txn there raises a from version 1 to 3.
    const mid = () => [...opening(), ...put('a', 'x', 2), ...put('b', 'y', 4), ...put('a', 'z', 5), ...get('a', 'z', 4, 2, 5)];
    expect(verdict(around(() => [info(3, 'txn', txnOps([{ f: 'put', key: 'a', value: 'u' }, { f: 'put', key: 'a', value: 'v' }]))], mid))).toBe('linearizable');
  });

  it('a key that needs more info writes than free revisions are left, besides a delete of another key, is refuted', () => {
    // Revisions 4 and 5 are free; a needs two more versions from them and b must be deleted before it is created again at 6.
    const mid = () => [...opening(), ...put('a', 'x', 2), ...put('b', 'y', 3), ...put('b', 'w', 6), ...put('a', 'z', 7), ...range([kv('a', 'z', 4, 2, 7), kv('b', 'w', 1, 6, 6)], 7)];
    const infos = () => [info(3, 'put', { value: 'u' }, 'a'), info(4, 'put', { value: 'u' }, 'a'), info(5, 'delete', null, 'b')];
    expect(verdict(around(infos, mid))).toBe('not-linearizable');
    // With one version fewer needed, it fits.
    const fits = () => [...opening(), ...put('a', 'x', 2), ...put('b', 'y', 3), ...put('b', 'w', 6), ...put('a', 'z', 7), ...range([kv('a', 'z', 3, 2, 7), kv('b', 'w', 1, 6, 6)], 7)];
    expect(verdict(around(infos, fits))).toBe('linearizable');
  });
});
