/**
 * Public data types of the MVCC key-value store (etcd v3 semantics).
 *
 * Keys and values are JS strings. Key order is plain JS `<` comparison, i.e.
 * UTF-16 code unit order (for keys that are pure ASCII/Latin-1 this equals
 * etcd's byte-wise order; for other text it may differ from UTF-8 byte order
 * where surrogate pairs are involved).
 *
 * Field names follow etcd's v3 JSON API in camelCase.
 */

/** A store revision (etcd "main" revision). */
export type Revision = number;
/** A lease id; 0 means "no lease". */
export type LeaseId = number;

export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Revision of the creation of the current generation of this key. */
  readonly createRevision: Revision;
  /** Revision of the last modification. */
  readonly modRevision: Revision;
  /** 1 on create, +1 per put; reset when the key is deleted. */
  readonly version: number;
  /** Attached lease id, 0 for none. */
  readonly lease: LeaseId;
}

/** Every response carries a header. The store sets raftTerm to 0; the caller fills it. */
export interface ResponseHeader {
  revision: Revision;
  raftTerm: number;
}

export interface RangeRequest {
  key: string;
  /** undefined/"" = single key; "\0" = all keys >= key; else [key, rangeEnd). */
  rangeEnd?: string;
  /** 0 / undefined = no limit. */
  limit?: number;
  /** 0 / undefined = current revision. */
  revision?: Revision;
  keysOnly?: boolean;
  countOnly?: boolean;
}

export interface RangeResponse {
  header: ResponseHeader;
  kvs: KeyValue[];
  /** True when `limit` cut the result. */
  more: boolean;
  /** Total number of matching keys, ignoring limit. */
  count: number;
}

export interface PutRequest {
  key: string;
  value: string;
  lease?: LeaseId;
  prevKv?: boolean;
}

export interface PutResponse {
  header: ResponseHeader;
  prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  key: string;
  rangeEnd?: string;
  prevKv?: boolean;
}

export interface DeleteRangeResponse {
  header: ResponseHeader;
  deleted: number;
  prevKvs?: KeyValue[];
}

export type CompareResult = 'EQUAL' | 'NOT_EQUAL' | 'LESS' | 'GREATER';

interface CompareBase {
  key: string;
  /** Optional: compare every key in [key, rangeEnd) ("\0" = all keys >= key). */
  rangeEnd?: string;
  result: CompareResult;
}

export type Compare =
  | (CompareBase & { target: 'VALUE'; value: string })
  | (CompareBase & { target: 'VERSION'; version: number })
  | (CompareBase & { target: 'CREATE'; createRevision: Revision })
  | (CompareBase & { target: 'MOD'; modRevision: Revision })
  | (CompareBase & { target: 'LEASE'; lease: LeaseId });

export type CompareTarget = Compare['target'];

export type RequestOp =
  | { requestRange: RangeRequest }
  | { requestPut: PutRequest }
  | { requestDeleteRange: DeleteRangeRequest };

export type ResponseOp =
  | { responseRange: RangeResponse }
  | { responsePut: PutResponse }
  | { responseDeleteRange: DeleteRangeResponse };

export interface TxnRequest {
  compare: Compare[];
  success: RequestOp[];
  failure: RequestOp[];
}

export interface TxnResponse {
  header: ResponseHeader;
  succeeded: boolean;
  responses: ResponseOp[];
}

export interface CompactionResponse {
  header: ResponseHeader;
}

export interface LeaseGrantResponse {
  header: ResponseHeader;
  id: LeaseId;
  /** Granted TTL in seconds (raised to the store's minTtl if smaller). */
  ttl: number;
}

export interface LeaseRevokeResponse {
  header: ResponseHeader;
}

export interface LeaseTimeToLiveResponse {
  header: ResponseHeader;
  id: LeaseId;
  grantedTtl: number;
  /** Attached keys in sorted order. */
  keys: string[];
}

export interface LeaseInfo {
  id: LeaseId;
  ttl: number;
}

export type EventType = 'PUT' | 'DELETE';

/**
 * A watch event. For DELETE the kv only carries key and modRevision (the
 * deletion revision), other fields are zero/empty, as in etcd.
 * A create event is a PUT whose kv.version is 1.
 */
export interface Event {
  readonly type: EventType;
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export type KvErrorCode =
  | 'ErrCompacted'
  | 'ErrFutureRev'
  | 'ErrDuplicateKey'
  | 'ErrEmptyKey'
  | 'ErrTooManyOps'
  | 'ErrLeaseNotFound'
  | 'ErrLeaseExist'
  | 'ErrLeaseTTLTooLarge'
  | 'ErrNotPrimary'
  | 'ErrWatcherDuplicateID';

export interface KvError {
  readonly code: KvErrorCode;
  /** etcd's error text. */
  readonly message: string;
}

export type KvResult<T> = { ok: true; response: T } | { ok: false; error: KvError };
