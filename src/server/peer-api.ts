import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NodeId } from '../raft/types.js';
import { FORWARD_PATH, type ForwardBody } from './forwarding.js';
import { readBody, sendJson, sendText } from './http-util.js';
import type { Member } from './member.js';
import { parseForwardedRequest, parseMessageBatch } from './peer-messages.js';
import { RAFT_STREAM_PATH } from './peer-transport.js';

/** Members ask each other who they are (for `member list`) here. */
export const MEMBER_PATH = '/raftsim/member';
/** A batch holds a few appends or a snapshot (the whole store); this bounds a broken sender. */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

export interface SelfInfo {
  readonly id: NodeId;
  readonly name: string;
  readonly peerURLs: string[];
  readonly clientURLs: string[];
}

/**
 * The peer API on --listen-peer-urls: streams of Raft messages, client requests forwarded by
 * followers, and who this member is. Only members should reach it.
 */
export function peerApi(member: Member, self: SelfInfo, peers: ReadonlySet<NodeId>, log: (line: string) => void): RequestListener {
  let refusedLogged = 0;
  const refuse = (reason: string) => {
    if (refusedLogged++ < 10) log(`refused a stream of Raft messages: ${reason}`);
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === MEMBER_PATH) return sendJson(res, 200, self);
    if (req.method === 'POST' && path === RAFT_STREAM_PATH) return receiveStream(req, res);
    if (req.method !== 'POST' || path !== FORWARD_PATH) return sendText(res, 404, 'Not Found\n');
    readBody(req)
      .then(async (body) => {
        // A forwarded request runs here only; a redirect goes back to the follower, which retries.
        const forwarded = JSON.parse(body) as Partial<ForwardBody>;
        const request = parseForwardedRequest(forwarded.request);
        if (!request) return sendText(res, 400, 'not a valid forwarded request\n');
        const timeoutMs = typeof forwarded.timeoutMs === 'number' && forwarded.timeoutMs > 0 ? Math.min(forwarded.timeoutMs, 10_000) : 5000;
        sendJson(res, 200, await member.request(request, timeoutMs));
      })
      .catch((error: unknown) => {
        if (!res.headersSent) sendText(res, 400, `${error instanceof Error ? error.message : String(error)}\n`);
      });
  };

  /**
   * One line per batch, stepped as it arrives; a bad line ends the stream with 400. A line
   * with a snapshot spans many chunks: only each new chunk is searched for the line's end,
   * so a large line costs its length, not its length times its chunks.
   */
  function receiveStream(req: IncomingMessage, res: ServerResponse): void {
    let parts: string[] = [];
    let partBytes = 0;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      let from = 0;
      for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', from)) {
        parts.push(chunk.slice(from, newline));
        const line = parts.join('');
        parts = [];
        partBytes = 0;
        from = newline + 1;
        const batch = parseMessageBatch(line, member.id, peers);
        if (!batch.ok) {
          refuse(batch.reason);
          sendText(res, 400, `${batch.reason}\n`);
          req.destroy();
          return;
        }
        member.receive(batch.messages);
      }
      if (from < chunk.length) {
        parts.push(chunk.slice(from));
        partBytes += chunk.length - from;
      }
      if (partBytes > MAX_LINE_BYTES) {
        refuse('a batch longer than 256 MiB');
        sendText(res, 400, 'batch too long\n');
        req.destroy();
      }
    });
    req.on('end', () => {
      if (!res.headersSent) res.writeHead(204).end();
    });
    req.on('error', () => undefined);
  }
}
