import type { NodeId } from '../raft/types.js';
import type { KvResponse } from './commands.js';
import type { WatchCreateRequest, WatchResponse } from './watch.js';
import type {
  DeleteRangeRequest,
  KvError,
  LeaseId,
  LeaseTimeToLiveResponse,
  PutRequest,
  RangeRequest,
  ResponseHeader,
  Revision,
  TxnRequest,
} from './types.js';

/**
 * What a client asks a server, and what the server answers: the same requests in
 * the simulator and over HTTP. `serializable` reads are served from the local store
 * and may be stale; every other read goes through ReadIndex.
 */
export type KvRequest =
  | { readonly kind: 'range'; readonly req: RangeRequest; readonly serializable?: boolean }
  | { readonly kind: 'put'; readonly req: PutRequest }
  | { readonly kind: 'deleteRange'; readonly req: DeleteRangeRequest }
  | { readonly kind: 'txn'; readonly req: TxnRequest }
  | { readonly kind: 'compact'; readonly revision: Revision }
  | { readonly kind: 'leaseGrant'; readonly ttl: number }
  | { readonly kind: 'leaseRevoke'; readonly id: LeaseId }
  | { readonly kind: 'leaseKeepAlive'; readonly id: LeaseId }
  | { readonly kind: 'leaseTimeToLive'; readonly id: LeaseId }
  | { readonly kind: 'watchCreate'; readonly req: WatchCreateRequest }
  | { readonly kind: 'watchCancel'; readonly watchId: number };

export type KvReply =
  /** The request took effect (or, for a read, was answered) with this response. */
  | { readonly kind: 'ok'; readonly response: KvResponse }
  | { readonly kind: 'keepAlive'; readonly header: ResponseHeader; readonly id: LeaseId; readonly ttl: number }
  | { readonly kind: 'timeToLive'; readonly response: LeaseTimeToLiveResponse & { ttl: number } }
  /** The request was applied and failed with an etcd error: it certainly had no effect. */
  | { readonly kind: 'error'; readonly error: KvError }
  /** Not executed at all: ask `leader` instead (0 when unknown). */
  | { readonly kind: 'notLeader'; readonly leader: NodeId }
  /** One message of a watch stream; `seq` numbers them from 0, as a stream transport keeps them in order. */
  | { readonly kind: 'watch'; readonly seq: number; readonly response: WatchResponse };

/** Requests that change the store go through the Raft log. */
export function isWrite(request: KvRequest): boolean {
  switch (request.kind) {
    case 'put':
    case 'deleteRange':
    case 'compact':
    case 'leaseGrant':
    case 'leaseRevoke':
      return true;
    case 'txn':
      return request.req.success.some(isWriteOp) || request.req.failure.some(isWriteOp);
    default:
      return false;
  }
}

function isWriteOp(op: TxnRequest['success'][number]): boolean {
  return !('requestRange' in op);
}
