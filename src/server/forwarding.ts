import { Agent, request as httpRequest } from 'node:http';
import type { KvReply, KvRequest } from '../kv/protocol.js';
import type { NodeId } from '../raft/types.js';
import { noLeader, requestTimedOut, type GatewayError } from './gateway-errors.js';
import type { Member, MemberReply } from './member.js';

/** Client requests a follower cannot serve travel to the leader's peer URL, here. */
export const FORWARD_PATH = '/raftsim/forward';

/** How long a request may take, leader elections included (etcd allows about as much). */
export const REQUEST_TIMEOUT_MS = 5000;
/** While no leader is known, or the known one turns out not to lead, ask again this often. */
const RETRY_MS = 25;

export interface ForwardBody {
  readonly request: KvRequest;
  readonly timeoutMs: number;
}

type ForwardOutcome =
  /** The leader's answer. */
  | { readonly kind: 'reply'; readonly reply: MemberReply }
  /** The request never reached the leader (refused connection): it certainly had no effect. */
  | { readonly kind: 'unreachable' }
  /** Sent, but no answer came back: it may have taken effect. */
  | { readonly kind: 'lost' };

/** The final answer for a client: a reply that is not a redirect, or an etcd-style error. */
export type Executed = Exclude<KvReply, { kind: 'notLeader' }>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Serves a client request on this member, or on the leader when this member cannot (a
 * write on a follower): the client may talk to any member, as etcd's clients do. Only a
 * request that certainly did not run is tried again; an unanswered one ends as a timeout,
 * which tells the client its outcome is unknown.
 */
export class RequestExecutor {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(
    private readonly member: Member,
    private readonly peerUrlOf: (id: NodeId) => string | undefined,
  ) {}

  async execute(request: KvRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<Executed | GatewayError> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) return noLeader();
      const reply = await this.member.request(request, remaining);
      if (reply.kind === 'timeout') return requestTimedOut();
      if (reply.kind !== 'notLeader') return reply;
      const leader = reply.leader;
      if (leader !== 0 && leader !== this.member.id) {
        const outcome = await this.forward(leader, request, deadline - performance.now());
        if (outcome.kind === 'lost') return requestTimedOut();
        if (outcome.kind === 'reply') {
          if (outcome.reply.kind === 'timeout') return requestTimedOut();
          if (outcome.reply.kind !== 'notLeader') return outcome.reply;
        }
      }
      // No leader yet, or leadership is moving: a redirect means nothing ran, so wait and retry.
      await sleep(RETRY_MS);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private forward(leader: NodeId, request: KvRequest, timeoutMs: number): Promise<ForwardOutcome> {
    const base = this.peerUrlOf(leader);
    if (!base || timeoutMs <= 0) return Promise.resolve({ kind: 'unreachable' });
    const body = JSON.stringify({ request, timeoutMs: Math.max(1, Math.floor(timeoutMs)) } satisfies ForwardBody);
    return new Promise((resolve) => {
      let sent = false;
      const req = httpRequest(new URL(FORWARD_PATH, base), {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: timeoutMs + 500,
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) sent = true;
        else socket.once('connect', () => (sent = true));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
            resolve({ kind: 'reply', reply: JSON.parse(Buffer.concat(chunks).toString('utf8')) as MemberReply });
          } catch {
            resolve({ kind: 'lost' });
          }
        });
        res.on('error', () => resolve({ kind: 'lost' }));
      });
      req.on('timeout', () => req.destroy(new Error('forward timed out')));
      // A refused connection never carried the request; anything later might have.
      req.on('error', () => resolve(sent ? { kind: 'lost' } : { kind: 'unreachable' }));
      req.end(body);
    });
  }
}
