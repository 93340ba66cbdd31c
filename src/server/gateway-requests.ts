import type { KvRequest } from '../kv/protocol.js';
import type { Compare, CompareResult, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from '../kv/types.js';
import type { WatchCreateRequest } from '../kv/watch.js';
import { invalid, unimplemented } from './gateway-errors.js';

/**
 * Requests of etcd's v3 JSON gateway (grpc-gateway over etcdserverpb) decoded into the
 * service's KvRequest. As protobuf's JSON mapping allows, a field may be spelt as in the
 * proto (`range_end`) or in camelCase (`rangeEnd`), an int64 may be a number or a string,
 * enums may be names or numbers, and unknown fields are ignored (etcd's gateway does too).
 * Bytes are base64; they become strings one character per byte (latin1), so keys sort by
 * byte as etcd's do and nothing is lost on the way back.
 */

export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The field under its proto name, its camelCase name, or any other spelling given. */
function field(obj: JsonObject, name: string, ...aliases: string[]): unknown {
  for (const key of [name, camel(name), ...aliases]) {
    const value = obj[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function bytes(obj: JsonObject, name: string): string | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`bad input: field "${name}" must be a base64 string`);
  if (!BASE64.test(value)) {
    const at = [...value].findIndex((ch) => !/[A-Za-z0-9+/_=-]/.test(ch));
    throw invalid(`illegal base64 data at input byte ${at < 0 ? value.indexOf('=') : at}`);
  }
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
}

export function int64(obj: JsonObject, name: string, ...aliases: string[]): number | undefined {
  const value = field(obj, name, ...aliases);
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw invalid(`bad input: field "${name}" must be an integer`);
  if (!Number.isSafeInteger(number)) throw invalid(`bad input: field "${name}" is beyond 2^53, which raftsim does not support`);
  return number;
}

function bool(obj: JsonObject, name: string): boolean {
  const value = field(obj, name);
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(`bad input: field "${name}" must be true or false`);
  return value;
}

function object(obj: JsonObject, name: string): JsonObject | undefined {
  const value = field(obj, name);
  if (value === undefined) return undefined;
  if (!isObject(value)) throw invalid(`bad input: field "${name}" must be an object`);
  return value;
}

function list(obj: JsonObject, name: string): JsonObject[] {
  const value = field(obj, name);
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw invalid(`bad input: field "${name}" must be a list of objects`);
  return value;
}

function enumOf<T extends string>(obj: JsonObject, name: string, names: readonly T[]): T {
  const value = field(obj, name) ?? 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < names.length) return names[value];
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  throw invalid(`bad input: field "${name}" must be one of ${names.join(', ')}`);
}

function requireZero(obj: JsonObject, name: string, what: string): void {
  const value = field(obj, name);
  if (value !== undefined && value !== 0 && value !== '0' && value !== false && value !== '' && !(Array.isArray(value) && value.length === 0)) {
    throw unimplemented(what);
  }
}

export function parseRange(obj: JsonObject): { req: RangeRequest; serializable: boolean } {
  const sortOrder = enumOf(obj, 'sort_order', ['NONE', 'ASCEND', 'DESCEND']);
  const sortTarget = enumOf(obj, 'sort_target', ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE']);
  // Results come in key order; that is every sort etcd's clients ask for by default.
  if (sortOrder === 'DESCEND' || sortTarget !== 'KEY') throw unimplemented(`sorting by ${sortTarget} ${sortOrder}`);
  for (const name of ['min_mod_revision', 'max_mod_revision', 'min_create_revision', 'max_create_revision']) requireZero(obj, name, name);
  const req: RangeRequest = {
    key: bytes(obj, 'key') ?? '',
    rangeEnd: bytes(obj, 'range_end'),
    limit: int64(obj, 'limit'),
    revision: int64(obj, 'revision'),
    keysOnly: bool(obj, 'keys_only'),
    countOnly: bool(obj, 'count_only'),
  };
  if ((req.limit ?? 0) < 0) throw invalid('bad input: field "limit" must not be negative');
  return { req, serializable: bool(obj, 'serializable') };
}

export function parsePut(obj: JsonObject): PutRequest {
  requireZero(obj, 'ignore_value', 'ignore_value');
  requireZero(obj, 'ignore_lease', 'ignore_lease');
  return { key: bytes(obj, 'key') ?? '', value: bytes(obj, 'value') ?? '', lease: int64(obj, 'lease') ?? 0, prevKv: bool(obj, 'prev_kv') };
}

export function parseDeleteRange(obj: JsonObject): DeleteRangeRequest {
  return { key: bytes(obj, 'key') ?? '', rangeEnd: bytes(obj, 'range_end'), prevKv: bool(obj, 'prev_kv') };
}

const RESULTS: readonly CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];
const TARGETS = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'] as const;

function parseCompare(obj: JsonObject): Compare {
  const base = { key: bytes(obj, 'key') ?? '', rangeEnd: bytes(obj, 'range_end'), result: enumOf(obj, 'result', RESULTS) };
  switch (enumOf(obj, 'target', TARGETS)) {
    case 'VERSION':
      return { ...base, target: 'VERSION', version: int64(obj, 'version') ?? 0 };
    case 'CREATE':
      return { ...base, target: 'CREATE', createRevision: int64(obj, 'create_revision') ?? 0 };
    case 'MOD':
      return { ...base, target: 'MOD', modRevision: int64(obj, 'mod_revision') ?? 0 };
    case 'VALUE':
      return { ...base, target: 'VALUE', value: bytes(obj, 'value') ?? '' };
    case 'LEASE':
      return { ...base, target: 'LEASE', lease: int64(obj, 'lease') ?? 0 };
  }
}

function parseRequestOp(obj: JsonObject): RequestOp {
  const range = object(obj, 'request_range');
  if (range) return { requestRange: parseRange(range).req };
  const put = object(obj, 'request_put');
  if (put) return { requestPut: parsePut(put) };
  const del = object(obj, 'request_delete_range');
  if (del) return { requestDeleteRange: parseDeleteRange(del) };
  if (object(obj, 'request_txn')) throw unimplemented('a txn nested in a txn');
  throw invalid('bad input: a txn operation needs request_range, request_put or request_delete_range');
}

export function parseTxn(obj: JsonObject): TxnRequest {
  return {
    compare: list(obj, 'compare').map(parseCompare),
    success: list(obj, 'success').map(parseRequestOp),
    failure: list(obj, 'failure').map(parseRequestOp),
  };
}

/** The lease id of a lease request: etcd spells it `ID`. */
export function leaseId(obj: JsonObject): number {
  return int64(obj, 'ID', 'id') ?? 0;
}

export function parseLeaseGrant(obj: JsonObject): number {
  if ((int64(obj, 'ID', 'id') ?? 0) !== 0) throw unimplemented('choosing a lease ID');
  const ttl = int64(obj, 'TTL', 'ttl') ?? 0;
  if (ttl <= 0) throw invalid('bad input: field "TTL" must be a positive number of seconds');
  return ttl;
}

export type WatchStreamRequest =
  | { readonly kind: 'create'; readonly req: WatchCreateRequest }
  | { readonly kind: 'cancel'; readonly watchId: number };

export function parseWatchRequest(obj: JsonObject): WatchStreamRequest {
  const create = object(obj, 'create_request');
  if (create) {
    requireZero(create, 'filters', 'watch filters');
    requireZero(create, 'progress_notify', 'progress_notify');
    return {
      kind: 'create',
      req: {
        key: bytes(create, 'key') ?? '',
        rangeEnd: bytes(create, 'range_end'),
        startRevision: int64(create, 'start_revision'),
        prevKv: bool(create, 'prev_kv'),
        watchId: int64(create, 'watch_id') || undefined,
      },
    };
  }
  const cancel = object(obj, 'cancel_request');
  if (cancel) return { kind: 'cancel', watchId: int64(cancel, 'watch_id') ?? 0 };
  if (object(obj, 'progress_request')) throw unimplemented('progress_request');
  throw invalid('bad input: a watch request needs create_request or cancel_request');
}

/** Decodes the body of a unary endpoint into the service's request. */
export function parseUnary(path: string, obj: JsonObject): KvRequest | undefined {
  switch (path) {
    case '/v3/kv/range': {
      const { req, serializable } = parseRange(obj);
      return { kind: 'range', req, serializable };
    }
    case '/v3/kv/put':
      return { kind: 'put', req: parsePut(obj) };
    case '/v3/kv/deleterange':
      return { kind: 'deleteRange', req: parseDeleteRange(obj) };
    case '/v3/kv/txn':
      return { kind: 'txn', req: parseTxn(obj) };
    case '/v3/kv/compaction':
      return { kind: 'compact', revision: int64(obj, 'revision') ?? 0 };
    case '/v3/lease/grant':
      return { kind: 'leaseGrant', ttl: parseLeaseGrant(obj) };
    case '/v3/lease/revoke':
    case '/v3/kv/lease/revoke':
      return { kind: 'leaseRevoke', id: leaseId(obj) };
    case '/v3/lease/timetolive':
    case '/v3/kv/lease/timetolive':
      return { kind: 'leaseTimeToLive', id: leaseId(obj) };
    default:
      return undefined;
  }
}

/**
 * Splits a body holding one or more JSON objects one after the other (a client stream,
 * as grpc-gateway reads /v3/watch and /v3/lease/keepalive) into the objects.
 */
export function parseJsonObjects(text: string): JsonObject[] {
  const objects: JsonObject[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}') {
      if (--depth === 0) objects.push(parseObject(text.slice(start, i + 1)));
      if (depth < 0) throw invalid('invalid character \'}\' looking for beginning of value');
    } else if (depth === 0 && !/\s/.test(ch)) {
      throw invalid(`invalid character '${ch}' looking for beginning of value`);
    }
  }
  if (depth !== 0 || inString) throw invalid('unexpected EOF');
  return objects;
}

export function parseObject(text: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw invalid(/end of JSON input|Unterminated/i.test(message) ? 'unexpected EOF' : `invalid JSON: ${message}`);
  }
  if (!isObject(value)) throw invalid('bad input: the body must be a JSON object');
  return value;
}
