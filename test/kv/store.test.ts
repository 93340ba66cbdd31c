import { describe, expect, it } from 'vitest';
import { ERROR_MESSAGES, MvccStore, prefixEnd, type RequestOp } from '../../src/kv/index.js';
import { del, errCode, get, put, unwrap } from './helpers.js';

const keys = (s: MvccStore, key: string, rangeEnd?: string, revision?: number): string[] =>
  unwrap(s.range({ key, rangeEnd, revision })).kvs.map((kv) => kv.key);

describe('revision rules', () => {
  it('starts at 1 and bumps by one per mutating request', () => {
    const s = new MvccStore();
    expect(s.revision).toBe(1);
    expect(unwrap(s.range({ key: 'a' })).header.revision).toBe(1);
    expect(unwrap(s.put({ key: 'a', value: '1' })).header.revision).toBe(2);
    expect(unwrap(s.put({ key: 'a', value: '1' })).header.revision).toBe(3); // same value still bumps
    expect(unwrap(s.deleteRange({ key: 'a' })).header.revision).toBe(4);
    expect(s.revision).toBe(4);
  });

  it('a txn with several writes is one revision; its kvs share the mod revision', () => {
    const s = new MvccStore();
    const r = unwrap(s.txn({ compare: [], success: [put('a', '1'), put('b', '2'), put('c', '3')], failure: [] }));
    expect(r.header.revision).toBe(2);
    expect(s.revision).toBe(2);
    const kvs = unwrap(s.range({ key: 'a', rangeEnd: 'd' })).kvs;
    expect(kvs.map((k) => [k.key, k.modRevision, k.createRevision])).toEqual([
      ['a', 2, 2],
      ['b', 2, 2],
      ['c', 2, 2],
    ]);
  });

  it('a delete of nothing, a read-only txn, compaction and a no-change txn do not bump', () => {
    const s = new MvccStore();
    unwrap(s.put({ key: 'a', value: '1' }));
    const d = unwrap(s.deleteRange({ key: 'zz' }));
    expect(d).toEqual({ header: { revision: 2, raftTerm: 0 }, deleted: 0 });
    const t = unwrap(s.txn({ compare: [], success: [get('a'), get('b')], failure: [] }));
    expect(t.header.revision).toBe(2);
    const t2 = unwrap(s.txn({ compare: [], success: [del('nothing')], failure: [put('x', '1')] }));
    expect(t2.succeeded).toBe(true);
    expect(t2.header.revision).toBe(2);
    unwrap(s.compact(2));
    expect(s.revision).toBe(2);
    unwrap(s.leaseGrant(5, 10));
    expect(s.revision).toBe(2);
  });
});

describe('version and create revision', () => {
  it('version counts puts in a generation; delete ends it; re-create starts over', () => {
    const s = new MvccStore();
    s.put({ key: 'k', value: 'a' }); // rev 2
    s.put({ key: 'k', value: 'b' }); // rev 3
    let kv = unwrap(s.range({ key: 'k' })).kvs[0];
    expect(kv).toEqual({ key: 'k', value: 'b', createRevision: 2, modRevision: 3, version: 2, lease: 0 });
    s.deleteRange({ key: 'k' }); // rev 4
    expect(unwrap(s.range({ key: 'k' })).kvs).toEqual([]);
    s.put({ key: 'k', value: 'c' }); // rev 5
    kv = unwrap(s.range({ key: 'k' })).kvs[0];
    expect(kv).toEqual({ key: 'k', value: 'c', createRevision: 5, modRevision: 5, version: 1, lease: 0 });
  });

  it('put prevKv and deleteRange prevKvs', () => {
    const s = new MvccStore();
    expect(unwrap(s.put({ key: 'k', value: 'a', prevKv: true })).prevKv).toBeUndefined();
    const p = unwrap(s.put({ key: 'k', value: 'b', prevKv: true }));
    expect(p.prevKv?.value).toBe('a');
    expect(p.header.revision).toBe(3);
    const d = unwrap(s.deleteRange({ key: 'a', rangeEnd: '\0', prevKv: true }));
    expect(d.deleted).toBe(1);
    expect(d.prevKvs?.map((kv) => kv.value)).toEqual(['b']);
  });

  it('rejects empty keys', () => {
    const s = new MvccStore();
    expect(errCode(s.put({ key: '', value: 'x' }))).toBe('ErrEmptyKey');
    expect(errCode(s.range({ key: '' }))).toBe('ErrEmptyKey');
    expect(s.revision).toBe(1);
  });
});

