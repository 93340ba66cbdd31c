/**
 * Test harness for the pure Raft node: build nodes in a chosen state, drain their
 * readies into a fake storage the way a real driver would, and move messages
 * between a set of nodes until nothing is left to deliver (etcd's `stabilize`).
 */
import { expect } from 'vitest';
import type { BugSwitches } from '../../src/bugs.js';
import { decodeConfChange } from '../../src/raft/membership.js';
import type { ElectionOptions } from '../../src/raft/election.js';
import { RaftNode, type RaftConfig } from '../../src/raft/node.js';
import { NONE } from '../../src/raft/types.js';
import type { Entry, HardState, Message, MessageType, NodeId, ReadState, Ready, Snapshot } from '../../src/raft/types.js';

export const ET = 10;
export const HB = 1;

/** A fixed random stream: every randomized election timeout is ET + floor(value · ET). */
export const fixedRandom =
  (value = 0) =>
  (): number =>
    value;

/** Entries with the given terms at indices 1, 2, …; the payload names index and term, so equal (index, term) means equal entry. */
export function entriesOf(terms: readonly number[], from = 1): Entry[] {
  return terms.map((term, i) => ({ index: from + i, term, data: `i${from + i}t${term}` }));
}

export function termsOf(entries: readonly Entry[]): number[] {
  return entries.map((e) => e.term);
}

/**
 * What the driver has written. Writes land in `volatile` at once and reach `durable`
 * only when the ready says `mustSync`; a crash keeps only `durable`, so a ready that
 * forgets to ask for a sync loses what it promised.
 */
export interface StoredState {
  hardState: HardState;
  /** Consecutive entries; with a snapshot they follow a compacted prefix. */
  entries: Entry[];
  snapshot: Snapshot | null;
}

/** The last index `state` holds: its last entry, or else its snapshot's. */
export function lastStoredIndex(state: StoredState): number {
  return state.entries.at(-1)?.index ?? state.snapshot?.metadata.index ?? 0;
}

export class MemoryStorage {
  durable: StoredState;
  volatile: StoredState;

  constructor(hardState: HardState = { term: 0, vote: NONE, commit: 0 }, entries: readonly Entry[] = []) {
    this.durable = { hardState, entries: entries.slice(), snapshot: null };
    this.volatile = { hardState, entries: entries.slice(), snapshot: null };
  }

  write(rd: Ready): void {
    if (rd.snapshot) {
      this.volatile.snapshot = rd.snapshot;
      this.volatile.entries = [];
    }
    if (rd.entries.length > 0) {
      const first = rd.entries[0].index;
      const base = this.volatile.entries[0]?.index ?? (this.volatile.snapshot?.metadata.index ?? 0) + 1;
      // A rewrite must start inside (or right after) what is stored: no holes in the log.
      expect(first, 'ready entries leave a hole in storage').toBeLessThanOrEqual(base + this.volatile.entries.length);
      this.volatile.entries.length = first - base;
      this.volatile.entries.push(...rd.entries);
    }
    if (rd.hardState) this.volatile.hardState = rd.hardState;
    if (rd.mustSync) this.sync();
  }

  /** Keeps the node's own snapshot and drops the entries up to `compactedIndex`, as a driver does after `compact`. */
  saveSnapshot(snapshot: Snapshot, compactedIndex: number): void {
    this.volatile.snapshot = snapshot;
    this.volatile.entries = this.volatile.entries.filter((entry) => entry.index > compactedIndex);
  }

  sync(): void {
    this.durable = copyOf(this.volatile);
  }

  /** Loses every unsynced write. */
  crash(): void {
    this.volatile = copyOf(this.durable);
  }
}

function copyOf(state: StoredState): StoredState {
  return { hardState: state.hardState, entries: state.entries.slice(), snapshot: state.snapshot };
}

