/** The etcd model's range reads: interval contents, count and limit, the header, parts, pins, parsing. */
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/checker.js';
import { etcdModel } from '../../src/check/models/etcd.js';
import { parseEtcdInput, parseEtcdOutput } from '../../src/check/models/etcd-parse.js';
import { op, put, verdict } from './etcd-ops.js';

const infoPut = (process: number, k: string, v: string) => op(process, 'put', { value: v }, null, k, 'info');
const kv = (key: string, value: string, version: number, createRevision: number, modRevision: number) => ({ key, value, version, createRevision, modRevision });
type Kv = ReturnType<typeof kv>;
const range = (spec: { key: string; rangeEnd?: string; limit?: number }, kvs: Kv[], count: number, more: boolean, revision: number) =>
  op(1, 'range', spec, { kvs, count, more, revision });

const A = kv('a', 'x', 1, 2, 2);
const B = kv('b', 'y', 1, 3, 3);
const both = () => [...put('a', 'x', 2), ...put('b', 'y', 3)];

describe('etcd model: range', () => {
  it('returns exactly the live keys of the interval, in key order', () => {
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'c' }, [A, B], 2, false, 3)])).toBe('linearizable');
    // b was written after a returned: a range that misses a cannot be placed anywhere.
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'c' }, [B], 1, false, 3)])).toBe('not-linearizable');
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'c' }, [B, A], 2, false, 3)])).toBe('not-linearizable');
    // The end is exclusive, "\0" is no end, no rangeEnd is the single key.
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'b' }, [A], 1, false, 3)])).toBe('linearizable');
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'b' }, [A, B], 2, false, 3)])).toBe('not-linearizable');
    expect(verdict([...both(), ...range({ key: 'b', rangeEnd: '\0' }, [B], 1, false, 3)])).toBe('linearizable');
    expect(verdict([...both(), ...range({ key: 'b' }, [B], 1, false, 3)])).toBe('linearizable');
    // A deleted key is gone from the range.
    const del = () => op(2, 'delete', null, { deleted: 1, revision: 4 }, 'a');
    expect(verdict([...both(), ...del(), ...range({ key: 'a', rangeEnd: 'c' }, [B], 1, false, 4)])).toBe('linearizable');
    expect(verdict([...both(), ...del(), ...range({ key: 'a', rangeEnd: 'c' }, [A, B], 2, false, 4)])).toBe('not-linearizable');
  });

  it('count ignores the limit; more says the limit cut the result', () => {
    const all = { key: 'a', rangeEnd: '\0', limit: 1 };
    expect(verdict([...both(), ...range(all, [A], 2, true, 3)])).toBe('linearizable');
    expect(verdict([...both(), ...range(all, [A], 1, false, 3)])).toBe('not-linearizable');
    expect(verdict([...both(), ...range(all, [A], 2, false, 3)])).toBe('not-linearizable');
    expect(verdict([...both(), ...range(all, [A, B], 2, false, 3)])).toBe('not-linearizable');
    expect(verdict([...both(), ...range(all, [B], 2, true, 3)])).toBe('not-linearizable');
    // A limit above the count cuts nothing.
    expect(verdict([...both(), ...range({ ...all, limit: 5 }, [A, B], 2, false, 3)])).toBe('linearizable');
  });

  it('the header revision bounds the store revision like a read-only txn', () => {
    expect(verdict([...put('a', 'x', 5), ...range({ key: 'a', rangeEnd: 'c' }, [kv('a', 'x', 1, 5, 5)], 1, false, 4)])).toBe('not-linearizable');
    // Other keys' writes may have moved the store on; later writes must then be above.
    const seen = () => range({ key: 'a', rangeEnd: 'c' }, [kv('a', 'x', 1, 5, 5)], 1, false, 7);
    expect(verdict([...put('a', 'x', 5), ...seen(), ...put('a', 'z', 8)])).toBe('linearizable');
    expect(verdict([...put('a', 'x', 5), ...seen(), ...put('a', 'z', 6)])).toBe('not-linearizable');
  });

  it('learns an unknown revision from a range, and that revision cannot be above the header', () => {
    // Two info puts of one value: no pin, the search learns the revision from the read.
    const infos = [...infoPut(4, 'a', 'x'), ...infoPut(5, 'a', 'x')];
    const read = (rev: number) => range({ key: 'a', rangeEnd: 'c' }, [kv('a', 'x', 1, 8, 8)], 1, false, rev);
    expect(verdict([...infos, ...read(8)])).toBe('linearizable');
    expect(verdict([...infos, ...read(7)])).toBe('not-linearizable');
    expect(verdict([...infos, ...read(9), ...put('a', 'z', 10)])).toBe('linearizable');
    expect(verdict([...infos, ...op(1, 'range', { key: 'a', rangeEnd: 'c' }, { kvs: [kv('a', 'x', 1, 8, 8)], count: 1, more: false }), ...put('a', 'z', 8)])).toBe('not-linearizable');
  });

  it('joins the parts of every history key in its interval; an interval with none gets its own part', () => {
    const result = checkHistory([...both(), ...put('z', 'q', 4), ...range({ key: 'a', rangeEnd: 'c' }, [A, B], 2, false, 4)], { model: 'etcd' });
    expect(result.verdict).toBe('linearizable');
    expect(result.partResults.map((p) => p.keys)).toEqual([['a', 'b'], ['z']]);
    expect(verdict([...both(), ...range({ key: 'a', rangeEnd: 'c' }, [B], 1, false, 3)])).toBe('not-linearizable');
    const empty = checkHistory([...both(), ...range({ key: 'm', rangeEnd: 'n' }, [], 0, false, 3)], { model: 'etcd' });
    expect(empty.verdict).toBe('linearizable');
    expect(empty.partResults.map((p) => p.keys)).toEqual([['a'], ['b'], ['["m", "n")']]);
    // Nothing ever wrote m1.
    expect(verdict([...both(), ...range({ key: 'm', rangeEnd: 'n' }, [kv('m1', 'x', 1, 2, 2)], 1, false, 3)])).toBe('not-linearizable');
  });

  it('serializable and unknown ranges are not checked', () => {
    const stale = op(1, 'range', { key: 'a', rangeEnd: 'c', serializable: true }, { kvs: [], count: 0, more: false, revision: 1 });
    expect(verdict([...both(), ...stale])).toBe('linearizable');
    expect(verdict([...both(), ...op(1, 'range', { key: 'a', rangeEnd: 'c' }, null, undefined, 'info')])).toBe('linearizable');
  });

  it('a range returning the only value an info put wrote pins that put to its modRevision', () => {
    const events = [...put('a', 'w', 2), ...infoPut(3, 'a', 'x'), ...range({ key: 'a', rangeEnd: 'c' }, [kv('a', 'x', 2, 2, 6)], 1, false, 6)];
    const ops = [
      { type: 'ok' as const, f: 'put', key: 'a', value: { value: 'w' }, out: { value: 'w', revision: 2 }, call: 0, ret: 1 },
      { type: 'info' as const, f: 'put', key: 'a', value: { value: 'x' }, out: undefined, call: 2, ret: Infinity },
      { type: 'ok' as const, f: 'range', key: '', value: { key: 'a', rangeEnd: 'c' }, out: { kvs: [kv('a', 'x', 2, 2, 6)], count: 1, more: false, revision: 6 }, call: 4, ret: 5 },
    ].map((o) => {
      const input = parseEtcdInput(o.f, o.key, o.value);
      return { type: o.type, input, output: o.out === undefined ? undefined : parseEtcdOutput(input, o.out), call: o.call, ret: o.ret };
    });
    const pinned = etcdModel.prepare?.(ops).pinned;
    expect(pinned?.get(1)).toMatchObject({ output: { f: 'put', revision: 6 }, ret: 5 });
    expect(verdict(events)).toBe('linearizable');
    // The pinned revision binds: a later write cannot take it.
    expect(verdict([...events, ...put('a', 'z', 6)])).toBe('not-linearizable');
  });

  it('malformed ranges are one-line errors naming the line and the field', () => {
    const bad = (value: unknown, result: unknown) => () => checkHistory(op(1, 'range', value, result), { model: 'etcd', fileName: 'h.jsonl' });
    const good = { kvs: [], count: 0, more: false, revision: 1 };
    expect(bad({ key: 'a', rangeEnd: 'c', limit: -1 }, good)).toThrow('h.jsonl:1: field "value.limit": expected an integer >= 0, got -1');
    expect(bad({ key: '' }, good)).toThrow('h.jsonl:1: field "value.key": expected a non-empty key');
    expect(bad({ key: 'a', countOnly: true }, good)).toThrow('h.jsonl:1: field "value.countOnly": not supported by the etcd model');
    expect(bad({ key: 'a', rangeEnd: 'c' }, { count: 0, more: false })).toThrow('h.jsonl:2: field "value.kvs": expected an array');
    expect(bad({ key: 'a', rangeEnd: 'c' }, { ...good, kvs: [{ key: 'a', value: null, version: 1, createRevision: 2, modRevision: 2 }] })).toThrow(
      'h.jsonl:2: field "value.kvs[0].value": expected a string, got null',
    );
    expect(bad({ key: 'a', rangeEnd: 'c' }, { ...good, more: 'no' })).toThrow('h.jsonl:2: field "value.more": expected true or false, got "no"');
  });
});
