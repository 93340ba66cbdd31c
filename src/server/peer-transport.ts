import { request, type ClientRequest } from 'node:http';
import type { Message, NodeId } from '../raft/types.js';

/**
 * Raft messages travel between members over one long-lived HTTP POST per direction, its
 * body a stream of JSON lines, each line a batch of messages (etcd's peers stream over
 * HTTP the same way). TCP keeps them in order; nothing waits for an answer per batch.
 */
export const RAFT_STREAM_PATH = '/raftsim/stream';

/** A peer answers a stream from a member removed from the cluster with this status (HTTP's Gone). */
export const REMOVED_STATUS = 410;

/** A peer that takes in nothing this long (stopped, say) has its stream cut, and what was queued is lost. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

interface PeerLink {
  readonly url: URL;
  stream: ClientRequest | undefined;
}

export interface TransportCounters {
  streams: number;
  droppedMessages: number;
}

/**
 * Sends Raft messages to peers. A stream that breaks (the peer crashed, or is stopped and
 * its buffer ran full) loses what was in it, as a lossy network would; the next send opens
 * a new one. Raft retransmits what matters.
 */
export class PeerTransport {
  readonly counters: TransportCounters = { streams: 0, droppedMessages: 0 };
  private readonly links = new Map<NodeId, PeerLink>();
  private closed = false;

  /** `onRemoved`: a peer said this member was removed from the cluster. */
  constructor(
    peers: ReadonlyMap<NodeId, string>,
    private readonly onRemoved: () => void = () => undefined,
  ) {
    this.setPeers(peers);
  }

  /** The members to send to, after a membership change: new ones get a link, removed ones lose theirs. */
  setPeers(peers: ReadonlyMap<NodeId, string>): void {
    for (const [id, link] of this.links) {
      if (peers.get(id) === undefined || new URL(RAFT_STREAM_PATH, peers.get(id)).href !== link.url.href) {
        link.stream?.destroy();
        this.links.delete(id);
      }
    }
    for (const [id, url] of peers) if (!this.links.has(id)) this.links.set(id, { url: new URL(RAFT_STREAM_PATH, url), stream: undefined });
  }

  send(messages: readonly Message[]): void {
    if (this.closed) return;
    const batches = new Map<NodeId, Message[]>();
    for (const message of messages) {
      const batch = batches.get(message.to);
      if (batch) batch.push(message);
      else batches.set(message.to, [message]);
    }
    for (const [to, batch] of batches) {
      const link = this.links.get(to);
      if (!link) continue;
      const stream = link.stream ?? this.open(link);
      if (stream.writableLength > MAX_BUFFERED_BYTES) {
        this.counters.droppedMessages += batch.length;
        stream.destroy(new Error('peer is not reading'));
        continue;
      }
      stream.write(`${JSON.stringify(batch)}\n`);
    }
  }

  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.stream?.destroy();
  }

  private open(link: PeerLink): ClientRequest {
    this.counters.streams++;
    const stream = request(link.url, { method: 'POST', agent: false, headers: { 'content-type': 'application/x-ndjson' } });
    stream.on('socket', (socket) => socket.setNoDelay(true));
    const forget = () => {
      if (link.stream === stream) link.stream = undefined;
    };
    // The peer answers only when it refuses the stream; then, or on any error, start afresh.
    stream.on('response', (res) => {
      res.resume();
      if (res.statusCode === REMOVED_STATUS) this.onRemoved();
      forget();
      stream.destroy();
    });
    stream.on('error', forget);
    stream.on('close', forget);
    link.stream = stream;
    return stream;
  }
}
