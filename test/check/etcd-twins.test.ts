/**
 * Twin info ops (src/check/twins.ts) and values no read returns (etcd-values.ts):
 * each case is one a wrong rule gets wrong (twins taken latest call first; a read
 * value merged with unread ones; values merged on a key a compare orders by value).
 */
import { describe, expect, it } from 'vitest';
import type { RawEvent } from '../../src/check/checker.js';
import { readValues } from '../../src/check/models/etcd-values.js';
import { verdict } from './etcd-ops.js';

const ev = (process: number, type: string, f: string, time: number, value: unknown, key?: string): RawEvent => ({ process, type, f, key, value, time });
/** An info put of `value` to `key` invoked at `time` that never returns. */
const infoPut = (process: number, key: string, value: string, time: number): RawEvent[] => [
  ev(process, 'invoke', 'put', time, { value }, key),
  ev(process, 'info', 'put', 1000, { value }, key),
];
const byTime = (events: RawEvent[]) => [...events].sort((a, b) => (a.time as number) - (b.time as number));

describe('twin info ops', () => {
  it('an earlier twin may stand where a later one is needed, not the other way round', () => {
    // Two info puts of unread values (twins): only the one invoked first can have created
    // the key at revision 2, before the put that took 3. Taking the later twin first refuses it.
    const history = byTime([
      ...infoPut(3, 'a', 'u1', 0),
      ev(0, 'invoke', 'put', 1, { value: 'b' }, 'a'),
      ev(0, 'ok', 'put', 2, { value: 'b', revision: 3 }, 'a'),
      ev(1, 'invoke', 'get', 3, null, 'a'),
      ev(1, 'ok', 'get', 4, { value: 'b', version: 2, createRevision: 2, modRevision: 3 }, 'a'),
      ...infoPut(4, 'a', 'u2', 5),
    ]);
    expect(verdict(history)).toBe('linearizable');
  });

  it('an info put of a value a read returned is no twin of one of an unread value', () => {
    // x is never read, y is (by a get that saw exactly one write). Two puts of y, so neither is
    // pinned. Were the put of x, invoked first, a twin of them, it would have to go first: version 2.
    const history = byTime([
      ...infoPut(3, 'a', 'x', 0),
      ...infoPut(4, 'a', 'y', 1),
      ...infoPut(5, 'a', 'y', 2),
      ev(1, 'invoke', 'get', 3, null, 'a'),
      ev(1, 'ok', 'get', 4, { value: 'y', version: 1, createRevision: 2, modRevision: 2 }, 'a'),
    ]);
    expect(verdict(history)).toBe('linearizable');
  });

  it('a key some compare orders by value keeps its unread values apart', () => {
    // Nothing reads a; the txn saw a value above "m": the put of "z" (revision 2), not of "a".
    const txn = (op: '>' | '<') => ({ compare: [{ key: 'a', target: 'value', op, value: 'm' }], success: [{ f: 'put', key: 'b', value: 't' }], failure: [] });
    const history = (op: '>' | '<') =>
      byTime([
        ...infoPut(3, 'a', 'a', 0),
        ...infoPut(4, 'a', 'z', 1),
        ev(0, 'invoke', 'txn', 2, txn(op)),
        ev(0, 'ok', 'txn', 3, { succeeded: true, revision: 3, results: [{ revision: 3 }] }),
      ]);
    expect(verdict(history('>'))).toBe('linearizable');
    expect(verdict(history('<'))).toBe('linearizable');
  });

  it('the stand-in for unread values is none of the values read', () => {
    const values = readValues([
      { type: 'ok', input: { f: 'get', key: 'a', serializable: false }, output: { f: 'get', result: { value: '\0unread', version: 1, createRevision: 2, modRevision: 2 } }, call: 0, ret: 1 },
    ]);
    expect(values.stored('a', '\0unread')).toBe('\0unread');
    expect(values.stored('a', 'other')).not.toBe('\0unread');
    expect(values.stored('b', 'x')).toBe(values.stored('a', 'other'));
  });
});
