import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { KvRequest } from '../kv/protocol.js';
import type { NodeId } from '../raft/types.js';
import { fromKvError, GatewayError, GRPC, invalid } from './gateway-errors.js';
import { leaseId, parseJsonObjects, parseObject, parseUnary, parseWatchRequest, type JsonObject } from './gateway-requests.js';
import { header, leaseReplyBody, responseBody, watchResultBody, type HeaderIdentity, type Json } from './gateway-responses.js';
import type { RequestExecutor } from './forwarding.js';
import { asGatewayError, readBody, sendError, sendJson, sendText } from './http-util.js';
import type { Member } from './member.js';
import { memberNotFound, membershipError, type MembershipFailure, type MembershipRequest } from './member-changes.js';

export interface MemberInfo {
  readonly ID: string;
  readonly name: string;
  readonly peerURLs: string[];
  readonly clientURLs: string[];
  readonly isLearner?: boolean;
}

/** A membership change as the client API reports it: the member it was about and the members after it. */
export type MembershipReply =
  | { readonly kind: 'done'; readonly member: MemberInfo; readonly members: readonly MemberInfo[] }
  | MembershipFailure;

/** How long `member add`, `remove` and `promote` may take, leader elections included. */
const MEMBERSHIP_TIMEOUT_MS = 5000;

/** What the client API needs from the running server. */
export interface ClientApiContext {
  readonly member: Member;
  readonly executor: RequestExecutor;
  readonly who: HeaderIdentity;
  readonly version: string;
  memberIdOf(id: NodeId): string;
  /** The Raft id of the member etcd's API calls `ID` (a decimal uint64), if it is a member. */
  raftIdOf(memberId: string): NodeId | undefined;
  memberList(): Promise<MemberInfo[]>;
  changeMembership(request: MembershipRequest, timeoutMs: number): Promise<MembershipReply>;
  walBytes(): number;
  metrics(): string;
  /** Called once per finished request, for /metrics. */
  observe(path: string, status: number, seconds: number): void;
}

/**
 * The client API on --listen-client-urls: etcd's v3 JSON gateway (POST /v3/…), /health,
 * /version and /metrics. Every failure is an etcd-style error body; none stops the server.
 */
export function clientApi(ctx: ClientApiContext): RequestListener {
  return (req, res) => {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0];
    res.on('finish', () => ctx.observe(path, res.statusCode, (performance.now() - started) / 1000));
    route(ctx, path, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, asGatewayError(error));
      else res.end();
    });
  };
}

