import { describe, expect, it } from 'vitest';
import {
  Lessor,
  MvccStore,
  applyCommand,
  applyToLessor,
  decodeCommand,
  encodeCommand,
  type KvCommand,
} from '../../src/kv/index.js';
import { del, get, put, unwrap } from './helpers.js';

const script: KvCommand[] = [
  { op: 'leaseGrant', id: 5, ttl: 30 },
  { op: 'put', key: 'a', value: '1' },
  { op: 'put', key: 'b', value: '1', lease: 5 },
  { op: 'txn', compare: [], success: [put('c', '1', 5), put('d', '1'), del('a')], failure: [] },
  { op: 'put', key: 'a', value: '2' },
  { op: 'put', key: 'a', value: '3' },
  { op: 'compact', revision: 4 },
  { op: 'deleteRange', key: 'd' },
  { op: 'put', key: 'e\u00e9\ud83d', value: 'weird "json" \n' },
  { op: 'leaseGrant', id: 6, ttl: 1 },
  { op: 'txn', compare: [], success: [put('z', '1'), del('b'), put('c', '2')], failure: [] },
];

function built(): MvccStore {
  const s = new MvccStore();
  for (const c of script) {
    const r = applyCommand(s, c);
    if (!r.ok) throw new Error(r.error.message);
  }
  return s;
}

const followUps: KvCommand[] = [
  { op: 'range', key: '\0', rangeEnd: '\0', revision: 4 },
  { op: 'range', key: 'a', revision: 3 },
  { op: 'put', key: 'b', value: '2', prevKv: true },
  { op: 'leaseRevoke', id: 5 },
  { op: 'txn', compare: [{ key: 'a', target: 'VERSION', result: 'EQUAL', version: 2 }], success: [get('a')], failure: [] },
  { op: 'compact', revision: 4 },
  { op: 'compact', revision: 7 },
  { op: 'range', key: '\0', rangeEnd: '\0', revision: 6 },
];

describe('snapshot / restore', () => {
  it('is deterministic and round-trips exactly', () => {
    const a = built();
    const b = built();
    expect(a.snapshot()).toBe(b.snapshot());
    const r = MvccStore.restore(a.snapshot());
    expect(r.snapshot()).toBe(a.snapshot());
    expect(r.revision).toBe(a.revision);
    expect(r.compactRevision).toBe(4);
    expect(r.leaseList()).toEqual(a.leaseList());
    expect(unwrap(r.leaseTimeToLive(5))).toEqual(unwrap(a.leaseTimeToLive(5)));
  });

  it('restored store answers reads, watch history and later commands identically', () => {
    const a = built();
    const r = MvccStore.restore(a.snapshot());
    expect(r.eventsSince(5, '\0', '\0')).toEqual(a.eventsSince(5, '\0', '\0'));
    expect(r.eventsSince(4, '\0', '\0')).toEqual(a.eventsSince(4, '\0', '\0'));
    for (let rev = 0; rev <= a.revision + 1; rev++) {
      expect(r.range({ key: '\0', rangeEnd: '\0', revision: rev })).toEqual(a.range({ key: '\0', rangeEnd: '\0', revision: rev }));
    }
    for (const c of followUps) expect(applyCommand(r, c, 3)).toEqual(applyCommand(a, c, 3));
    expect(r.snapshot()).toBe(a.snapshot());
  });

  it('rejects corrupt snapshots with a clear error', () => {
    expect(() => MvccStore.restore('{')).toThrow(/kv snapshot: invalid JSON/);
    expect(() => MvccStore.restore('{"v":1}')).toThrow(/kv snapshot: invalid format/);
    const snap = JSON.parse(built().snapshot()) as { keys: unknown[] };
    snap.keys.reverse();
    expect(() => MvccStore.restore(JSON.stringify(snap))).toThrow(/not strictly sorted/);
  });
});

describe('commands', () => {
  it('encode/decode round-trips every command kind', () => {
    for (const c of [...script, ...followUps]) expect(decodeCommand(encodeCommand(c))).toEqual(c);
  });

  it('decode fails loudly on corrupt entries', () => {
    expect(() => decodeCommand('not json')).toThrow(/not valid JSON/);
    expect(() => decodeCommand('{"op":"frobnicate"}')).toThrow(/invalid kv command/);
    expect(() => decodeCommand('{"op":"put","key":"a"}')).toThrow(/value/);
    expect(() => decodeCommand('{"op":"put","key":"a","value":"b","bogus":1}')).toThrow(/bogus/);
    expect(() => decodeCommand('{"op":"compact","revision":1.5}')).toThrow(/invalid kv command/);
    expect(() =>
      decodeCommand('{"op":"txn","compare":[{"key":"a","target":"VALUE","result":"EQUAL","version":1}],"success":[],"failure":[]}'),
    ).toThrow(/invalid kv command/);
    expect(() => decodeCommand('{"op":"txn","compare":[],"success":[{"requestTxn":{}}],"failure":[]}')).toThrow(
      /invalid kv command/,
    );
  });

  it('applyCommand tags responses, fills raftTerm, returns errors as values', () => {
    const s = new MvccStore();
    const p = applyCommand(s, { op: 'put', key: 'k', value: 'v' }, 7);
    expect(p).toEqual({ op: 'put', ok: true, response: { header: { revision: 2, raftTerm: 7 } } });
    const t = applyCommand(s, { op: 'txn', compare: [], success: [get('k'), put('j', '1')], failure: [] }, 8);
    expect(t.ok && t.op === 'txn' && t.response.responses.map((r) => Object.values(r)[0].header.raftTerm)).toEqual([8, 8]);
    const e = applyCommand(s, { op: 'range', key: 'k', revision: 99 }, 8);
    expect(e).toEqual({
      op: 'range',
      ok: false,
      error: { code: 'ErrFutureRev', message: 'etcdserver: mvcc: required revision is a future revision' },
    });
  });

  it('applyToLessor follows applied grants and revokes', () => {
    const s = new MvccStore({ minTtl: 2 });
    const l = new Lessor();
    l.promote(0);
    for (const c of [
      { op: 'leaseGrant', id: 1, ttl: 1 },
      { op: 'leaseGrant', id: 2, ttl: 10 },
      { op: 'leaseGrant', id: 2, ttl: 99 }, // fails: exists
      { op: 'leaseRevoke', id: 2 },
    ] as KvCommand[]) {
      applyToLessor(l, c, applyCommand(s, c), 0);
    }
    expect(l.has(1)).toBe(true);
    expect(l.has(2)).toBe(false);
    expect(l.expired(1999)).toEqual([]); // granted TTL was raised to minTtl = 2
    expect(l.expired(2000)).toEqual([1]);
  });
});
