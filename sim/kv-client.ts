import type { KvReply, KvRequest } from '../src/kv/protocol.js';
import type { History } from './history.js';
import type { ClientRequestPacket } from './packets.js';
import type { RandomStream } from './random.js';
import type { TraceRecorder } from './trace.js';

/** A server's answer to a request it executed (a redirect or a watch event is not one). */
export type StepReply = Extract<KvReply, { kind: 'ok' | 'error' | 'keepAlive' | 'timeToLive' }>;

/** What one request of an operation came to. */
export type StepOutcome =
  | { readonly type: 'ok' | 'fail'; readonly value: unknown; readonly error?: string }
  /** A multi-step operation (read, then write) goes on with its next request. */
  | { readonly type: 'continue'; readonly request: KvRequest; readonly mayHaveEffect: boolean };

/** One operation as a workload plans it: what the history records, and what is sent. */
export interface PlannedOp {
  readonly f: string;
  readonly key?: string;
  readonly value: unknown;
  readonly request: KvRequest;
  /** Whether the first request may change anything (reads cannot, so a lost read is a plain `fail`). */
  readonly mayHaveEffect: boolean;
  complete(reply: StepReply): StepOutcome;
}

export interface Workload {
  /** The next operation for `client`, or null to stay idle for a while. */
  next(client: number, random: RandomStream): PlannedOp | null;
}

export interface ClientOptions {
  readonly index: number;
  readonly address: number;
  readonly clients: number;
  readonly nodes: number;
  readonly timeoutMs: number;
  readonly thinkMs: number;
  readonly random: RandomStream;
  readonly workload: Workload;
  readonly history: History;
  readonly trace: TraceRecorder;
  now(): number;
  send(packet: ClientRequestPacket): void;
  /** Calls `wake(token)` after `delayMs`. */
  schedule(delayMs: number, token: number): void;
}

const MAX_REDIRECTS = 12;
const REDIRECT_BACKOFF_MS = 15;
/** A request that cannot have an effect (a read) is re-sent when unanswered this long. */
const READ_RESEND_MS = 100;

interface Running {
  readonly op: PlannedOp;
  readonly opId: number;
  request: KvRequest;
  requestId: number;
  /** The first request id of the current request (its resends and redirects came after). */
  sentFirst: number;
  redirects: number;
  mayHaveEffect: boolean;
  readonly deadlineToken: number;
  resendToken: number;
  /** The backoff timer of the current attempt; any later send supersedes it. */
  retryToken: number;
}

type TimerKind = 'next' | 'timeout' | 'retry' | 'resend';

/**
 * A closed-loop client, as a Jepsen process: one operation at a time, each recorded
 * in the history. It finds the leader through hints, and retries only when a server
 * said the request was not executed. A timeout ends the operation as `info` when it
 * may have had an effect (and the process id is retired, as Jepsen does), else `fail`.
 */
export class KvClient {
  process: number;
  target: number;
  /** The server tried when nobody names a leader, moved on apart from the hints (see nextInTurn). */
  private turn: number;
  private running: Running | null = null;
  private nextToken = 1;
  private nextRequestId = 1;
  /** Token → what waking up means. */
  private readonly timers = new Map<number, TimerKind>();
  okCount = 0;
  lastOkAt = -1;

  constructor(private readonly options: ClientOptions) {
    this.process = options.index;
    this.target = options.random.int(1, options.nodes);
    this.turn = this.target;
  }

  get address(): number {
    return this.options.address;
  }

  start(): void {
    this.after(this.options.random.int(0, this.options.thinkMs), 'next');
  }

  wake(token: number): void {
    const kind = this.timers.get(token);
    if (kind === undefined) return;
    this.timers.delete(token);
    if (kind === 'next') this.begin();
    // A backoff that outlived its attempt (the request went out since, or the op ended)
    // must not send again: a write sent twice is applied twice.
    else if (kind === 'retry') {
      if (this.running?.retryToken === token) this.sendCurrent();
    }
    else if (kind === 'resend') {
      if (this.running && !this.running.mayHaveEffect && this.running.resendToken === token) this.sendCurrent();
    } else if (this.running?.deadlineToken === token) this.timeOut();
  }

  receive(requestId: number, reply: KvReply): void {
    const running = this.running;
    if (!running) return;
    // A read's answer to an earlier send of the same request counts: it ran within the op's
    // interval, and when every answer takes longer than the resend interval (slow links, a
    // ReadIndex round) waiting for the newest would discard them all until the op times out.
    const earlierRead = !running.mayHaveEffect && reply.kind === 'ok' && requestId >= running.sentFirst && requestId < running.requestId;
    if (running.requestId !== requestId && !earlierRead) return;
    switch (reply.kind) {
      case 'notLeader':
        return this.redirect(reply.leader);
      case 'ok':
      case 'error':
      case 'keepAlive':
      case 'timeToLive': {
        const outcome = running.op.complete(reply);
        if (outcome.type === 'continue') {
          running.request = outcome.request;
          running.mayHaveEffect = outcome.mayHaveEffect;
          running.redirects = 0;
          running.sentFirst = this.nextRequestId;
          return this.sendCurrent();
        }
        return this.finish(outcome.type, outcome.value, outcome.error);
      }
      default:
        return;
    }
  }