/** Election hardening (PreVote, CheckQuorum, read mode) passes straight to the node. */
export interface PeerOptions extends ElectionOptions {
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  readonly random?: () => number;
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  readonly maxBytesPerAppend?: number;
  readonly maxUncommittedBytes?: number;
  readonly snapshotCatchUpEntries?: number;
  /** Start from this durable state instead of an empty one. */
  readonly hardState?: HardState;
  readonly entries?: readonly Entry[];
  /** Check in every ready that outgoing messages only promise what is durable (default true). */
  readonly checkDurability?: boolean;
  /** Planted defects to switch on (test/bugs). */
  readonly bugs?: BugSwitches;
}

/**
 * One node with its driver: `drain()` runs the ready loop (persist, sync, collect the
 * messages, apply, advance) until the node has nothing more to hand out.
 */
export class Peer {
  node: RaftNode;
  readonly storage: MemoryStorage;
  /** Entries applied to the state machine, in order, across restarts of this peer (reset by restart). */
  applied: Entry[] = [];
  /** The snapshot the state machine was last restored from, at boot or installed from a leader. */
  restoredFrom: Snapshot | null = null;
  readStates: ReadState[] = [];
  /** Every ready handed out, for tests that look at how things were grouped. */
  readies: Ready[] = [];

  constructor(
    readonly id: NodeId,
    readonly voters: readonly NodeId[],
    private readonly options: PeerOptions = {},
  ) {
    this.storage = new MemoryStorage(options.hardState, options.entries);
    this.node = this.boot();
  }

  private boot(): RaftNode {
    const o = this.options;
    const config: RaftConfig = {
      id: this.id,
      voters: this.voters,
      electionTicks: o.electionTicks ?? ET,
      heartbeatTicks: o.heartbeatTicks ?? HB,
      random: o.random ?? fixedRandom(0),
      maxEntriesPerAppend: o.maxEntriesPerAppend,
      maxInflight: o.maxInflight,
      maxBytesPerAppend: o.maxBytesPerAppend,
      maxUncommittedBytes: o.maxUncommittedBytes,
      snapshotCatchUpEntries: o.snapshotCatchUpEntries,
      bugs: o.bugs,
      preVote: o.preVote,
      checkQuorum: o.checkQuorum,
      readMode: o.readMode,
      restored: { hardState: this.storage.durable.hardState, entries: this.storage.durable.entries.slice(), snapshot: this.storage.durable.snapshot },
    };
    this.restoredFrom = this.storage.durable.snapshot;
    return new RaftNode(config);
  }

  get role() {
    return this.node.role;
  }
  get term() {
    return this.node.term;
  }

  step(m: Message): void {
    this.node.step(m);
  }

  tick(n = 1): void {
    for (let i = 0; i < n; i++) this.node.tick();
  }

  /** The driver loop; returns the messages the node asked to send, in order. */
  drain(): Message[] {
    const out: Message[] = [];
    while (this.node.hasReady()) {
      const rd = this.node.ready();
      const messages = rd.messages.slice();
      const readStates = rd.readStates.slice();
      this.readies.push({ ...rd, messages, readStates, entries: rd.entries.slice(), committed: rd.committed.slice() });
      this.storage.write(rd);
      if (this.options.checkDurability !== false) checkDurable(this.id, this.storage.durable, messages);
      out.push(...messages);
      if (rd.snapshot) this.restoredFrom = rd.snapshot;
      for (const entry of rd.committed) {
        const expected = Math.max(this.applied.at(-1)?.index ?? 0, this.restoredFrom?.metadata.index ?? 0) + 1;
        expect(entry.index, `node ${this.id} applies out of order`).toBe(expected);
        this.applied.push(entry);
        if (entry.type === 'conf') this.node.applyConfChange(decodeConfChange(entry));
      }
      this.readStates.push(...readStates);
      this.node.advance(rd);
    }
    return out;
  }

  /** Like `drain`, returning the readies it went through (the first holds what the last input changed). */
  drainReadies(): Ready[] {
    const before = this.readies.length;
    this.drain();
    return this.readies.slice(before);
  }

  /** A crash (unsynced writes lost) and a restart from what storage holds. */
  restart(): void {
    this.storage.crash();
    this.node = this.boot();
    this.applied = [];
    this.readStates = [];
  }