describe('range', () => {
  const s = new MvccStore();
  for (const k of ['a', 'ab', 'abc', 'b', 'ba', 'c']) s.put({ key: k, value: k.toUpperCase() });

  it('range_end forms: single key, [key,end), "\\0", prefix', () => {
    expect(keys(s, 'ab')).toEqual(['ab']);
    expect(keys(s, 'zz')).toEqual([]);
    expect(keys(s, 'ab', 'b')).toEqual(['ab', 'abc']);
    expect(keys(s, 'ab', 'ba')).toEqual(['ab', 'abc', 'b']);
    expect(keys(s, 'b', '\0')).toEqual(['b', 'ba', 'c']);
    expect(keys(s, '\0', '\0')).toEqual(['a', 'ab', 'abc', 'b', 'ba', 'c']);
    expect(keys(s, 'a', prefixEnd('a'))).toEqual(['a', 'ab', 'abc']);
    expect(keys(s, 'ab', prefixEnd('ab'))).toEqual(['ab', 'abc']);
    expect(keys(s, 'c', 'a')).toEqual([]); // end < key: empty
    expect(keys(s, 'b', 'b')).toEqual([]);
  });

  it('prefixEnd follows etcd GetPrefixRangeEnd on UTF-16 code units', () => {
    expect(prefixEnd('abc')).toBe('abd');
    expect(prefixEnd('a\uffff')).toBe('b');
    expect(prefixEnd('\uffff\uffff')).toBe('\0');
    expect(prefixEnd('')).toBe('\0');
  });

  it('limit, more, count, keysOnly, countOnly', () => {
    const r = unwrap(s.range({ key: 'a', rangeEnd: '\0', limit: 2 }));
    expect(r.kvs.map((kv) => kv.key)).toEqual(['a', 'ab']);
    expect(r.more).toBe(true);
    expect(r.count).toBe(6);
    const exact = unwrap(s.range({ key: 'a', rangeEnd: '\0', limit: 6 }));
    expect(exact.more).toBe(false);
    expect(exact.count).toBe(6);
    const none = unwrap(s.range({ key: 'a', rangeEnd: '\0', limit: 0 }));
    expect(none.kvs.length).toBe(6);
    expect(none.more).toBe(false);
    const ko = unwrap(s.range({ key: 'b', keysOnly: true }));
    expect(ko.kvs).toEqual([{ key: 'b', value: '', createRevision: 5, modRevision: 5, version: 1, lease: 0 }]);
    const co = unwrap(s.range({ key: 'a', rangeEnd: '\0', countOnly: true, limit: 1 }));
    expect(co).toEqual({ header: { revision: 7, raftTerm: 0 }, kvs: [], more: false, count: 6 });
  });

  it('keys are ordered by UTF-16 code units', () => {
    const u = new MvccStore();
    for (const k of ['\u00e9', 'z', 'Z', '\ud83d\ude00', '\uffee']) u.put({ key: k, value: '' });
    expect(keys(u, '\0', '\0')).toEqual(['Z', 'z', '\u00e9', '\ud83d\ude00', '\uffee']);
  });
});

