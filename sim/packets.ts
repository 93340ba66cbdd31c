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

/**
 * What a client hears when its server's process is killed: the machine, still up, resets the
 * connection at once, and refuses new ones until the server restarts. (A crashed machine says
 * nothing: its clients find out by timing out.)
 */
export interface ConnectionResetPacket {
  readonly type: 'reset';
  readonly from: number;
  readonly to: number;
  readonly term: 0;
  readonly requestId: number;
  /** The request never reached a live server, so it certainly did not run. */
  readonly refused: boolean;
}

/** Everything the simulated network carries: Raft messages between servers, and client traffic. */
export type Packet = Message | ClientRequestPacket | ClientReplyPacket | ConnectionResetPacket;

export function isClientAddress(address: number): boolean {
  return address >= CLIENT_BASE;
}
