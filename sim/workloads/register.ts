import { errorCode, type PlannedOp, type Workload } from '../kv-client.js';
import type { RandomStream } from '../random.js';

/**
 * Jepsen's etcd register test: reads, writes and compare-and-sets of small integers
 * on a few keys. Checked with the `register` model: a read returns the last value
 * written (or null), a cas swaps only when the current value matches.
 */
export function registerWorkload(keys: number, hotKeyShare = 0): Workload {
  return {
    next(_client: number, random: RandomStream): PlannedOp {
      const key = `r${random.keyIndex(keys, hotKeyShare)}`;
      const roll = random.float();
      if (roll < 0.5) return read(key);
      if (roll < 0.75) return write(key, random.int(0, 4));
      return cas(key, random.int(0, 4), random.int(0, 4));
    },
  };
}

function read(key: string): PlannedOp {
  return {
    f: 'read',
    key,
    value: null,
    request: { kind: 'range', req: { key } },
    mayHaveEffect: false,
    complete(reply) {
      if (reply.kind !== 'ok') return { type: 'fail', value: null, error: errorCode(reply) };
      if (reply.response.op !== 'range' || !reply.response.ok) return { type: 'fail', value: null, error: 'unexpected reply' };
      const kv = reply.response.response.kvs[0];
      return { type: 'ok', value: kv ? Number(kv.value) : null };
    },
  };
}

function write(key: string, value: number): PlannedOp {
  return {
    f: 'write',
    key,
    value,
    request: { kind: 'put', req: { key, value: String(value) } },
    mayHaveEffect: true,
    complete(reply) {
      return reply.kind === 'ok' ? { type: 'ok', value } : { type: 'fail', value, error: errorCode(reply) };
    },
  };
}

function cas(key: string, expected: number, next: number): PlannedOp {
  const value = [expected, next];
  return {
    f: 'cas',
    key,
    value,
    request: {
      kind: 'txn',
      req: {
        compare: [{ key, target: 'VALUE', result: 'EQUAL', value: String(expected) }],
        success: [{ requestPut: { key, value: String(next) } }],
        failure: [],
      },
    },
    mayHaveEffect: true,
    complete(reply) {
      if (reply.kind !== 'ok') return { type: 'fail', value, error: errorCode(reply) };
      const response = reply.response;
      // A compare that did not hold means the cas certainly did not happen.
      return response.op === 'txn' && response.ok && response.response.succeeded ? { type: 'ok', value } : { type: 'fail', value };
    },
  };
}