describe('historical reads and compaction', () => {
  function build(): MvccStore {
    const s = new MvccStore();
    s.put({ key: 'a', value: '1' }); // 2
    s.put({ key: 'a', value: '2' }); // 3
    s.put({ key: 'b', value: '1' }); // 4
    s.deleteRange({ key: 'a' }); // 5
    s.put({ key: 'a', value: '3' }); // 6
    return s;
  }

  it('reads the state at a past revision; header is the current revision', () => {
    const s = build();
    const at = (rev: number) => unwrap(s.range({ key: 'a', rangeEnd: '\0', revision: rev }));
    expect(at(1).kvs).toEqual([]);
    expect(at(2).kvs.map((kv) => kv.value)).toEqual(['1']);
    expect(at(3).kvs[0]).toMatchObject({ value: '2', version: 2, createRevision: 2, modRevision: 3 });
    expect(at(4).kvs.map((kv) => kv.key)).toEqual(['a', 'b']);
    expect(at(5).kvs.map((kv) => kv.key)).toEqual(['b']);
    expect(at(6).kvs[0]).toMatchObject({ key: 'a', value: '3', version: 1, createRevision: 6 });
    expect(at(3).header.revision).toBe(6);
  });

  it('ErrFutureRev above the current revision', () => {
    const s = build();
    expect(errCode(s.range({ key: 'a', revision: 6 }))).toBeNull();
    const r = s.range({ key: 'a', revision: 7 });
    expect(r).toEqual({ ok: false, error: { code: 'ErrFutureRev', message: ERROR_MESSAGES.ErrFutureRev } });
    expect(ERROR_MESSAGES.ErrFutureRev).toBe('etcdserver: mvcc: required revision is a future revision');
  });

  it('compaction boundaries: rev < compact is compacted, compact rev itself is readable', () => {
    const s = build();
    unwrap(s.compact(4));
    expect(s.compactRevision).toBe(4);
    expect(errCode(s.range({ key: 'a', revision: 3 }))).toBe('ErrCompacted');
    expect(errCode(s.range({ key: 'a', revision: 1 }))).toBe('ErrCompacted');
    expect(unwrap(s.range({ key: 'a', rangeEnd: '\0', revision: 4 })).kvs.map((kv) => [kv.key, kv.value])).toEqual([
      ['a', '2'],
      ['b', '1'],
    ]);
    expect(keys(s, 'a', '\0', 5)).toEqual(['b']);
    expect(keys(s, 'a', '\0', 0)).toEqual(['a', 'b']);
    expect(ERROR_MESSAGES.ErrCompacted).toBe('etcdserver: mvcc: required revision has been compacted');
  });

  it('compact errors: <= compacted is ErrCompacted, > current is ErrFutureRev', () => {
    const s = build();
    expect(errCode(s.compact(0))).toBe('ErrCompacted');
    expect(errCode(s.compact(7))).toBe('ErrFutureRev');
    unwrap(s.compact(3));
    expect(errCode(s.compact(3))).toBe('ErrCompacted');
    expect(errCode(s.compact(2))).toBe('ErrCompacted');
    unwrap(s.compact(6));
    expect(keys(s, 'a', '\0', 6)).toEqual(['a', 'b']);
    expect(unwrap(s.range({ key: 'a' })).kvs[0]).toMatchObject({ value: '3', createRevision: 6, version: 1 });
  });

  it('compaction keeps a deleted key readable only before its deletion', () => {
    const s = new MvccStore();
    s.put({ key: 'x', value: '1' }); // 2
    s.put({ key: 'y', value: '1' }); // 3
    s.deleteRange({ key: 'x' }); // 4
    unwrap(s.compact(3));
    expect(keys(s, 'a', '\0', 3)).toEqual(['x', 'y']);
    expect(keys(s, 'a', '\0', 4)).toEqual(['y']);
    unwrap(s.compact(4));
    expect(keys(s, 'a', '\0', 4)).toEqual(['y']);
  });
});

