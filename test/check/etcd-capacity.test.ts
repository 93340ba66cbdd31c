/**
 * The write capacity guard (src/check/capacity.ts) on small etcd histories: each
 * case is one a wrong rule gets wrong (a need whose last write is already behind
 * the store revision counted as needing writes; a txn putting one key twice
 * counted as one version; free revisions not counted), and one it must refute.
 */
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/check/checker.js';
import { get, op, put, resetClock, verdict } from './etcd-ops.js';

const txn = (puts: [string, string][], revision: number) =>
  op(2, 'txn', { compare: [], success: puts.map(([key, value]) => ({ f: 'put', key, value })), failure: [] }, { succeeded: true, revision, results: puts.map(() => ({ revision })) });
const infoPut = (process: number, key: string, value: string) => op(process, 'put', { value }, null, key, 'info');
/** Info ops invoked before `mid` that never return. */
const around = (infos: RawEvent[][], mid: RawEvent[]) => [...infos.map((i) => i[0]), ...mid, ...infos.map((i) => i[1])];

describe('write capacity', () => {
  it('a read of a write the store revision already passed needs no more writes', () => {
    resetClock();
    // Revision 3 is free: once the store is at 4, a write of a could have taken it, but the reads need none.
    // (The range joins a and b in one part.)
    const kv = (key: string, value: string, rev: number) => ({ key, value, version: 1, createRevision: rev, modRevision: rev });
    const range = () => op(1, 'range', { key: 'a', rangeEnd: 'c' }, { kvs: [kv('a', 'x', 2), kv('b', 'y', 4)], count: 2, more: false, revision: 4 });
    expect(verdict([...put('a', 'x', 2), ...put('b', 'y', 4), ...range(), ...get('a', 'x', 1, 2, 2)])).toBe('linearizable');
  });

  it('one txn putting a key twice raises its version by two at one revision', () => {
    resetClock();
    expect(verdict([...put('a', 'x', 2), ...txn([['a', 'y'], ['a', 'z']], 3), ...get('a', 'z', 3, 2, 3)])).toBe('linearizable');
  });

  it('info writes take the free revisions before a read of their key', () => {
    resetClock();
    // Revisions 3 and 4 are free: two info puts of a (unread values) fill them; the put of b took 5.
    const infos = [infoPut(3, 'a', 'u1'), infoPut(4, 'a', 'u2')];
    expect(verdict(around(infos, [...put('a', 'x', 2), ...put('b', 'y', 5), ...put('a', 'z', 6), ...get('a', 'z', 4, 2, 6)]))).toBe('linearizable');
  });

  it('a key that needs more writes than revisions are left is refuted', () => {
    resetClock();
    // Version 4 at revision 6 needs two writes of a among 3..5, but only 3 is free.
    const infos = [infoPut(3, 'a', 'u1'), infoPut(4, 'a', 'u2')];
    expect(verdict(around(infos, [...put('a', 'x', 2), ...put('b', 'y', 4), ...put('c', 'w', 5), ...put('a', 'z', 6), ...get('a', 'z', 4, 2, 6)]))).toBe('not-linearizable');
  });
});
