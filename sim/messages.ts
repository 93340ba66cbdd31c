import type { KvReply, KvRequest } from '../src/kv/protocol.js';
import type { Packet } from './packets.js';
import type { MessageInfo } from './trace.js';

/** A packet as the trace shows it: its scalar fields, with entries reduced to their count and terms. */
export function describeMessage(m: Packet): { type: string; term: number; info: MessageInfo } {
  switch (m.type) {
    case 'kvReq':
      return { type: m.type, term: 0, info: { requestId: m.requestId, ...describeRequest(m.request) } };
    case 'kvResp':
      return { type: m.type, term: 0, info: { requestId: m.requestId, ...describeReply(m.reply) } };
    case 'reset':
      return { type: m.type, term: 0, info: { requestId: m.requestId, refused: m.refused } };
    case 'vote':
      // The transfer flag is written only when set, so traces without transfers read as before.
      return { type: m.type, term: m.term, info: { lastIndex: m.lastIndex, lastTerm: m.lastTerm, ...(m.transfer ? { transfer: true } : {}) } };
    case 'preVote':
      return { type: m.type, term: m.term, info: { lastIndex: m.lastIndex, lastTerm: m.lastTerm } };
    case 'voteResp':
    case 'preVoteResp':
      return { type: m.type, term: m.term, info: { granted: m.granted } };
    case 'timeoutNow':
      return { type: m.type, term: m.term, info: {} };
    case 'app':
      return {
        type: m.type,
        term: m.term,
        info: {
          prevIndex: m.prevIndex,
          prevTerm: m.prevTerm,
          entries: m.entries.length,
          terms: m.entries.map((entry) => entry.term).join(','),
          commit: m.commit,
        },
      };
    case 'appResp':
      return {
        type: m.type,
        term: m.term,
        info: { index: m.index, reject: m.reject, hintIndex: m.hintIndex, hintTerm: m.hintTerm },
      };
    case 'heartbeat':
      return { type: m.type, term: m.term, info: { commit: m.commit, context: m.context } };
    case 'heartbeatResp':
      return { type: m.type, term: m.term, info: { context: m.context } };
    case 'prop':
      return { type: m.type, term: m.term, info: { proposals: m.data.length } };
    case 'readIndex':
      return { type: m.type, term: m.term, info: { context: m.context } };
    case 'readIndexResp':
      return { type: m.type, term: m.term, info: { context: m.context, index: m.index } };
    case 'snap':
      return { type: m.type, term: m.term, info: { index: m.snapshot.metadata.index, snapshotTerm: m.snapshot.metadata.term, bytes: m.snapshot.data.length } };
  }
}

function describeRequest(request: KvRequest): MessageInfo {
  switch (request.kind) {
    case 'range':
      return { kind: 'range', key: request.req.key, serializable: request.serializable === true };
    case 'put':
      return { kind: 'put', key: request.req.key, value: request.req.value };
    case 'deleteRange':
      return { kind: 'deleteRange', key: request.req.key };
    case 'watchCreate':
      return { kind: 'watchCreate', key: request.req.key, startRevision: request.req.startRevision ?? 0 };
    case 'compact':
      return { kind: 'compact', revision: request.revision };
    case 'leaseGrant':
      return { kind: 'leaseGrant', ttl: request.ttl };
    case 'leaseRevoke':
    case 'leaseKeepAlive':
    case 'leaseTimeToLive':
      return { kind: request.kind, id: request.id };
    case 'watchCancel':
      return { kind: 'watchCancel', watchId: request.watchId };
    case 'txn':
      return { kind: 'txn', compares: request.req.compare.length, success: request.req.success.length, failure: request.req.failure.length };
  }
}

function describeReply(reply: KvReply): MessageInfo {
  switch (reply.kind) {
    case 'ok':
      return { kind: 'ok', op: reply.response.op };
    case 'error':
      return { kind: 'error', error: reply.error.code };
    case 'notLeader':
      return { kind: 'notLeader', leader: reply.leader };
    case 'watch':
      return { kind: 'watch', seq: reply.seq, watchId: reply.response.watchId, events: reply.response.events.length, revision: reply.response.header.revision };
    case 'keepAlive':
      return { kind: 'keepAlive', id: reply.id, ttl: reply.ttl };
    case 'timeToLive':
      return { kind: 'timeToLive', id: reply.response.id, ttl: reply.response.ttl };
  }
}
