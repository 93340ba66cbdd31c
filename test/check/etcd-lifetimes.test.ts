/**
 * The key lifetime guards (src/check/lifetimes.ts) on small etcd histories: each
 * case is one a wrong rule gets wrong (checking a need before the store revision
 * reaches its createRevision/modRevision; counts that must only grow checked the
 * other way or exactly; an unknown revision fitting at its bound), and the guard
 * itself on hand-made states (values compared past a last write; a bound revealed only
 * where it can be).
 */
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/check/checker.js';
import { LifeGuard, type Life } from '../../src/check/lifetimes.js';
import { get, op, put, resetClock, verdict } from './etcd-ops.js';

const del = (k: string, rev: number) => op(2, 'delete', null, { deleted: 1, revision: rev }, k);

describe('key lifetimes', () => {
  it('a need is not checked before the store revision reaches it (a key recreated later)', () => {
    // At revision 2 the key lives with createRevision 2; the get needs 4, reached only later.
    expect(verdict([...put('a', 'x', 2), ...del('a', 3), ...put('a', 'x', 4), ...get('a', 'x', 1, 4, 4)])).toBe('linearizable');
  });

  it('within a lifetime the version only grows up to the one needed', () => {
    // After revision 2 the lifetime needed (createRevision 2) is live with version 1 < 2: alive.
    expect(verdict([...put('a', 'x', 2), ...put('a', 'y', 3), ...get('a', 'y', 2, 2, 3)])).toBe('linearizable');
    // Two writes in one lifetime, then a read of version 1 of it: dead.
    expect(verdict([...put('a', 'x', 2), ...put('a', 'y', 3), ...get('a', 'x', 1, 2, 2)])).toBe('not-linearizable');
  });

  it('past a read’s modRevision the key must still hold that write, with that version', () => {
    const info = op(3, 'put', { value: 'z' }, null, 'a', 'info');
    // The info put may come after the get: linearizable; never before it.
    const h = (version: number) => {
      resetClock();
      const w = put('a', 'y', 3);
      const g = get('a', 'y', version, 3, 3);
      return [info[0], ...w, ...g, info[1]];
    };
    expect(verdict(h(1))).toBe('linearizable');
    expect(verdict(h(2))).toBe('not-linearizable');
  });

  it('an unknown revision fits a need above its bound', () => {
    resetClock();
    // Two info puts of the same value (so neither is pinned), invoked first, take unknown
    // revisions above 1; the get reveals 2 for one of them.
    const i1 = op(3, 'put', { value: 'x' }, null, 'a', 'info');
    const i2 = op(4, 'put', { value: 'x' }, null, 'a', 'info');
    const h = (...mid: RawEvent[]) => [i1[0], i2[0], ...mid, i1[1], i2[1]];
    expect(verdict(h(...get('a', 'x', 1, 2, 2), ...put('b', 'y', 3)))).toBe('linearizable');
    // ... or 4, after the put of b took 3.
    expect(verdict(h(...put('b', 'y', 3), ...get('a', 'x', 1, 4, 4)))).toBe('linearizable');
    // Not 3, which the put of b took; and not version 2 created at 2 with a mod of 2.
    expect(verdict(h(...put('b', 'y', 3), ...get('a', 'x', 1, 3, 3)))).toBe('not-linearizable');
    expect(verdict(h(...get('a', 'x', 2, 2, 2)))).toBe('not-linearizable');
  });
});

describe('the lifetime guard itself', () => {
  // Op 0 is an ok read of key a that saw epoch 5, count 2 and value 'v'; op 1 is anything else.
  const need = { key: 'a', epoch: 5, count: 2, value: 'v' };
  const guard = (states: readonly { rank: number; life: Life | undefined }[], exactCount: boolean, revealable?: (epoch: number) => boolean) =>
    new LifeGuard({
      needs: [[need], []],
      life: (state) => states[state].life,
      rank: (state) => states[state].rank,
      touches: [['a'], ['a']],
      exactCount,
      revealable,
    });
  const known = (count: number, value: string): Life => ({ epoch: 5, exact: true, count, value });

  it('checks nothing before the store reaches the epoch', () => {
    expect(guard([{ rank: 4, life: undefined }], true).alive(0, 1)).toBe(true);
  });

  it('past the last write’s epoch the key holds the value the read saw, not only its version', () => {
    const states = [
      { rank: 6, life: known(2, 'v') },
      { rank: 6, life: known(2, 'w') },
    ];
    const lastWrite = guard(states, true);
    expect(lastWrite.alive(0, 1)).toBe(true);
    expect(lastWrite.alive(1, 1)).toBe(false);
    // Within a lifetime (createRevision) the value changes with every write: not compared there.
    expect(guard(states, false).alive(1, 1)).toBe(true);
  });

  it('an epoch known only by a bound below it fits only where the bound can be revealed as it', () => {
    const states = [{ rank: 6, life: { epoch: 3, exact: false, count: 2, value: 'v' } }];
    expect(guard(states, true).alive(0, 1)).toBe(true);
    expect(guard(states, true, (epoch) => epoch !== 5).alive(0, 1)).toBe(false);
    expect(guard(states, false, (epoch) => epoch !== 5).alive(0, 1)).toBe(false);
    expect(guard(states, false, () => true).alive(0, 1)).toBe(true);
  });

  it('forgets the need once the read is linearized', () => {
    const dead = guard([{ rank: 6, life: known(2, 'w') }], true);
    dead.add(0);
    expect(dead.alive(0, 0)).toBe(true);
    dead.remove(0);
    expect(dead.alive(0, 1)).toBe(false);
  });
});
