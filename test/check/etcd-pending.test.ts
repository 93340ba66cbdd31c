/**
 * The pending-write guard (src/check/pending.ts) on small sequential etcd histories:
 * each linearizable case is one a wrong rule refutes (a known write after the
 * read's modRevision counted as due before it; a need of a later lifetime tested
 * against the current one; a txn's untaken branch counted as a write), and one
 * history it must refute.
 */
import { describe, expect, it } from 'vitest';
import { get, op, put, resetClock, verdict } from './etcd-ops.js';

const del = (k: string, rev: number) => op(0, 'delete', null, { deleted: 1, revision: rev }, k);

describe('pending known writes', () => {
  it('a known write after the read it precedes in real time is not due before the read', () => {
    resetClock();
    // At revision 2, a is at version 1; the read of version 2 (modRevision 3) needs only the put at 3, not the one at 4.
    expect(verdict([...put('a', 'x', 2), ...put('a', 'y', 3), ...get('a', 'y', 2, 2, 3), ...put('a', 'z', 4), ...get('a', 'z', 3, 2, 4)])).toBe('linearizable');
  });

  it('a read of a later lifetime is not held to the current one', () => {
    resetClock();
    // At revision 3, a is at version 2; the read of version 1 is of the lifetime created at 5, after the delete.
    expect(verdict([...put('a', 'x', 2), ...put('a', 'y', 3), ...del('a', 4), ...put('a', 'z', 5), ...get('a', 'z', 1, 5, 5)])).toBe('linearizable');
  });

  it("a txn's branch it did not take is no write", () => {
    resetClock();
    // The txn failed (a's version is not above 5) and put b: only the put at 4 raises a's version before the read.
    const txn = () => op(2, 'txn', { compare: [{ key: 'a', target: 'version', op: '>', value: 5 }], success: [{ f: 'put', key: 'a', value: 'w' }], failure: [{ f: 'put', key: 'b', value: 'w' }] }, { succeeded: false, revision: 3, results: [{ revision: 3 }] });
    expect(verdict([...put('a', 'x', 2), ...txn(), ...put('a', 'y', 4), ...get('a', 'y', 2, 2, 4)])).toBe('linearizable');
  });

  it('a key already at the version a read reports, with a known write still due before it, is refuted', () => {
    resetClock();
    // An info put of a may take revision 3; then a is at version 2, and the put at 4 makes 3, not the 2 the read reports.
    const info = op(3, 'put', { value: 'u' }, null, 'a', 'info');
    expect(verdict([info[0], ...put('a', 'x', 2), ...put('a', 'y', 4), ...get('a', 'y', 3, 2, 4), info[1]])).toBe('linearizable');
    resetClock();
    expect(verdict([...put('a', 'x', 2), ...put('a', 'y', 4), ...get('a', 'y', 3, 2, 4)])).toBe('not-linearizable');
  });
});
