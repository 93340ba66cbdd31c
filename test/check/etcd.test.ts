/** The etcd model: revision rules, txn compares, info writes, and the global revision check. */
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { checkRevisionOrder } from '../../src/check/revisions.js';
import { get, op, put, resetClock, verdict } from './etcd-ops.js';


describe('etcd model', () => {
  it('tracks version, createRevision and modRevision exactly', () => {
    const h = [...get('a', null, 0, 0, 0), ...put('a', 'x', 5), ...put('a', 'y', 7), ...get('a', 'y', 2, 5, 7)];
    expect(verdict(h)).toBe('linearizable');
    expect(verdict([...put('a', 'x', 5), ...put('a', 'y', 7), ...get('a', 'y', 2, 5, 6)])).toBe('not-linearizable');
    expect(verdict([...put('a', 'x', 5), ...put('a', 'y', 7), ...get('a', 'y', 1, 5, 7)])).toBe('not-linearizable');
  });

  it('a write revision must exceed the key’s previous revisions, including its deletion', () => {
    expect(verdict([...put('a', 'x', 5), ...put('a', 'y', 5)])).toBe('not-linearizable');
    const del = () => op(2, 'delete', null, { deleted: 1, revision: 9 }, 'a');
    expect(verdict([...put('a', 'x', 5), ...del(), ...put('a', 'z', 8)])).toBe('not-linearizable');
    expect(verdict([...put('a', 'x', 5), ...del(), ...put('a', 'z', 10), ...get('a', 'z', 1, 10, 10)])).toBe('linearizable');
    // deleted: 0 on an existing key is wrong; its revision is not checked.
    expect(verdict([...put('a', 'x', 5), ...op(2, 'delete', null, { deleted: 0, revision: 1 }, 'a')])).toBe('not-linearizable');
    expect(verdict([...op(2, 'delete', null, { deleted: 0, revision: 1 }, 'a'), ...put('a', 'x', 5)])).toBe('linearizable');
  });

  it('serializable gets are not checked', () => {
    const stale = op(1, 'get', { serializable: true }, { value: 'old', version: 9, createRevision: 1, modRevision: 1 }, 'a');
    expect(verdict([...put('a', 'x', 5), ...stale])).toBe('linearizable');
    const linear = op(1, 'get', null, { value: 'old', version: 9, createRevision: 1, modRevision: 1 }, 'a');
    expect(verdict([...put('a', 'x', 5), ...linear])).toBe('not-linearizable');
  });

  it('an info put has an unknown revision that a later get reveals', () => {
    const info = op(0, 'put', { value: 'x' }, null, 'a', 'info');
    expect(verdict([...put('a', 'w', 3), ...info, ...get('a', 'x', 2, 3, 8), ...put('a', 'y', 9)])).toBe('linearizable');
    // The revealed revision then binds later writes.
    expect(verdict([...put('a', 'w', 3), ...info, ...get('a', 'x', 2, 3, 8), ...put('a', 'y', 8)])).toBe('not-linearizable');
    // And must be above the revision before it.
    expect(verdict([...put('a', 'w', 3), ...info, ...get('a', 'x', 2, 3, 3)])).toBe('not-linearizable');
  });

  it('an info write cannot take a revision an ok write reports; a read-only reply carries the store revision', () => {
    const info = op(0, 'put', { value: 'x' }, null, 'a', 'info');
    // Revision 4 belongs to the put of b: the info put of a cannot have it.
    expect(verdict([...put('a', 'w', 3), ...info, ...put('b', 'q', 4), ...get('a', 'x', 2, 3, 4)])).toBe('not-linearizable');
    expect(verdict([...put('a', 'w', 3), ...info, ...put('b', 'q', 4), ...get('a', 'x', 2, 3, 5)])).toBe('linearizable');
    const readOnly = (rev: number) => op(3, 'txn', { compare: [{ key: 'a', target: 'version', op: '=', value: 9 }], success: [], failure: [] }, { succeeded: false, revision: rev, results: [] });
    expect(verdict([...put('a', 'w', 3), ...readOnly(3), ...put('a', 'y', 4)])).toBe('linearizable');
    expect(verdict([...put('a', 'w', 3), ...readOnly(2)])).toBe('not-linearizable');
    expect(verdict([...put('a', 'w', 3), ...readOnly(5), ...put('a', 'y', 4)])).toBe('not-linearizable');
  });

  const txn = (compare: unknown[], success: unknown[], failure: unknown[], result: unknown) => op(3, 'txn', { compare, success, failure }, result);

  it('txn compares: value on a missing key is false, revisions of a missing key are 0', () => {
    const missingValue = txn([{ key: 'a', target: 'value', op: '!=', value: 'q' }], [{ f: 'put', key: 'a', value: 'v' }], [], { succeeded: true, revision: 4, results: [{ revision: 4 }] });
    expect(verdict(missingValue)).toBe('not-linearizable');
    const createIfAbsent = (rev: number) =>
      txn([{ key: 'a', target: 'createRevision', op: '=', value: 0 }], [{ f: 'put', key: 'a', value: 'v' }], [{ f: 'get', key: 'a' }], {
        succeeded: rev > 0,
        revision: rev,
        results: rev > 0 ? [{ revision: rev }] : [{ value: 'v', version: 1, createRevision: 4, modRevision: 4 }],
      });
    expect(verdict([...createIfAbsent(4), ...createIfAbsent(0), ...get('a', 'v', 1, 4, 4)])).toBe('linearizable');
    expect(verdict([...createIfAbsent(4), ...createIfAbsent(6)])).toBe('not-linearizable');
  });

  it('txn compares on version, modRevision, < and >', () => {
    const cas = (target: string, cmp: string, value: number, succeeded: boolean, rev: number) =>
      txn([{ key: 'a', target, op: cmp, value }], [{ f: 'put', key: 'a', value: `v${rev}` }], [], { succeeded, revision: rev, results: succeeded ? [{ revision: rev }] : [] });
    const base = put('a', 'x', 5);
    expect(verdict([...base, ...cas('modRevision', '=', 5, true, 6)])).toBe('linearizable');
    expect(verdict([...base, ...cas('modRevision', '=', 4, true, 6)])).toBe('not-linearizable');
    expect(verdict([...base, ...cas('version', '>', 0, true, 6), ...cas('version', '<', 2, false, 6)])).toBe('linearizable');
    expect(verdict([...base, ...cas('version', '<', 2, false, 6)])).toBe('not-linearizable');
  });

  it('a multi-key txn joins its keys into one part, sharing one revision', () => {
    const both = txn([], [{ f: 'put', key: 'a', value: '1' }, { f: 'put', key: 'b', value: '1' }], [], { succeeded: true, revision: 5, results: [{ revision: 5 }, { revision: 5 }] });
    const result = checkHistory([...both, ...put('c', 'z', 6), ...get('a', '1', 1, 5, 5), ...get('b', '1', 1, 5, 5)], { model: 'etcd' });
    expect(result.parts).toBe(2);
    expect(result.verdict).toBe('linearizable');
    const split = txn([], [{ f: 'put', key: 'a', value: '1' }, { f: 'put', key: 'b', value: '1' }], [], { succeeded: true, revision: 5, results: [{ revision: 5 }, { revision: 6 }] });
    expect(verdict(split)).toBe('not-linearizable');
  });
});