  /** The id of the request this client has in flight to `node`, if it has one. */
  requestInFlightTo(node: number): number | undefined {
    const running = this.running;
    return running && this.target === node ? running.requestId : undefined;
  }

  /**
   * The connection to the server reset (its process was killed). A request it refused never
   * ran and goes elsewhere; one it may have run ends as a timeout would, only sooner.
   */
  connectionReset(requestId: number, refused: boolean): void {
    const running = this.running;
    if (!running || running.requestId !== requestId) return;
    if (refused || !running.mayHaveEffect) return this.redirect(0);
    this.nextInTurn();
    this.finish('info', null, 'connection reset');
  }

  private begin(): void {
    const op = this.options.workload.next(this.options.index, this.options.random);
    if (!op) {
      this.after(this.options.thinkMs, 'next');
      return;
    }
    const now = this.options.now();
    const opId = this.options.history.invoke(this.process, op.f, op.key, op.value, now);
    this.record(opId, 'invoke', op.f, op.key, op.value);
    const deadlineToken = this.after(this.options.timeoutMs, 'timeout');
    this.running = { op, opId, request: op.request, requestId: 0, sentFirst: this.nextRequestId, redirects: 0, mayHaveEffect: op.mayHaveEffect, deadlineToken, resendToken: 0, retryToken: 0 };
    this.sendCurrent();
  }

  private sendCurrent(): void {
    const running = this.running;
    if (!running) return;
    running.requestId = this.nextRequestId++;
    running.retryToken = 0;
    // Only a request without effect may be sent again: a re-sent write could happen twice.
    if (!running.mayHaveEffect) running.resendToken = this.after(READ_RESEND_MS, 'resend');
    this.options.send({ type: 'kvReq', from: this.address, to: this.target, term: 0, requestId: running.requestId, request: running.request });
  }

  /** The server did not execute the request: try the leader it named, or the next server. */
  private redirect(leader: number): void {
    const running = this.running!;
    if (++running.redirects > MAX_REDIRECTS) return this.finish(running.mayHaveEffect ? 'info' : 'fail', null, 'no leader found');
    if (leader !== 0 && leader !== this.target) {
      this.target = leader;
      return this.sendCurrent();
    }
    this.nextInTurn();
    running.retryToken = this.after(REDIRECT_BACKOFF_MS, 'retry');
  }

  /**
   * The next server in turn. The turn moves on apart from the leader hints the client follows,
   * so two servers that name each other (a removed node's stale hint, and a node that knows
   * no leader) cannot hold a client between them forever.
   */
  private nextInTurn(): void {
    this.turn = (this.turn % this.options.nodes) + 1;
    this.target = this.turn;
  }

  private timeOut(): void {
    const running = this.running!;
    // The server may be gone: the next attempt goes elsewhere.
    this.target = this.options.random.int(1, this.options.nodes);
    this.turn = this.target;
    this.finish(running.mayHaveEffect ? 'info' : 'fail', null, 'timeout');
  }

  private finish(type: 'ok' | 'fail' | 'info', value: unknown, error?: string): void {
    const running = this.running!;
    this.running = null;
    this.timers.delete(running.deadlineToken);
    this.options.history.complete(this.process, type, value, this.options.now(), error);
    this.record(running.opId, type, running.op.f, running.op.key, value);
    if (type === 'ok') {
      this.okCount++;
      this.lastOkAt = this.options.now();
    }
    // After an unknown outcome Jepsen retires the process: its op stays open forever.
    if (type === 'info') this.process += this.options.clients;
    this.after(this.options.random.int(0, this.options.thinkMs), 'next');
  }

  private after(delayMs: number, kind: TimerKind): number {
    const token = this.nextToken++;
    this.timers.set(token, kind);
    this.options.schedule(delayMs, token);
    return token;
  }

  private record(op: number, type: 'invoke' | 'ok' | 'fail' | 'info', f: string, key: string | undefined, value: unknown): void {
    const trace = this.options.trace;
    if (!trace.enabled) return;
    trace.record({ t: this.options.now(), k: 'client', client: this.address, op, type, f, ...(key === undefined ? {} : { key }), value, node: this.target });
  }
}

/** Why a reply is not the success an operation wanted, in a word for the history. */
export function errorCode(reply: StepReply): string {
  return reply.kind === 'error' ? reply.error.code : `unexpected ${reply.kind} reply`;
}
