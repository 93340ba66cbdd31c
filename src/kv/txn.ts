/**
 * Txn request validation (etcd's gRPC-layer checks, done before apply) and
 * compare evaluation.
 */
import { ALL_KEYS_END } from './keyIndex.js';
import type { Compare, KeyValue, KvErrorCode, RequestOp, TxnRequest } from './types.js';

/** Default maximum number of operations in one txn branch (etcd --max-txn-ops). */
export const DEFAULT_MAX_TXN_OPS = 128;

function opKey(op: RequestOp): string {
  if ('requestPut' in op) return op.requestPut.key;
  if ('requestDeleteRange' in op) return op.requestDeleteRange.key;
  return op.requestRange.key;
}

/** Does the delete interval (key, rangeEnd) contain point k? */
function deleteCovers(key: string, rangeEnd: string | undefined, k: string): boolean {
  if (rangeEnd === undefined || rangeEnd === '') return k === key;
  if (rangeEnd === ALL_KEYS_END) return k >= key;
  return k >= key && k < rangeEnd;
}

/**
 * etcd's checkIntervals for one branch: two puts of the same key, or a put of
 * a key covered by a delete_range in the same branch, is a duplicate.
 * Overlapping delete ranges are allowed (as in etcd).
 */
function checkBranch(ops: readonly RequestOp[]): KvErrorCode | null {
  const puts = new Set<string>();
  for (const op of ops) {
    if (!('requestPut' in op)) continue;
    const k = op.requestPut.key;
    if (puts.has(k)) return 'ErrDuplicateKey';
    puts.add(k);
  }
  if (puts.size === 0) return null;
  for (const op of ops) {
    if (!('requestDeleteRange' in op)) continue;
    const d = op.requestDeleteRange;
    for (const k of puts) if (deleteCovers(d.key, d.rangeEnd, k)) return 'ErrDuplicateKey';
  }
  return null;
}

/**
 * Request-level validation of a txn (both branches, independent of which one
 * will run), as etcd does before proposing: op count, empty keys, duplicates.
 */
export function validateTxn(req: TxnRequest, maxTxnOps: number): KvErrorCode | null {
  if (req.compare.length > maxTxnOps || req.success.length > maxTxnOps || req.failure.length > maxTxnOps) {
    return 'ErrTooManyOps';
  }
  for (const c of req.compare) if (c.key === '') return 'ErrEmptyKey';
  for (const op of req.success) if (opKey(op) === '') return 'ErrEmptyKey';
  for (const op of req.failure) if (opKey(op) === '') return 'ErrEmptyKey';
  return checkBranch(req.success) ?? checkBranch(req.failure);
}

function cmp<T extends string | number>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** etcd's compareKV on one key-value (a missing key is the zero KeyValue). */
export function compareKv(c: Compare, kv: KeyValue): boolean {
  let r: number;
  switch (c.target) {
    case 'VALUE':
      r = cmp(kv.value, c.value);
      break;
    case 'VERSION':
      r = cmp(kv.version, c.version);
      break;
    case 'CREATE':
      r = cmp(kv.createRevision, c.createRevision);
      break;
    case 'MOD':
      r = cmp(kv.modRevision, c.modRevision);
      break;
    case 'LEASE':
      r = cmp(kv.lease, c.lease);
      break;
  }
  switch (c.result) {
    case 'EQUAL':
      return r === 0;
    case 'NOT_EQUAL':
      return r !== 0;
    case 'LESS':
      return r < 0;
    case 'GREATER':
      return r > 0;
  }
}

const ZERO_KV = (key: string): KeyValue => ({
  key,
  value: '',
  createRevision: 0,
  modRevision: 0,
  version: 0,
  lease: 0,
});

/**
 * etcd's applyCompare: every key in the compare's range must satisfy it; with
 * no key present, VALUE compares are false and other targets compare against
 * zero (version = create = mod = lease = 0).
 */
export function evalCompare(c: Compare, kvs: readonly KeyValue[]): boolean {
  if (kvs.length === 0) {
    if (c.target === 'VALUE') return false;
    return compareKv(c, ZERO_KV(c.key));
  }
  for (const kv of kvs) if (!compareKv(c, kv)) return false;
  return true;
}