describe('checkRevisionOrder', () => {
  it('accepts increasing distinct revisions, a txn counting once, with gaps where the store had other writers', () => {
    const first = put('x', '1', 2);
    const both = op(3, 'txn', { compare: [], success: [{ f: 'put', key: 'a', value: '1' }, { f: 'put', key: 'b', value: '1' }], failure: [] }, { succeeded: true, revision: 5, results: [{ revision: 5 }, { revision: 5 }] });
    const report = checkRevisionOrder([...first, ...both, ...put('y', '1', 7)]);
    expect(report).toMatchObject({ ok: true, writes: 3, violations: [] });
  });

  it('reports duplicate revisions across keys, naming both ops', () => {
    resetClock();
    const report = checkRevisionOrder([...put('x', '1', 2), ...put('y', '1', 2)]);
    expect(report.ok).toBe(false);
    expect(report.violations.map((v) => [v.kind, v.ops.map((o) => o.invokeIndex)])).toContainEqual(['duplicate', [0, 2]]);
    expect(report.violations[0].message).toBe('revision 2 created by both op 0 put x="1" @2 and op 1 put y="1" @2');
  });

  it('reports a real-time inversion between keys', () => {
    resetClock();
    const report = checkRevisionOrder([...put('x', '1', 9), ...put('y', '1', 3)]);
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]).toMatchObject({ kind: 'order' });
    expect(report.violations[0].message).toBe('op 0 put x="1" @9 returned before op 1 put y="1" @3 was invoked but has revision 9 >= 3');
    // Overlapping writes may take either order.
    const overlapping: RawEvent[] = [
      { process: 0, type: 'invoke', f: 'put', key: 'x', value: { value: '1' } },
      { process: 1, type: 'invoke', f: 'put', key: 'y', value: { value: '1' } },
      { process: 0, type: 'ok', f: 'put', key: 'x', value: { value: '1', revision: 9 } },
      { process: 1, type: 'ok', f: 'put', key: 'y', value: { value: '1', revision: 3 } },
    ];
    expect(checkRevisionOrder(overlapping).ok).toBe(true);
  });
});

