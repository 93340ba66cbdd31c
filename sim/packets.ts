import type { KvReply, KvRequest } from '../src/kv/protocol.js';
import type { Message } from '../src/raft/types.js';

/** Clients live at addresses from here on; servers are 1..n. */
export const CLIENT_BASE = 100;

export interface ClientRequestPacket {
  readonly type: 'kvReq';
  readonly from: number;
  readonly to: number;
  readonly term: 0;
  readonly requestId: number;
  readonly request: KvRequest;
}

export interface ClientReplyPacket {
  readonly type: 'kvResp';
  readonly from: number;
  readonly to: number;
  readonly term: 0;
  readonly requestId: number;
  readonly reply: KvReply;
}

/** Everything the simulated network carries: Raft messages between servers, and client traffic. */
export type Packet = Message | ClientRequestPacket | ClientReplyPacket;

export function isClientAddress(address: number): boolean {
  return address >= CLIENT_BASE;
}
