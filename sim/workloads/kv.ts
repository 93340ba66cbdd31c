import type { KvResponse } from '../../src/kv/commands.js';
import type { KeyValue, ResponseOp, TxnRequest } from '../../src/kv/types.js';
import { errorCode, type PlannedOp, type StepOutcome, type StepReply, type Workload } from '../kv-client.js';
import type { RandomStream } from '../random.js';

/**
 * Random keys, etcd's operations: get, put, delete and two-key transactions, with the
 * revisions the store returns. Checked with the `etcd` model, which knows revisions,
 * versions and txn compares. A share of the gets can be serializable: those may be
 * stale, are labelled so in the history, and the model does not constrain them.
 */
export function kvWorkload(keys: number, serializableShare: number, prefix = 'k'): Workload {
  const keyAt = (i: number) => `${prefix}${i}`;
  return {
    next(_client: number, random: RandomStream): PlannedOp {
      const i = random.int(0, keys - 1);
      const key = keyAt(i);
      const roll = random.float();
      if (roll < 0.4) return get(key, random.chance(serializableShare));
      if (roll < 0.7) return put(key, `v${random.int(0, 999)}`);
      if (roll < 0.8) return del(key);
      const j = random.int(0, keys - 1);
      return txn(key, keyAt(j === i ? (i + 1) % keys : j), `v${random.int(0, 999)}`);
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