describe('txn', () => {
  it('compares on a missing key: version/create/mod/lease are 0, VALUE is always false', () => {
    const s = new MvccStore();
    const ok = (c: Parameters<MvccStore['txn']>[0]['compare'][number]) =>
      unwrap(s.txn({ compare: [c], success: [], failure: [] })).succeeded;
    expect(ok({ key: 'm', target: 'VERSION', result: 'EQUAL', version: 0 })).toBe(true);
    expect(ok({ key: 'm', target: 'CREATE', result: 'EQUAL', createRevision: 0 })).toBe(true);
    expect(ok({ key: 'm', target: 'MOD', result: 'LESS', modRevision: 1 })).toBe(true);
    expect(ok({ key: 'm', target: 'LEASE', result: 'EQUAL', lease: 0 })).toBe(true);
    expect(ok({ key: 'm', target: 'VALUE', result: 'EQUAL', value: '' })).toBe(false);
    expect(ok({ key: 'm', target: 'VALUE', result: 'NOT_EQUAL', value: 'x' })).toBe(false);
  });

  it('compares on existing keys and picks the branch; reads see earlier writes', () => {
    const s = new MvccStore();
    s.put({ key: 'k', value: 'v1' }); // 2
    const t = unwrap(
      s.txn({
        compare: [
          { key: 'k', target: 'VALUE', result: 'EQUAL', value: 'v1' },
          { key: 'k', target: 'VERSION', result: 'GREATER', version: 0 },
          { key: 'k', target: 'MOD', result: 'EQUAL', modRevision: 2 },
        ],
        success: [get('k'), put('k', 'v2'), get('k'), del('other')],
        failure: [put('f', 'x')],
      }),
    );
    expect(t.succeeded).toBe(true);
    expect(t.header.revision).toBe(3);
    const [r1, p, r2, d] = t.responses;
    expect('responseRange' in r1 && r1.responseRange.kvs[0].value).toBe('v1');
    expect('responseRange' in r1 && r1.responseRange.header.revision).toBe(2);
    expect('responsePut' in p && p.responsePut.header.revision).toBe(3);
    expect('responseRange' in r2 && r2.responseRange.kvs[0]).toMatchObject({ value: 'v2', version: 2, modRevision: 3 });
    expect('responseDeleteRange' in d && d.responseDeleteRange.deleted).toBe(0);
    const f = unwrap(
      s.txn({
        compare: [{ key: 'k', target: 'VALUE', result: 'LESS', value: 'v2' }],
        success: [],
        failure: [put('f', 'x')],
      }),
    );
    expect(f.succeeded).toBe(false);
    expect(unwrap(s.range({ key: 'f' })).kvs[0].modRevision).toBe(4);
  });

  it('duplicate key in either branch is rejected without a revision bump', () => {
    const s = new MvccStore();
    const dup = (success: RequestOp[], failure: RequestOp[] = []) =>
      errCode(s.txn({ compare: [], success, failure }));
    expect(dup([put('a', '1'), put('a', '2')])).toBe('ErrDuplicateKey');
    expect(dup([put('b', '1'), del('a', 'c')])).toBe('ErrDuplicateKey');
    expect(dup([del('b'), put('b', '1')])).toBe('ErrDuplicateKey');
    expect(dup([put('z', '1'), del('a', '\0')])).toBe('ErrDuplicateKey');
    expect(dup([], [put('x', '1'), put('x', '1')])).toBe('ErrDuplicateKey'); // unexecuted branch too
    expect(dup([put('a', '1'), del('b', 'c'), del('b')])).toBeNull(); // overlapping deletes allowed
    const r = s.txn({ compare: [], success: [put('q', '1'), put('q', '2')], failure: [] });
    expect(r.ok ? null : r.error.message).toBe('etcdserver: duplicate key given in txn request');
    expect(s.revision).toBe(2);
  });

  it('executed-branch checks: unknown lease and bad read revisions fail the whole txn', () => {
    const s = new MvccStore();
    expect(errCode(s.txn({ compare: [], success: [put('a', '1', 99)], failure: [] }))).toBe('ErrLeaseNotFound');
    expect(errCode(s.txn({ compare: [], success: [], failure: [put('a', '1', 99)] }))).toBeNull();
    expect(
      errCode(s.txn({ compare: [], success: [put('a', '1'), { requestRange: { key: 'a', revision: 5 } }], failure: [] })),
    ).toBe('ErrFutureRev');
    expect(s.revision).toBe(1);
    expect(unwrap(s.range({ key: 'a' })).count).toBe(0);
  });
});
