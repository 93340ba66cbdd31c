import type { KvResponse } from '../kv/commands.js';
import type { KvReply } from '../kv/protocol.js';
import type { Event, KeyValue, RangeResponse, ResponseHeader, ResponseOp } from '../kv/types.js';
import type { WatchResponse } from '../kv/watch.js';

/**
 * Responses as etcd's JSON gateway writes them: proto field names, int64s as decimal
 * strings, base64 bytes, and (protobuf's JSON default) fields with their zero value left
 * out, so `"lease"` appears only for a key with a lease and `"more"` only when true.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonFields = { [key: string]: Json };

/** Who is answering: etcd puts these ids into every response header. */
export interface HeaderIdentity {
  readonly clusterId: string;
  readonly memberId: string;
}

export const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');

/** Drops zero values, as protobuf's JSON mapping does by default. */
function fields(entries: Record<string, Json | undefined>): JsonFields {
  const out: JsonFields = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === 0 || value === '0' || value === '' || value === false) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

const int = (n: number): string => String(n);

export function header(who: HeaderIdentity, h: ResponseHeader): JsonFields {
  return fields({ cluster_id: who.clusterId, member_id: who.memberId, revision: int(h.revision), raft_term: int(h.raftTerm) });
}

/** A txn's inner responses carry only the revision in their headers, as etcd's do. */
function innerHeader(h: ResponseHeader): JsonFields {
  return fields({ revision: int(h.revision) });
}

export function keyValue(kv: KeyValue): JsonFields {
  return fields({
    key: b64(kv.key),
    create_revision: int(kv.createRevision),
    mod_revision: int(kv.modRevision),
    version: int(kv.version),
    value: b64(kv.value),
    lease: int(kv.lease),
  });
}

function range(r: RangeResponse, head: JsonFields): JsonFields {
  return fields({ header: head, kvs: r.kvs.map(keyValue), more: r.more, count: int(r.count) });
}

function responseOp(op: ResponseOp): JsonFields {
  if ('responseRange' in op) return { response_range: range(op.responseRange, innerHeader(op.responseRange.header)) };
  if ('responsePut' in op) {
    const put = op.responsePut;
    return { response_put: fields({ header: innerHeader(put.header), prev_kv: put.prevKv ? keyValue(put.prevKv) : undefined }) };
  }
  const del = op.responseDeleteRange;
  return {
    response_delete_range: fields({ header: innerHeader(del.header), deleted: int(del.deleted), prev_kvs: (del.prevKvs ?? []).map(keyValue) }),
  };
}

/** The JSON body of a successful unary response. */
export function responseBody(who: HeaderIdentity, response: Extract<KvResponse, { ok: true }>): JsonFields {
  const head = header(who, response.response.header);
  switch (response.op) {
    case 'range':
      return range(response.response, head);
    case 'put':
      return fields({ header: head, prev_kv: response.response.prevKv ? keyValue(response.response.prevKv) : undefined });
    case 'deleteRange':
      return fields({ header: head, deleted: int(response.response.deleted), prev_kvs: (response.response.prevKvs ?? []).map(keyValue) });
    case 'txn':
      return fields({ header: head, succeeded: response.response.succeeded, responses: response.response.responses.map(responseOp) });
    case 'leaseGrant':
      return fields({ header: head, ID: int(response.response.id), TTL: int(response.response.ttl) });
    case 'compact':
    case 'leaseRevoke':
      return { header: head };
  }
}

/** Bodies for the replies that are not a KvResponse. */
export function leaseReplyBody(who: HeaderIdentity, reply: Extract<KvReply, { kind: 'keepAlive' | 'timeToLive' }>, withKeys: boolean): JsonFields {
  if (reply.kind === 'keepAlive') return fields({ header: header(who, reply.header), ID: int(reply.id), TTL: int(reply.ttl) });
  const r = reply.response;
  return fields({
    header: header(who, r.header),
    ID: int(r.id),
    TTL: int(r.ttl),
    grantedTTL: int(r.grantedTtl),
    keys: withKeys ? r.keys.map(b64) : undefined,
  });
}

function event(ev: Event): JsonFields {
  return fields({ type: ev.type === 'PUT' ? undefined : ev.type, kv: keyValue(ev.kv), prev_kv: ev.prevKv ? keyValue(ev.prevKv) : undefined });
}

/** One message of a watch stream, wrapped in `result` as grpc-gateway streams them. */
export function watchResultBody(who: HeaderIdentity, r: WatchResponse): JsonFields {
  return {
    result: fields({
      header: header(who, r.header),
      watch_id: int(r.watchId),
      created: r.created,
      canceled: r.canceled,
      compact_revision: int(r.compactRevision),
      cancel_reason: r.cancelReason,
      events: r.events.map(event),
    }),
  };
}