async function route(ctx: ClientApiContext, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (path === '/health') return health(ctx, res);
  if (path === '/version') return sendJson(res, 200, { etcdserver: ctx.version, etcdcluster: '3.5.0' });
  if (path === '/metrics') return sendText(res, 200, ctx.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
  if (!path.startsWith('/v3/')) return sendError(res, new GatewayError(GRPC.NotFound, 'Not Found'));
  if (req.method !== 'POST') return sendError(res, new GatewayError(GRPC.Unimplemented, `Method Not Allowed: ${path} takes POST`));
  const text = await readBody(req);
  if (path === '/v3/watch') return watch(ctx, text, req, res);
  if (path === '/v3/lease/keepalive') return keepAlive(ctx, text, res);
  const body = parseObject(text);
  if (path === '/v3/cluster/member/list') return memberList(ctx, res);
  if (MEMBERSHIP_PATHS.has(path)) return changeMembership(ctx, path, body, res);
  if (path === '/v3/maintenance/status') return status(ctx, res);
  const request = parseUnary(path, body);
  if (!request) return sendError(res, new GatewayError(GRPC.NotFound, 'Not Found'));
  const result = await ctx.executor.execute(request);
  if (result instanceof GatewayError) return sendError(res, result);
  if (result.kind === 'error') return sendError(res, fromKvError(result.error));
  if (result.kind === 'ok') {
    if (!result.response.ok) return sendError(res, fromKvError(result.response.error));
    return sendJson(res, 200, responseBody(ctx.who, result.response));
  }
  if (result.kind === 'timeToLive' || result.kind === 'keepAlive') {
    return sendJson(res, 200, leaseReplyBody(ctx.who, result, body.keys === true));
  }
  throw new Error(`unexpected reply ${result.kind} to ${request.kind}`);
}

/** Healthy when a linearizable read goes through: a leader exists and a majority answers. */
async function health(ctx: ClientApiContext, res: ServerResponse): Promise<void> {
  const result = await ctx.executor.execute({ kind: 'range', req: { key: 'health', countOnly: true } }, 1000);
  const healthy = !(result instanceof GatewayError) && result.kind === 'ok';
  const reason = healthy ? '' : ctx.member.node.lead === 0 ? 'RAFT NO LEADER' : 'QGET ERROR';
  sendText(res, healthy ? 200 : 503, JSON.stringify(healthy ? { health: 'true' } : { health: 'false', reason }));
}

function currentHeader(ctx: ClientApiContext): Record<string, Json> {
  return header(ctx.who, { revision: ctx.member.service.store.revision, raftTerm: ctx.member.node.term });
}

async function memberList(ctx: ClientApiContext, res: ServerResponse): Promise<void> {
  const members = await ctx.memberList();
  const { revision: _omitted, ...head } = currentHeader(ctx);
  sendJson(res, 200, { header: head, members: members.map((m) => ({ ...m })) });
}

const MEMBERSHIP_PATHS = new Set(['/v3/cluster/member/add', '/v3/cluster/member/remove', '/v3/cluster/member/promote', '/v3/cluster/member/update']);

/** etcd's MemberAdd (`peerURLs`, `isLearner`; raftsim also takes the new member's `name`), MemberRemove, MemberPromote (`ID`) and MemberUpdate (`ID`, `peerURLs`). */
async function changeMembership(ctx: ClientApiContext, path: string, body: JsonObject, res: ServerResponse): Promise<void> {
  let request: MembershipRequest;
  const onePeerUrl = () => {
    const { peerURLs } = body;
    if (!Array.isArray(peerURLs) || peerURLs.length !== 1 || typeof peerURLs[0] !== 'string') throw invalid('bad input: peerURLs must hold one URL');
    return peerUrlOf(peerURLs[0]);
  };
  if (path.endsWith('/add')) {
    const { isLearner, name } = body;
    const peerUrl = onePeerUrl();
    if (isLearner !== undefined && typeof isLearner !== 'boolean') throw invalid('bad input: isLearner must be true or false');
    if (name !== undefined && (typeof name !== 'string' || !/^[A-Za-z0-9._-]*$/.test(name))) throw invalid('bad input: name may only hold letters, digits, ".", "_" and "-"');
    request = { kind: 'add', name: name ?? '', peerUrl, learner: isLearner === true };
  } else {
    const memberId = typeof body.ID === 'string' || typeof body.ID === 'number' ? String(body.ID) : undefined;
    if (memberId === undefined || !/^\d+$/.test(memberId)) throw invalid('bad input: ID must be a member id (a decimal uint64)');
    const newPeerUrl = path.endsWith('/update') ? onePeerUrl() : undefined;
    const id = ctx.raftIdOf(memberId);
    if (id === undefined) return sendError(res, membershipError(memberNotFound()));
    if (newPeerUrl !== undefined) request = { kind: 'update', id, peerUrl: newPeerUrl };
    else request = { kind: path.endsWith('/remove') ? 'remove' : 'promote', id };
  }
  const result = await ctx.changeMembership(request, MEMBERSHIP_TIMEOUT_MS);
  if (result.kind === 'error') return sendError(res, membershipError(result));
  const { revision: _omitted, ...head } = currentHeader(ctx);
  sendJson(res, 200, { header: head, ...(request.kind === 'add' ? { member: { ...result.member } } : {}), members: result.members.map((m) => ({ ...m })) });
}

function peerUrlOf(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`bad input: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' || url.port === '') throw invalid(`bad input: "${text}" is not an http:// URL with a port`);
  return `${url.protocol}//${url.host}`;
}

function status(ctx: ClientApiContext, res: ServerResponse): void {
  const node = ctx.member.node;
  const bytes = String(ctx.walBytes());
  sendJson(res, 200, {
    header: currentHeader(ctx),
    version: ctx.version,
    dbSize: bytes,
    ...(node.lead !== 0 ? { leader: ctx.memberIdOf(node.lead) } : {}),
    raftIndex: String(node.log.lastIndex()),
    raftTerm: String(node.term),
    raftAppliedIndex: String(node.applied),
    dbSizeInUse: bytes,
  });
}

/** Streams one JSON object per line, as grpc-gateway streams a server-streaming RPC. */
function streamLine(res: ServerResponse, body: unknown): void {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' });
  res.write(`${JSON.stringify(body)}\n`);
}

function streamError(res: ServerResponse, error: GatewayError): void {
  if (!res.headersSent) return sendError(res, error);
  streamLine(res, { error: { grpc_code: error.code, http_code: error.status, message: error.message } });
  res.end();
}

/**
 * /v3/watch: the body holds create (and cancel) requests; events stream back until the
 * client goes away. Watches are served by the member the client talks to, from its own
 * replica of the store, as etcd serves them.
 */
function watch(ctx: ClientApiContext, text: string, req: IncomingMessage, res: ServerResponse): void {
  const requests = parseJsonObjects(text).map(parseWatchRequest);
  if (requests.length === 0) throw invalid('bad input: a watch request needs create_request or cancel_request');
  const cancels: (() => void)[] = [];
  res.on('close', () => cancels.forEach((cancel) => cancel()));
  for (const request of requests) {
    if (request.kind === 'cancel') continue;
    const createRequest: Extract<KvRequest, { kind: 'watchCreate' }> = { kind: 'watchCreate', req: request.req };
    cancels.push(
      ctx.member.watch(createRequest, (reply) => {
        if (reply.kind === 'watch') streamLine(res, watchResultBody(ctx.who, reply.response));
        else if (reply.kind === 'error') streamError(res, fromKvError(reply.error));
      }),
    );
  }
  // Only cancels, or the client already gone: nothing will ever stream, so end now.
  if (cancels.length === 0) res.end();
  else if (req.socket.destroyed) cancels.forEach((cancel) => cancel());
}

/** /v3/lease/keepalive: one answer line per request object in the body. */
async function keepAlive(ctx: ClientApiContext, text: string, res: ServerResponse): Promise<void> {
  const requests: JsonObject[] = parseJsonObjects(text);
  if (requests.length === 0) throw invalid('bad input: a keep-alive request needs an ID');
  for (const body of requests) {
    const id = leaseId(body);
    const result = await ctx.executor.execute({ kind: 'leaseKeepAlive', id });
    if (result instanceof GatewayError) return streamError(res, result);
    if (result.kind === 'keepAlive') streamLine(res, { result: leaseReplyBody(ctx.who, result, false) });
    else if (result.kind === 'error' && result.error.code === 'ErrLeaseNotFound') {
      // etcd answers a keep-alive of an unknown lease with TTL 0, not an error.
      streamLine(res, { result: { header: currentHeader(ctx), ID: String(id) } });
    } else if (result.kind === 'error') return streamError(res, fromKvError(result.error));
  }
  res.end();
}
