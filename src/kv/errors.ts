import type { KvError, KvErrorCode, KvResult } from './types.js';

/** etcd's error texts, as returned over its gRPC API. */
export const ERROR_MESSAGES: Readonly<Record<KvErrorCode, string>> = {
  ErrCompacted: 'etcdserver: mvcc: required revision has been compacted',
  ErrFutureRev: 'etcdserver: mvcc: required revision is a future revision',
  ErrDuplicateKey: 'etcdserver: duplicate key given in txn request',
  ErrEmptyKey: 'etcdserver: key is not provided',
  ErrTooManyOps: 'etcdserver: too many operations in txn request',
  ErrLeaseNotFound: 'etcdserver: requested lease not found',
  ErrLeaseExist: 'etcdserver: lease already exists',
  ErrLeaseTTLTooLarge: 'etcdserver: too large lease TTL',
  ErrNotPrimary: 'etcdserver: not primary',
  ErrWatcherDuplicateID: 'etcdserver: mvcc: duplicate watch ID provided on the WatchStream',
};

export function kvError(code: KvErrorCode): KvError {
  return { code, message: ERROR_MESSAGES[code] };
}

export function fail<T>(code: KvErrorCode): KvResult<T> {
  return { ok: false, error: kvError(code) };
}

export function ok<T>(response: T): KvResult<T> {
  return { ok: true, response };
}
