import type { RandomStream } from './random.js';
import type { DropReason, MessageInfo, TraceRecorder } from './trace.js';

export interface NetworkSettings {
  /** Every message takes at least this long. */
  readonly minLatencyMs: number;
  /** Plus a uniform extra delay in [0, spread], so messages overtake each other. */
  readonly latencySpreadMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  /** This share of messages is held up to `tailMs` longer. */
  readonly tailRate: number;
  readonly tailMs: number;
}

export interface Addressed {
  readonly from: number;
  readonly to: number;
}

/**
 * A message on its way; `epoch` is the link's cut epoch when it left. It is its own event
 * in the simulator's queue (`kind`), so a message costs one object in flight, not two.
 */
export interface InFlight<P extends Addressed> {
  readonly kind: 'deliver';
  readonly id: number;
  readonly payload: P;
  readonly epoch: number;
}

export interface Describe<P> {
  (payload: P): { type: string; term: number; info: MessageInfo };
}

/**
 * The simulated network: per-message latency, loss and duplication drawn from the
 * network stream, and a set of cut directed links. A cut also stops messages already
 * in flight on its link, even if the link heals before they would have arrived.
 */
export class Network<P extends Addressed> {
  /**
   * Kept in one object shape whatever shape it was given in (a parsed scenario, a spread
   * of one with a field replaced): every send reads it, and reads of many shapes are slow.
   */
  private current: NetworkSettings;
  /**
   * Per directed link: its cut epoch (how often it was cut) times two, plus one while it
   * is cut; 0 for a link never cut. One read per message tells both. A dense square
   * table, `from * width + to`, grown to the highest address ever cut: every message
   * reads it, and a table read costs a fraction of a map lookup. Addresses beyond it
   * (clients, nodes never cut) read as 0.
   */
  private links: number[] = [];
  private width = 0;
  private nextId = 1;
  /** Clogged directed links and the messages held at them in arrival order; empty when none is (one size check per message then). */
  private readonly clogged = new Map<number, InFlight<P>[]>();
  /** Messages the schedule's `drop` faults name, by id; null when none do (no lookup per message then). */
  private chosenDrops: ReadonlySet<number> | null = null;
  sent = 0;
  delivered = 0;
  dropped = 0;

  constructor(
    settings: NetworkSettings,
    private readonly random: RandomStream,
    private readonly trace: TraceRecorder,
    private readonly clock: { now(): number },
    private readonly schedule: (time: number, message: InFlight<P>) => void,
    private readonly describe: Describe<P>,
    /**
     * Packets on a stream connection (TCP-like): never lost or duplicated at random, since
     * the transport retransmits and deduplicates; latency and cut links still apply.
     */
    private readonly onConnection: (payload: P) => boolean = () => false,
  ) {
    this.current = sameShape(settings);
  }

  get settings(): NetworkSettings {
    return this.current;
  }

  set settings(settings: NetworkSettings) {
    this.current = sameShape(settings);
  }

  send(payload: P): void {
    const id = this.nextId++;
    const now = this.clock.now();
    this.sent++;
    if (this.trace.enabled) {
      const { type, term, info } = this.describe(payload);
      this.trace.record({ t: now, k: 'send', id, from: payload.from, to: payload.to, type, term, info });
    }
    const state = this.linkState(payload.from, payload.to);
    if (state & 1) return this.drop(id, payload, 'partition');
    const datagram = !this.onConnection(payload);
    if (datagram && this.random.chance(this.current.dropRate)) return this.drop(id, payload, 'loss');
    const epoch = state >> 1;
    this.dispatch(id, payload, epoch, now + this.latency(), datagram);
    if (datagram && this.random.chance(this.current.duplicateRate)) {
      const copy = this.nextId++;
      if (this.trace.enabled) this.trace.record({ t: now, k: 'duplicate', id, copy });
      this.dispatch(copy, payload, epoch, now + this.latency(), datagram);
    }
  }

  /** Puts a message (or a duplicate copy) on the wire, unless the schedule chose to lose it: its draws are made either way. */
  private dispatch(id: number, payload: P, epoch: number, arrival: number, datagram: boolean): void {
    if (datagram && this.chosenDrops !== null && this.chosenDrops.has(id)) this.drop(id, payload, 'chosen');
    else this.schedule(arrival, { kind: 'deliver', id, payload, epoch });
  }

  /** The messages to lose when they are sent, by id (the schedule's `drop` faults). */
  dropWhenSent(ids: readonly number[]): void {
    this.chosenDrops = ids.length === 0 ? null : new Set(ids);
  }

