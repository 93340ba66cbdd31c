import type { KvReply } from '../src/kv/protocol.js';
import type { WatchResponse } from '../src/kv/watch.js';
import type { Event } from '../src/kv/types.js';
import type { ClientRequestPacket } from './packets.js';
import type { RandomStream } from './random.js';
import type { TraceRecorder } from './trace.js';

/** One event as a watcher saw it, flattened for comparison with the store's own log. */
export interface SeenEvent {
  readonly revision: number;
  readonly type: Event['type'];
  readonly key: string;
  readonly value: string;
}

export interface WatchClientOptions {
  readonly address: number;
  readonly nodes: number;
  readonly key: string;
  readonly rangeEnd: string;
  readonly random: RandomStream;
  readonly trace: TraceRecorder;
  now(): number;
  send(packet: ClientRequestPacket): void;
  schedule(delayMs: number, token: number): void;
}

const CREATE_TIMEOUT_MS = 300;

/** The watch workload's writers and watchers share this prefix. */
export const WATCH_PREFIX = 'w/';

/**
 * A watcher on a prefix that keeps its stream going across failures: it resumes from
 * the revision after the last one it saw, on another server, when its server stops
 * answering, and also every second or so on purpose, to exercise resumption. Problems
 * it can see by itself (order, duplicates) are recorded at once; gaps and mismatches
 * are found at the end, against the store's own event log.
 */
export class WatchClient {
  readonly seen: SeenEvent[] = [];
  /** The first revision asked for; the store's log from here on is what must arrive. */
  readonly startRevision = 1;
  problems: string[] = [];
  private target: number;
  private session = 0;
  private created = false;
  private nextSeq = 0;
  private readonly pending = new Map<number, WatchResponse>();
  private watchId = -1;
  /** Keys already seen at the last revision: a second one is a duplicate. */
  private keysAtLastRevision = new Set<string>();
  private nextToken = 1;
  private readonly timers = new Map<number, { kind: 'create-timeout' | 'reconnect'; session: number }>();

  constructor(private readonly options: WatchClientOptions) {
    this.target = options.random.int(1, options.nodes);
  }

  get address(): number {
    return this.options.address;
  }

  start(): void {
    this.connect();
  }

  wake(token: number): void {
    const timer = this.timers.get(token);
    this.timers.delete(token);
    if (!timer || timer.session !== this.session) return;
    if (timer.kind === 'create-timeout' && this.created) return;
    this.reconnect();
  }

  /**
   * The simulated network may reorder packets; a watch stream (gRPC over TCP in etcd)
   * may not. So the client restores stream order by sequence number, and a lost
   * message stalls the stream until the next reconnect resumes it.
   */
  receive(requestId: number, reply: KvReply): void {
    if (requestId !== this.session || reply.kind !== 'watch') return;
    this.pending.set(reply.seq, reply.response);
    while (this.pending.has(this.nextSeq)) {
      const response = this.pending.get(this.nextSeq)!;
      this.pending.delete(this.nextSeq++);
      this.handle(response);
    }
  }

  private handle(response: WatchResponse): void {
    if (response.created) {
      this.created = true;
      this.watchId = response.watchId;
    }
    if (response.canceled && response.compactRevision > 0) {
      this.problems.push(`watch cancelled: revision ${this.resumeRevision()} was compacted (compact revision ${response.compactRevision})`);
    }
    for (const event of response.events) this.accept(event);
  }

  /** The revision to resume from: one past the last revision seen. */
  resumeRevision(): number {
    return this.seen.length === 0 ? this.startRevision : this.seen[this.seen.length - 1].revision + 1;
  }

  private accept(event: Event): void {
    const seen: SeenEvent = { revision: event.kv.modRevision, type: event.type, key: event.kv.key, value: event.kv.value };
    const last = this.seen[this.seen.length - 1];
    if (last && seen.revision < last.revision) {
      this.problems.push(`event ${describe(seen)} arrived after ${describe(last)}: out of order`);
    } else if (last && seen.revision === last.revision && this.keysAtLastRevision.has(seen.key)) {
      this.problems.push(`event ${describe(seen)} arrived twice`);
    }
    if (!last || seen.revision !== last.revision) this.keysAtLastRevision.clear();
    this.keysAtLastRevision.add(seen.key);
    this.seen.push(seen);
  }

  private connect(): void {
    this.session++;
    this.created = false;
    this.nextSeq = 0;
    this.pending.clear();
    this.options.send({
      type: 'kvReq',
      from: this.address,
      to: this.target,
      term: 0,
      requestId: this.session,
      request: { kind: 'watchCreate', req: { key: this.options.key, rangeEnd: this.options.rangeEnd, startRevision: this.resumeRevision() } },
    });
    this.after(CREATE_TIMEOUT_MS, 'create-timeout');
    this.after(this.options.random.int(500, 1500), 'reconnect');
    if (this.options.trace.enabled) {
      this.options.trace.record({ t: this.options.now(), k: 'note', text: `watcher ${this.address} watches ${this.options.key}* on node ${this.target} from revision ${this.resumeRevision()}` });
    }
  }

  /** Moves to another server; the old stream is abandoned (its events are ignored). */
  private reconnect(): void {
    const old = this.target;
    if (this.watchId >= 0) {
      this.options.send({ type: 'kvReq', from: this.address, to: old, term: 0, requestId: 0, request: { kind: 'watchCancel', watchId: this.watchId } });
    }
    this.watchId = -1;
    this.target = this.options.nodes === 1 ? 1 : ((old + this.options.random.int(0, this.options.nodes - 2)) % this.options.nodes) + 1;
    this.connect();
  }

  private after(delayMs: number, kind: 'create-timeout' | 'reconnect'): void {
    const token = this.nextToken++;
    this.timers.set(token, { kind, session: this.session });
    this.options.schedule(delayMs, token);
  }
}

export function describe(event: SeenEvent): string {
  return `${event.type} ${event.key}${event.type === 'PUT' ? `=${event.value}` : ''} at revision ${event.revision}`;
}
