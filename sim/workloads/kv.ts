import type { KvResponse } from '../../src/kv/commands.js';
import { prefixEnd } from '../../src/kv/keyIndex.js';
import type { KeyValue, RangeRequest, ResponseOp, TxnRequest } from '../../src/kv/types.js';
import { errorCode, type PlannedOp, type StepOutcome, type StepReply, type Workload } from '../kv-client.js';
import type { RandomStream } from '../random.js';

/**
 * Random keys, etcd's operations: get, put, delete, range reads and two-key
 * transactions, with the revisions the store returns. Checked with the `etcd` model,
 * which knows revisions, versions, txn compares and ranges. A share of the gets can be
 * serializable: those may be stale, are labelled so in the history, and the model does
 * not constrain them. Ranges are always linearizable reads.
 */
export function kvWorkload(keys: number, serializableShare: number, prefix = 'k', hotKeyShare = 0): Workload {
  const keyAt = (i: number) => `${prefix}${i}`;
  // Intervals are drawn over the keys in the store's (string) order: k10 < k2.
  const sorted = Array.from({ length: keys }, (_, i) => keyAt(i)).sort();
  return {
    next(_client: number, random: RandomStream): PlannedOp {
      const i = random.keyIndex(keys, hotKeyShare);
      const key = keyAt(i);
      const roll = random.float();
      if (roll < 0.35) return get(key, random.chance(serializableShare));
      if (roll < 0.65) return put(key, `v${random.int(0, 999)}`);
      if (roll < 0.75) return del(key);
      if (roll < 0.85) return range(rangeOver(sorted, prefix, random));
      const j = random.int(0, keys - 1);
      return txn(key, keyAt(j === i ? (i + 1) % keys : j), `v${random.int(0, 999)}`);
    },
  };
}

/**
 * The whole prefix, or [sorted[a], sorted[b]) with a < b, where b = keys means
 * "to the end of the prefix"; a third of the ranges carry a limit of 1 or 2, so
 * `more` and `count` get exercised.
 */
function rangeOver(sorted: readonly string[], prefix: string, random: RandomStream): RangeRequest {
  const end = prefixEnd(prefix);
  const a = random.int(0, sorted.length - 1);
  const b = random.int(a + 1, sorted.length);
  const whole = random.chance(0.25);
  const limit = random.chance(1 / 3) ? random.int(1, 2) : 0;
  const req: RangeRequest = whole ? { key: prefix, rangeEnd: end } : { key: sorted[a], rangeEnd: b < sorted.length ? sorted[b] : end };
  return limit > 0 ? { ...req, limit } : req;
}

function range(req: RangeRequest): PlannedOp {
  const value = { key: req.key, rangeEnd: req.rangeEnd, ...(req.limit === undefined ? {} : { limit: req.limit }) };
  return {
    f: 'range',
    value,
    request: { kind: 'range', req },
    mayHaveEffect: false,
    complete(reply) {
      if (reply.kind !== 'ok') return failed(reply, value);
      const r = reply.response;
      if (r.op !== 'range' || !r.ok) return { type: 'fail', value };
      const { kvs, count, more, header } = r.response;
      return {
        type: 'ok',
        value: { kvs: kvs.map((kv) => ({ key: kv.key, ...describeKv(kv) })), count, more, revision: header.revision },
      };
    },
  };
}

function describeKv(kv: KeyValue | undefined) {
  return kv
    ? { value: kv.value, version: kv.version, createRevision: kv.createRevision, modRevision: kv.modRevision }
    : { value: null, version: 0, createRevision: 0, modRevision: 0 };
}

function failed(reply: StepReply, value: unknown): StepOutcome {
  return { type: 'fail', value, error: errorCode(reply) };
}

function get(key: string, serializable: boolean): PlannedOp {
  const value = serializable ? { serializable: true } : null;
  return {
    f: 'get',
    key,
    value,
    request: { kind: 'range', req: { key }, serializable },
    mayHaveEffect: false,
    complete(reply) {
      if (reply.kind !== 'ok') return failed(reply, value);
      const r = reply.response;
      return r.op === 'range' && r.ok ? { type: 'ok', value: describeKv(r.response.kvs[0]) } : { type: 'fail', value };
    },
  };
}

function put(key: string, v: string): PlannedOp {
  return {
    f: 'put',
    key,
    value: { value: v },
    request: { kind: 'put', req: { key, value: v } },
    mayHaveEffect: true,
    complete(reply) {
      if (reply.kind !== 'ok') return failed(reply, { value: v });
      const r = reply.response;
      return r.op === 'put' && r.ok ? { type: 'ok', value: { value: v, revision: r.response.header.revision } } : { type: 'fail', value: { value: v } };
    },
  };
}

function del(key: string): PlannedOp {
  return {
    f: 'delete',
    key,
    value: null,
    request: { kind: 'deleteRange', req: { key } },
    mayHaveEffect: true,
    complete(reply) {
      if (reply.kind !== 'ok') return failed(reply, null);
      const r = reply.response;
      return r.op === 'deleteRange' && r.ok ? { type: 'ok', value: { deleted: r.response.deleted, revision: r.response.header.revision } } : { type: 'fail', value: null };
    },
  };
}

/** If `a` exists, write both keys in one revision; otherwise read `a`. */
function txn(a: string, b: string, v: string): PlannedOp {
  const value = {
    compare: [{ key: a, target: 'version', op: '>', value: 0 }],
    success: [
      { f: 'put', key: a, value: v },
      { f: 'put', key: b, value: v },
    ],
    failure: [{ f: 'get', key: a }],
  };
  const request: TxnRequest = {
    compare: [{ key: a, target: 'VERSION', result: 'GREATER', version: 0 }],
    success: [{ requestPut: { key: a, value: v } }, { requestPut: { key: b, value: v } }],
    failure: [{ requestRange: { key: a } }],
  };
  return {
    f: 'txn',
    value,
    request: { kind: 'txn', req: request },
    mayHaveEffect: true,
    complete(reply) {
      if (reply.kind !== 'ok') return failed(reply, value);
      const r: KvResponse = reply.response;
      if (r.op !== 'txn' || !r.ok) return { type: 'fail', value };
      const { succeeded, responses, header } = r.response;
      return { type: 'ok', value: { succeeded, revision: header.revision, results: responses.map(describeResult) } };
    },
  };
}

function describeResult(op: ResponseOp): object {
  if ('responsePut' in op) return { revision: op.responsePut.header.revision };
  if ('responseRange' in op) return describeKv(op.responseRange.kvs[0]);
  return { deleted: op.responseDeleteRange.deleted };
}