  /** Snapshots the state machine (`data`) at the applied index and compacts, as a driver does. */
  compact(data = `state@${this.node.applied}`): Snapshot {
    const snapshot = this.node.compact(this.node.applied, data);
    this.storage.saveSnapshot(snapshot, this.node.log.compactedIndex);
    return snapshot;
  }

  /** The node's whole log (what is left of it after compaction), entry by entry. */
  logEntries(): Entry[] {
    return this.node.log.slice(this.node.log.firstIndex(), this.node.log.lastIndex());
  }

  logTerms(): number[] {
    return termsOf(this.logEntries());
  }
}

/**
 * Every message leaving a node may only promise what is durable: a granted vote, a
 * vote request or an append all speak for a term (and vote) that must be on disk, and
 * an append acknowledgement for entries that must be on disk.
 */
export function checkDurable(id: NodeId, durable: StoredState, messages: readonly Message[]): void {
  const hs = durable.hardState;
  for (const m of messages) {
    // A pre-vote and its grant speak of a term that may never exist: they promise nothing durable.
    if (m.term === 0 || m.type === 'preVote' || m.type === 'preVoteResp') continue;
    expect(hs.term, `node ${id} sends a ${m.type} of term ${m.term} before that term is durable`).toBeGreaterThanOrEqual(m.term);
    // A message of an older term in the same ready was overtaken by a newer term; only
    // messages of the durable term can still be acted upon.
    if (hs.term !== m.term) continue;
    if (m.type === 'voteResp' && m.granted) {
      expect(hs.vote, `node ${id} grants its vote to ${m.to} before the vote is durable`).toBe(m.to);
    }
    if (m.type === 'vote') expect(hs.vote, `node ${id} asks for votes before its own vote is durable`).toBe(id);
    if (m.type === 'appResp' && !m.reject) {
      expect(lastStoredIndex(durable), `node ${id} acknowledges index ${m.index} before it is durable`).toBeGreaterThanOrEqual(m.index);
    }
  }
}

export type Filter = (m: Message) => boolean;

/**
 * A set of peers and the messages in flight between them. `stabilize` drains every
 * peer and delivers pending messages in FIFO order until the network is quiet.
 */
export class Network {
  readonly peers = new Map<NodeId, Peer>();
  /** Messages sent but not yet delivered. */
  pending: Message[] = [];
  /** Every message delivered so far, in order. */
  delivered: Message[] = [];
  /** Every message dropped so far. */
  dropped: Message[] = [];
  private readonly isolated = new Set<NodeId>();
  private readonly cuts = new Set<string>();
  private filters: Filter[] = [];

  constructor(ids: readonly NodeId[], options: PeerOptions | ((id: NodeId) => PeerOptions) = {}) {
    for (const id of ids) {
      this.peers.set(id, new Peer(id, ids, typeof options === 'function' ? options(id) : options));
    }
  }

  static of(peers: readonly Peer[]): Network {
    const net = new Network([]);
    for (const p of peers) net.peers.set(p.id, p);
    return net;
  }

  peer(id: NodeId): Peer {
    const p = this.peers.get(id);
    if (!p) throw new Error(`no peer ${id}`);
    return p;
  }

  node(id: NodeId): RaftNode {
    return this.peer(id).node;
  }

  /** Cut a node off from everyone in both directions. */
  isolate(id: NodeId): void {
    this.isolated.add(id);
  }

