/**
 * The guard on keys read missing (src/check/absence.ts): a key that lives while a read
 * that saw it missing is still to be placed needs an op still to be placed that may
 * delete it. Each case is one a wrong rule gets wrong: ignoring a delete still to come,
 * or a read already placed, or a key that is not live.
 */
import { describe, expect, it } from 'vitest';
import { AbsenceGuard } from '../../src/check/absence.js';
import type { Life } from '../../src/check/lifetimes.js';
import { get, op, put, resetClock, verdict } from './etcd-ops.js';

const live: Life = { epoch: 2, exact: true, count: 1 };

/** Op 0 read key a missing; op 1 may delete a; op 2 writes a. State 0: a missing, state 1: a live. */
const guard = (withDelete: boolean) =>
  new AbsenceGuard({
    absent: [['a'], [], []],
    ends: [[], withDelete ? ['a'] : [], []],
    life: (state) => (state === 1 ? live : undefined),
    touches: [['a'], ['a'], ['a']],
  });

describe('keys read missing', () => {
  it('a live key with a read of it missing still to come needs a delete still to come', () => {
    expect(guard(false).alive(1, 2)).toBe(false);
    expect(guard(true).alive(1, 2)).toBe(true);
    expect(guard(false).alive(0, 2)).toBe(true);
  });

  it('counts only what is still to be placed', () => {
    const deleteSpent = guard(true);
    deleteSpent.add(1);
    expect(deleteSpent.alive(1, 2)).toBe(false);
    deleteSpent.remove(1);
    expect(deleteSpent.alive(1, 2)).toBe(true);
    const readDone = guard(false);
    readDone.add(0);
    expect(readDone.alive(1, 2)).toBe(true);
  });

  it('on histories: a timed-out put may follow the reads that saw nothing, and a later delete may undo it', () => {
    resetClock();
    const info = op(3, 'put', { value: 'z' }, null, 'a', 'info');
    const missing = get('a', null, 0, 0, 0);
    expect(verdict([info[0], ...missing, ...put('b', 'y', 2), ...missing, info[1]])).toBe('linearizable');
    resetClock();
    // A put of a that the history says came first cannot be hidden from the read after it.
    expect(verdict([...put('a', 'x', 2), ...missing])).toBe('not-linearizable');
    resetClock();
    expect(verdict([...put('a', 'x', 2), ...op(2, 'delete', null, { deleted: 1, revision: 3 }, 'a'), ...missing])).toBe('linearizable');
  });
});