describe('checkRevisionOrder with contiguous revisions (a history of every write to a store that began empty)', () => {
  const contiguous = (events: RawEvent[]) => checkRevisionOrder(events, { contiguous: true });
  const info = (key: string) => op(2, 'put', { value: 'lost' }, null, key, 'info');
  const noop = (rev: number) => op(3, 'delete', null, { deleted: 0, revision: rev }, 'gone');

  it('accepts revisions one per write from 2, whatever keys they write', () => {
    resetClock();
    expect(contiguous([...put('x', '1', 2), ...put('y', '1', 3), ...noop(3), ...put('x', '2', 4)]).ok).toBe(true);
  });

  it('finds a skipped revision that no write made, and names the op that saw it', () => {
    resetClock();
    const report = contiguous([...put('x', '1', 2), ...put('x', '2', 4)]);
    expect(report.violations.map((v) => [v.kind, v.ops[0].revision, v.ops[0].invokeIndex, v.at])).toEqual([['gap', 3, 2, 3]]);
    expect(report.violations[0].message).toBe(
      'revision 3 was made by no write: op 1 put x="2" @4 saw it, no ok write reports it, and no write of unknown outcome was invoked before it returned (etcd adds one revision per change, none for a request that changes nothing)',
    );
    // The default (a recorded history, where others may write to the store) allows it.
    resetClock();
    expect(checkRevisionOrder([...put('x', '1', 2), ...put('x', '2', 4)]).ok).toBe(true);
  });

  it('counts a revision a read saw, from a header or a key\'s modRevision, as one a write must have made', () => {
    resetClock();
    expect(contiguous([...put('x', '1', 2), ...noop(3)]).violations.map((v) => v.ops[0].revision)).toEqual([3]);
    resetClock();
    expect(contiguous([...get('x', 'v', 1, 2, 2)]).violations.map((v) => v.ops[0].revision)).toEqual([2]);
  });

  it('lets each write of unknown outcome fill one skipped revision, if it was invoked before the revision was seen', () => {
    resetClock();
    expect(contiguous([...info('x'), ...put('y', '1', 3)]).ok).toBe(true);
    resetClock();
    // One unknown write cannot make two revisions.
    expect(contiguous([...info('x'), ...put('y', '1', 4)]).violations.map((v) => v.ops[0].revision)).toEqual([3]);
    resetClock();
    // Invoked only after the revision was seen, it cannot have made it.
    expect(contiguous([...put('y', '1', 3), ...info('x')]).violations.map((v) => v.kind)).toEqual(['gap']);
    resetClock();
    // A txn of unknown outcome whose branches only read changes nothing.
    const readOnly = op(2, 'txn', { compare: [], success: [{ f: 'get', key: 'x' }], failure: [] }, null, undefined, 'info');
    expect(contiguous([...readOnly, ...put('y', '1', 3)]).ok).toBe(false);
  });
});