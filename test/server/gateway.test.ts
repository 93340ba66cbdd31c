import { describe, expect, it } from 'vitest';
import { formatRange, formatTxn, parseTxnInput, asEtcdctlJson } from '../../src/cli/ctl-format.js';
import { prefixEnd } from '../../src/cli/ctl-command.js';
import { GatewayError } from '../../src/server/gateway-errors.js';
import { parseJsonObjects, parseUnary } from '../../src/server/gateway-requests.js';
import { b64, keyValue, responseBody } from '../../src/server/gateway-responses.js';
import { parseForwardedRequest } from '../../src/server/peer-messages.js';

const who = { clusterId: '18446744073709551615', memberId: '1' };

describe('the JSON gateway codec', () => {
  it('decodes base64 bytes one character per byte, so binary keys survive the round trip', () => {
    const key = Buffer.from([0xff, 0x00, 0x41]).toString('base64');
    const request = parseUnary('/v3/kv/put', { key, value: '', lease: '7' });
    expect(request).toEqual({ kind: 'put', req: { key: '\u00ff\u0000A', value: '', lease: 7, prevKv: false } });
    expect(b64('\u00ff\u0000A')).toBe(key);
  });

  it('takes proto and camelCase names, int64s as strings or numbers, enums as names or numbers', () => {
    const a = parseUnary('/v3/kv/range', { key: 'YQ==', range_end: 'Yg==', limit: '3', keys_only: true });
    const b = parseUnary('/v3/kv/range', { key: 'YQ==', rangeEnd: 'Yg==', limit: 3, keysOnly: true });
    expect(a).toEqual(b);
    const txn = parseUnary('/v3/kv/txn', { compare: [{ key: 'YQ==', target: 2, result: 3, mod_revision: '5' }], success: [{ requestRange: { key: 'YQ==' } }] });
    expect(txn).toMatchObject({ kind: 'txn', req: { compare: [{ target: 'MOD', result: 'NOT_EQUAL', modRevision: 5 }], failure: [] } });
    // Both enums default to their zero value, as protobuf's JSON mapping says: VERSION and EQUAL.
    expect(parseUnary('/v3/kv/txn', { compare: [{ key: 'YQ==' }] })).toMatchObject({ req: { compare: [{ target: 'VERSION', result: 'EQUAL', version: 0 }] } });
  });

  it('refuses what it cannot do with a code, never by guessing', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof GatewayError ? error.code : 'other';
      }
      return 'none';
    };
    expect(code(() => parseUnary('/v3/kv/range', { key: 'YQ==', sort_order: 'DESCEND' }))).toBe(12);
    expect(code(() => parseUnary('/v3/kv/range', { key: 'not base64!' }))).toBe(3);
    expect(code(() => parseUnary('/v3/kv/range', { key: 'YQ==', limit: '9007199254740993' }))).toBe(3);
    expect(code(() => parseUnary('/v3/lease/grant', { TTL: '5', ID: '9' }))).toBe(12);
    expect(code(() => parseUnary('/v3/kv/txn', { success: [{ request_txn: {} }] }))).toBe(12);
  });

  it('splits a streamed body into its objects', () => {
    expect(parseJsonObjects('{"a":"}{"} {"b":{"c":1}}\n{"d":"\\""}')).toEqual([{ a: '}{' }, { b: { c: 1 } }, { d: '"' }]);
    expect(() => parseJsonObjects('{"a":1')).toThrow(/unexpected EOF/);
  });

  it('leaves zero fields out and writes int64s as strings, as etcd\'s gateway does', () => {
    expect(keyValue({ key: 'k', value: '', createRevision: 2, modRevision: 3, version: 1, lease: 0 })).toEqual({
      key: 'aw==',
      create_revision: '2',
      mod_revision: '3',
      version: '1',
    });
    const body = responseBody(who, { op: 'range', ok: true, response: { header: { revision: 4, raftTerm: 2 }, kvs: [], more: false, count: 0 } });
    expect(body).toEqual({ header: { cluster_id: who.clusterId, member_id: '1', revision: '4', raft_term: '2' } });
  });
});

describe('forwarded requests', () => {
  it('reach the log only when the log\'s own schema would decode them again', () => {
    const put = { kind: 'put', req: { key: 'k', value: 'v', lease: 0, prevKv: false } };
    expect(parseForwardedRequest(put)).toEqual(put);
    expect(parseForwardedRequest(parseUnary('/v3/kv/txn', { compare: [{ key: 'YQ==' }], success: [{ request_put: { key: 'YQ==', value: '' } }] }))).toBeDefined();
    for (const bad of [null, 'put', { kind: 'put', req: {} }, { kind: 'put', req: { key: 1, value: 'v' } }, { kind: 'txn', req: { compare: [{ target: 'NOPE' }], success: [], failure: [] } }, { kind: 'leaseGrant', ttl: '5' }, { kind: 'watchCreate', req: { key: 'k' } }]) {
      expect(parseForwardedRequest(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('raftsim ctl formatting', () => {
  it('computes etcd\'s prefix end', () => {
    expect(Buffer.from(prefixEnd('abc'), 'base64').toString()).toBe('abd');
    expect(Buffer.from(prefixEnd(''), 'base64')).toEqual(Buffer.from([0]));
  });

  it('reads etcdctl txn input and prints its result', () => {
    const txn = parseTxnInput('mod("k") > "0"\nvalue("v") = "two words"\n\nput k "a b"\nget k\n\ndel k\n');
    expect(txn).toMatchObject({
      compare: [{ target: 'MOD', result: 'GREATER', mod_revision: '0' }, { target: 'VALUE', value: Buffer.from('two words').toString('base64') }],
      success: [{ request_put: { value: Buffer.from('a b').toString('base64') } }, { request_range: {} }],
      failure: [{ request_delete_range: {} }],
    });
    expect(formatTxn({ succeeded: true, responses: [{ response_put: {} }, { response_range: { kvs: [{ key: 'aw==', value: 'dg==' }] } }] })).toEqual(['SUCCESS', '', 'OK', '', 'k', 'v']);
    expect(formatRange({ kvs: [{ key: 'aw==', value: 'dg==' }] }, { printValueOnly: true })).toEqual(['v']);
  });

  it('prints -w json with bare numbers, exact beyond 2^53', () => {
    expect(asEtcdctlJson({ header: { cluster_id: who.clusterId, revision: '4' }, kvs: [{ key: 'MTIz', version: '1' }] })).toBe(
      `{"header":{"cluster_id":${who.clusterId},"revision":4},"kvs":[{"key":"MTIz","version":1}]}`,
    );
  });
});
