import type {
  AppendRequest,
  AppendResponse,
  Entry,
  Heartbeat,
  HeartbeatResponse,
  MessageType,
  NodeId,
  PreVoteRequest,
  PreVoteResponse,
  ProposalForward,
  ReadIndexRequest,
  ReadIndexResponse,
  Snapshot,
  SnapshotMessage,
  TimeoutNow,
  VoteRequest,
  VoteResponse,
} from './types.js';

/**
 * Every Raft message the node sends is built here, as one class holding the fields of every
 * kind (those its kind lacks stay undefined, so JSON and deep equality see only its own).
 * The simulator's hot paths (the network, the hosts, `step` and the role step functions)
 * read messages of thirteen kinds; as object literals of thirteen shapes, each of those
 * reads went through V8's megamorphic lookup, and as one hidden class it is a plain load.
 * The types stay the union of types.ts: each builder returns its own kind.
 */
class WireMessage {
  type: MessageType;
  from: NodeId;
  to: NodeId;
  term: number;
  lastIndex: number | undefined = undefined;
  lastTerm: number | undefined = undefined;
  transfer: true | undefined = undefined;
  granted: boolean | undefined = undefined;
  prevIndex: number | undefined = undefined;
  prevTerm: number | undefined = undefined;
  entries: readonly Entry[] | undefined = undefined;
  commit: number | undefined = undefined;
  index: number | undefined = undefined;
  reject: boolean | undefined = undefined;
  hintIndex: number | undefined = undefined;
  hintTerm: number | undefined = undefined;
  context: string | undefined = undefined;
  data: readonly string[] | undefined = undefined;
  snapshot: Snapshot | undefined = undefined;

  constructor(type: MessageType, from: NodeId, to: NodeId, term: number) {
    this.type = type;
    this.from = from;
    this.to = to;
    this.term = term;
  }
}

export function voteRequest(from: NodeId, to: NodeId, term: number, lastIndex: number, lastTerm: number, transfer: boolean): VoteRequest {
  const m = new WireMessage('vote', from, to, term);
  m.lastIndex = lastIndex;
  m.lastTerm = lastTerm;
  if (transfer) m.transfer = true;
  return m as VoteRequest;
}

export function preVoteRequest(from: NodeId, to: NodeId, term: number, lastIndex: number, lastTerm: number): PreVoteRequest {
  const m = new WireMessage('preVote', from, to, term);
  m.lastIndex = lastIndex;
  m.lastTerm = lastTerm;
  return m as PreVoteRequest;
}

export function voteResponse(type: 'voteResp', from: NodeId, to: NodeId, term: number, granted: boolean): VoteResponse;
export function voteResponse(type: 'preVoteResp', from: NodeId, to: NodeId, term: number, granted: boolean): PreVoteResponse;
export function voteResponse(type: 'voteResp' | 'preVoteResp', from: NodeId, to: NodeId, term: number, granted: boolean): VoteResponse | PreVoteResponse {
  const m = new WireMessage(type, from, to, term);
  m.granted = granted;
  return m as VoteResponse | PreVoteResponse;
}

export function timeoutNow(from: NodeId, to: NodeId, term: number): TimeoutNow {
  return new WireMessage('timeoutNow', from, to, term) as TimeoutNow;
}

export function appendRequest(from: NodeId, to: NodeId, term: number, prevIndex: number, prevTerm: number, entries: readonly Entry[], commit: number): AppendRequest {
  const m = new WireMessage('app', from, to, term);
  m.prevIndex = prevIndex;
  m.prevTerm = prevTerm;
  m.entries = entries;
  m.commit = commit;
  return m as AppendRequest;
}

export function appendResponse(from: NodeId, to: NodeId, term: number, index: number, reject: boolean, hintIndex: number, hintTerm: number): AppendResponse {
  const m = new WireMessage('appResp', from, to, term);
  m.index = index;
  m.reject = reject;
  m.hintIndex = hintIndex;
  m.hintTerm = hintTerm;
  return m as AppendResponse;
}

export function heartbeat(from: NodeId, to: NodeId, term: number, commit: number, context: string): Heartbeat {
  const m = new WireMessage('heartbeat', from, to, term);
  m.commit = commit;
  m.context = context;
  return m as Heartbeat;
}

export function heartbeatResponse(from: NodeId, to: NodeId, term: number, context: string): HeartbeatResponse {
  const m = new WireMessage('heartbeatResp', from, to, term);
  m.context = context;
  return m as HeartbeatResponse;
}

export function proposalForward(from: NodeId, to: NodeId, data: readonly string[]): ProposalForward {
  const m = new WireMessage('prop', from, to, 0);
  m.data = data;
  return m as ProposalForward;
}

export function readIndexRequest(from: NodeId, to: NodeId, context: string): ReadIndexRequest {
  const m = new WireMessage('readIndex', from, to, 0);
  m.context = context;
  return m as ReadIndexRequest;
}

export function readIndexResponse(from: NodeId, to: NodeId, term: number, context: string, index: number): ReadIndexResponse {
  const m = new WireMessage('readIndexResp', from, to, term);
  m.context = context;
  m.index = index;
  return m as ReadIndexResponse;
}

export function snapshotMessage(from: NodeId, to: NodeId, term: number, snapshot: Snapshot): SnapshotMessage {
  const m = new WireMessage('snap', from, to, term);
  m.snapshot = snapshot;
  return m as SnapshotMessage;
}
