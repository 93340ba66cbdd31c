import { Agent } from 'node:http';
import type { KvReply, KvRequest } from '../kv/protocol.js';
import type { NodeId } from '../raft/types.js';
import { noLeader, requestTimedOut, type GatewayError } from './gateway-errors.js';
import { postJson } from './http-util.js';
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

  private async forward(leader: NodeId, request: KvRequest, timeoutMs: number): Promise<ForwardOutcome> {
    const base = this.peerUrlOf(leader);
    if (!base || timeoutMs <= 0) return { kind: 'unreachable' };
    const body: ForwardBody = { request, timeoutMs: Math.max(1, Math.floor(timeoutMs)) };
    const posted = await postJson(new URL(FORWARD_PATH, base), body, timeoutMs, this.agent);
    return posted.kind === 'answer' ? { kind: 'reply', reply: posted.body as MemberReply } : posted;
  }
}