  /** Decides at arrival time whether a message still gets through its link (a clogged link holds it). */
  admit(message: InFlight<P>): boolean {
    const { from, to } = message.payload;
    const state = this.linkState(from, to);
    // Cut now, or cut (and maybe healed) since it left.
    if (state !== message.epoch * 2) {
      this.drop(message.id, message.payload, 'partition');
      return false;
    }
    if (this.clogged.size > 0) {
      const held = this.clogged.get(linkKey(from, to));
      if (held !== undefined) {
        held.push(message);
        return false;
      }
    }
    return true;
  }

  /**
   * The link from → to stops delivering without losing anything (a stalled connection, a
   * full buffer): messages arriving on it, those in flight included, are held in order
   * until `unclog` lets them all through at once.
   */
  clog(from: number, to: number): void {
    const key = linkKey(from, to);
    if (!this.clogged.has(key)) this.clogged.set(key, []);
  }

  /** Lets a clogged link's held messages through, in the order they arrived; answers how many there were. */
  unclog(from: number, to: number): number {
    const key = linkKey(from, to);
    const held = this.clogged.get(key);
    if (held === undefined) return 0;
    this.clogged.delete(key);
    // Each arrives again now and is admitted afresh: a link cut meanwhile drops it.
    const now = this.clock.now();
    for (const message of held) this.schedule(now, message);
    return held.length;
  }

  /** The clogged links as [from, to] pairs in a stable order. */
  cloggedLinks(): [number, number][] {
    return [...this.clogged.keys()].sort((a, b) => a - b).map((key) => [Math.floor(key / LINK_BASE), key % LINK_BASE]);
  }

  /** Records a delivery (the caller hands the message to its destination). */
  recordDelivery(message: InFlight<P>): void {
    this.delivered++;
    if (this.trace.enabled) {
      const { from, to } = message.payload;
      this.trace.record({ t: this.clock.now(), k: 'deliver', id: message.id, from, to });
    }
  }

  drop(id: number, payload: P, reason: DropReason): void {
    this.dropped++;
    if (this.trace.enabled) {
      this.trace.record({ t: this.clock.now(), k: 'drop', id, from: payload.from, to: payload.to, reason });
    }
  }

  cut(from: number, to: number): void {
    const state = this.linkState(from, to);
    if (!(state & 1)) this.setLinkState(from, to, state + 3);
  }

  uncut(from: number, to: number): void {
    const state = this.linkState(from, to);
    if (state & 1) this.setLinkState(from, to, state - 1);
  }

  isCut(from: number, to: number): boolean {
    return (this.linkState(from, to) & 1) === 1;
  }

  healAll(): void {
    const links = this.links;
    for (let i = 0; i < links.length; i++) if (links[i] & 1) links[i]--;
  }

  /** The cut links as [from, to] pairs, by sender and then receiver. */
  cutLinks(): [number, number][] {
    const cut: [number, number][] = [];
    const width = this.width;
    for (let i = 0; i < this.links.length; i++) if (this.links[i] & 1) cut.push([Math.floor(i / width), i % width]);
    return cut;
  }

  private linkState(from: number, to: number): number {
    const width = this.width;
    return from < width && to < width ? this.links[from * width + to] : 0;
  }

  private setLinkState(from: number, to: number, state: number): void {
    if (from >= this.width || to >= this.width) this.widen(Math.max(from, to) + 1);
    this.links[from * this.width + to] = state;
  }

  /** Copies every link's state into a wider table. */
  private widen(width: number): void {
    const links = new Array<number>(width * width).fill(0);
    for (let i = 0; i < this.links.length; i++) links[Math.floor(i / this.width) * width + (i % this.width)] = this.links[i];
    this.links = links;
    this.width = width;
  }

  private latency(): number {
    const { minLatencyMs, latencySpreadMs, tailRate, tailMs } = this.current;
    const spread = latencySpreadMs > 0 ? this.random.int(0, latencySpreadMs) : 0;
    const tail = this.random.chance(tailRate) ? this.random.int(0, tailMs) : 0;
    return minLatencyMs + spread + tail;
  }
}

function sameShape({ minLatencyMs, latencySpreadMs, dropRate, duplicateRate, tailRate, tailMs }: NetworkSettings): NetworkSettings {
  return { minLatencyMs, latencySpreadMs, dropRate, duplicateRate, tailRate, tailMs };
}

const LINK_BASE = 4096;

function linkKey(from: number, to: number): number {
  return from * LINK_BASE + to;
}
