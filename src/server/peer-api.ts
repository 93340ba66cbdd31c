import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NodeId } from '../raft/types.js';
import { FORWARD_PATH, type ForwardBody } from './forwarding.js';
import { readBody, sendJson, sendText } from './http-util.js';
import type { Member } from './member.js';
import { MEMBERSHIP_PATH, type MembershipRequest, type MembershipResult } from './member-changes.js';
import type { MemberTableState } from './member-table.js';
import { parseForwardedRequest, parseMembershipRequest, parseMessageBatch } from './peer-messages.js';
import { RAFT_STREAM_PATH, REMOVED_STATUS } from './peer-transport.js';

/** Members ask each other who they are (for `member list`) here. */
export const MEMBER_PATH = '/raftsim/member';
/** A member joining a running cluster asks here who is in it (`--initial-cluster-state existing`). */
export const CLUSTER_PATH = '/raftsim/cluster';

/** What a joining member learns from a running one: see ClusterBirth in member-table.ts. */
export interface ClusterInfo {
  readonly clusterId: string;
  readonly voters: readonly NodeId[];
  readonly table: MemberTableState;
}
/** A batch holds a few appends or a snapshot (the whole store); this bounds a broken sender. */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

export interface SelfInfo {
  readonly id: NodeId;
  readonly name: string;
  readonly peerURLs: string[];
  readonly clientURLs: string[];
}

/** What the peer API needs from the running server. */
export interface PeerApiContext {
  readonly member: Member;
  readonly self: SelfInfo;
  /** Whether Raft messages from `id` are welcome: a current member other than this one. */
  isPeer(id: NodeId): boolean;
  wasRemoved(id: NodeId): boolean;
  cluster(): ClusterInfo;
  /** A membership change a follower passed on: run here if this member leads. */
  changeMembership(request: MembershipRequest, timeoutMs: number): Promise<MembershipResult | undefined>;
  /** A peer's messages arrived. */
  heard(id: NodeId): void;
  log(line: string): void;
}

/**
 * The peer API on --listen-peer-urls: streams of Raft messages, client requests and
 * membership changes forwarded by followers, who this member is, and who is in the cluster.
 * Only members (and members about to join) should reach it.
 */
export function peerApi(ctx: PeerApiContext): RequestListener {
  const { member, log } = ctx;
  const peers = { has: (id: NodeId) => ctx.isPeer(id) };
  let refusedLogged = 0;
  const refuse = (reason: string) => {
    if (refusedLogged++ < 10) log(`refused a stream of Raft messages: ${reason}`);
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === MEMBER_PATH) return sendJson(res, 200, ctx.self);
    if (path === CLUSTER_PATH) return sendJson(res, 200, ctx.cluster());
    if (req.method === 'POST' && path === RAFT_STREAM_PATH) return receiveStream(req, res);
    if (req.method === 'POST' && path === MEMBERSHIP_PATH) {
      return passedOn(req, res, async (raw, timeoutMs) => {
        const request = parseMembershipRequest(raw);
        if (!request) return sendText(res, 400, 'not a valid membership change\n');
        const result = await ctx.changeMembership(request, timeoutMs);
        // Not the leader (any more): the follower asks again.
        if (!result) return sendText(res, 503, 'not the leader\n');
        sendJson(res, 200, result);
      });
    }
    if (req.method !== 'POST' || path !== FORWARD_PATH) return sendText(res, 404, 'Not Found\n');
    // A forwarded request runs here only; a redirect goes back to the follower, which retries.
    passedOn(req, res, async (raw, timeoutMs) => {
      const request = parseForwardedRequest(raw);
      if (!request) return sendText(res, 400, 'not a valid forwarded request\n');
      sendJson(res, 200, await member.request(request, timeoutMs));
    });
  };

  /** A request a follower passed on (`{request, timeoutMs}`): `serve` runs it within the time the follower allows, at most 10 s. */
  function passedOn(req: IncomingMessage, res: ServerResponse, serve: (request: unknown, timeoutMs: number) => Promise<void>): void {
    readBody(req)
      .then(async (body) => {
        const passed = JSON.parse(body) as Partial<Record<keyof ForwardBody, unknown>>;
        const timeoutMs = typeof passed.timeoutMs === 'number' && passed.timeoutMs > 0 ? Math.min(passed.timeoutMs, 10_000) : 5000;
        await serve(passed.request, timeoutMs);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) sendText(res, 400, `${error instanceof Error ? error.message : String(error)}\n`);
      });
  }

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
          // A removed member is told so, and stops (etcd's peers answer it the same way).
          const removed = batch.unknownSender !== undefined && ctx.wasRemoved(batch.unknownSender);
          const reason = removed ? `member ${batch.unknownSender} was removed from the cluster` : batch.reason;
          refuse(reason);
          sendText(res, removed ? REMOVED_STATUS : 400, `${reason}\n`);
          req.destroy();
          return;
        }
        if (batch.messages.length > 0) ctx.heard(batch.messages[0].from);
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