  /** Cut the link between a and b in both directions. */
  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}-${b}`);
    this.cuts.add(`${b}-${a}`);
  }

  /** Drop every message for which `filter` returns true. */
  drop(filter: Filter): void {
    this.filters.push(filter);
  }

  /** Drop messages of these types. */
  dropTypes(...types: MessageType[]): void {
    this.drop((m) => types.includes(m.type));
  }

  heal(): void {
    this.isolated.clear();
    this.cuts.clear();
    this.filters = [];
  }

  private blocked(m: Message): boolean {
    if (this.isolated.has(m.from) || this.isolated.has(m.to)) return true;
    if (this.cuts.has(`${m.from}-${m.to}`)) return true;
    return this.filters.some((f) => f(m));
  }

  /** Moves every peer's ready output into the pending queue. */
  collect(): void {
    for (const p of this.peers.values()) this.pending.push(...p.drain());
  }

  /** Queue messages by hand (they are delivered like any other). */
  send(...messages: Message[]): void {
    this.pending.push(...messages);
  }

  /** Delivers one message (or drops it); false when nothing was pending. */
  deliverOne(): boolean {
    const m = this.pending.shift();
    if (!m) return false;
    if (this.blocked(m) || !this.peers.has(m.to)) {
      this.dropped.push(m);
      return true;
    }
    this.delivered.push(m);
    const target = this.peer(m.to);
    target.step(m);
    this.pending.push(...target.drain());
    return true;
  }

  /** Delivers until quiet. */
  stabilize(limit = 100_000): void {
    this.collect();
    for (let n = 0; n < limit; n++) {
      if (!this.deliverOne()) {
        this.collect();
        if (this.pending.length === 0) return;
      }
    }
    throw new Error('network did not stabilize');
  }

  tick(id: NodeId, n = 1): void {
    this.peer(id).tick(n);
  }

  /** Makes `id` campaign and settles the network; asserts it won. */
  elect(id: NodeId): RaftNode {
    this.node(id).campaign();
    this.stabilize();
    expect(this.node(id).role, `node ${id} should have won the election`).toBe('leader');
    return this.node(id);
  }

  /** Proposes on `id` and settles the network. */
  propose(id: NodeId, data: string): void {
    this.node(id).propose(data);
    this.stabilize();
  }

  /** Leaders by term, over all peers. */
  leaders(): RaftNode[] {
    return [...this.peers.values()].map((p) => p.node).filter((n) => n.role === 'leader');
  }

  deliveredOfType<T extends MessageType>(type: T): Extract<Message, { type: T }>[] {
    return this.delivered.filter((m): m is Extract<Message, { type: T }> => m.type === type);
  }
}

/**
 * A node in `term` that has just become leader: it campaigned from `term − 1` and got
 * granted votes from just enough peers, handed in by hand. Its outbox is drained.
 */
export function makeLeader(peer: Peer, votersFrom: readonly NodeId[]): Message[] {
  peer.node.campaign();
  peer.drain();
  for (const from of votersFrom) {
    peer.step({ type: 'voteResp', from, to: peer.id, term: peer.term, granted: true });
  }
  expect(peer.role).toBe('leader');
  return peer.drain();
}

/** Messages of one type, narrowed. */
export function ofType<T extends MessageType>(messages: readonly Message[], type: T): Extract<Message, { type: T }>[] {
  return messages.filter((m): m is Extract<Message, { type: T }> => m.type === type);
}

/**
 * Figure 8 (b) of the Raft paper: S1 and S2 hold index 2 of term 2, S5 holds index 2 of
 * term 3 (it led term 3 without replicating), S3 and S4 only index 1. Appends carry one
 * entry, so commits can rest on an earlier-term entry; `bugs` go to every node.
 */
export function figure8Network(bugs?: BugSwitches): Network {
  const states: Record<NodeId, { hardState: HardState; terms: number[] }> = {
    1: { hardState: { term: 2, vote: 1, commit: 1 }, terms: [1, 2] },
    2: { hardState: { term: 2, vote: 1, commit: 1 }, terms: [1, 2] },
    3: { hardState: { term: 3, vote: 5, commit: 1 }, terms: [1] },
    4: { hardState: { term: 3, vote: 5, commit: 1 }, terms: [1] },
    5: { hardState: { term: 3, vote: 5, commit: 1 }, terms: [1, 3] },
  };
  return new Network([1, 2, 3, 4, 5], (id) => ({
    hardState: states[id].hardState,
    entries: entriesOf(states[id].terms),
    maxEntriesPerAppend: 1,
    ...(bugs ? { bugs } : {}),
  }));
}
