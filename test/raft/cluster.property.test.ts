/**
 * Random message schedules on 3–5 in-memory nodes: messages delivered in any order,
 * dropped or duplicated, random ticks, proposals, reads, isolated nodes and crashes
 * with restarts from what was synced. After every step the Raft safety properties
 * (Figure 3 of the paper) must hold:
 *   - election safety: at most one leader per term;
 *   - log matching: two logs with an entry of the same index and term are identical up to it;
 *   - state machine safety / no committed entry lost or changed: whatever any node has
 *     committed (or applied) at an index is the same entry everywhere, forever;
 *   - leader completeness: a leader of a later term holds every entry committed before;
 *   - read index: a read point is at least every index committed before the read began.
 * Every ready is also checked to promise nothing that is not durable (see helpers).
 * Once the network heals, the cluster must elect a leader and converge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, Message, NodeId } from '../../src/raft/types.js';
import { Peer } from './helpers.js';

const ELECTION = 4;
const HEARTBEAT = 1;

/** A small deterministic PRNG (mulberry32), one stream per node. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Action =
  | { readonly k: 'deliver'; readonly i: number }
  | { readonly k: 'drop'; readonly i: number }
  | { readonly k: 'dup'; readonly i: number }
  | { readonly k: 'tick'; readonly n: number }
  | { readonly k: 'tickAll' }
  | { readonly k: 'propose'; readonly n: number }
  | { readonly k: 'read'; readonly n: number }
  | { readonly k: 'isolate'; readonly n: number }
  | { readonly k: 'heal' }
  | { readonly k: 'restart'; readonly n: number };

const idx = fc.nat({ max: 1000 });
/** Mostly one of the oldest messages in flight (a roughly FIFO network), sometimes any. */
const near = fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 2 }) }, { weight: 1, arbitrary: idx });
const nodeIdx = fc.nat({ max: 4 });
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 150, arbitrary: near.map((i) => ({ k: 'deliver', i }) as const) },
  { weight: 4, arbitrary: idx.map((i) => ({ k: 'drop', i }) as const) },
  { weight: 4, arbitrary: idx.map((i) => ({ k: 'dup', i }) as const) },
  { weight: 30, arbitrary: nodeIdx.map((n) => ({ k: 'tick', n }) as const) },
  { weight: 8, arbitrary: fc.constant({ k: 'tickAll' } as const) },
  { weight: 8, arbitrary: nodeIdx.map((n) => ({ k: 'propose', n }) as const) },
  { weight: 4, arbitrary: nodeIdx.map((n) => ({ k: 'read', n }) as const) },
  { weight: 1, arbitrary: nodeIdx.map((n) => ({ k: 'isolate', n }) as const) },
  { weight: 2, arbitrary: fc.constant({ k: 'heal' } as const) },
  { weight: 1, arbitrary: nodeIdx.map((n) => ({ k: 'restart', n }) as const) },
);

const sameEntry = (a: Entry, b: Entry) => a.index === b.index && a.term === b.term && a.data === b.data;
const show = (e: Entry | undefined) => (e ? `${e.index}@${e.term}:${e.data}` : 'none');

class Cluster {
  readonly ids: NodeId[];
  readonly peers = new Map<NodeId, Peer>();
  pending: Message[] = [];
  readonly isolated = new Set<NodeId>();
  private proposals = 0;
  private reads = 0;
  /** Election safety: the one leader seen for each term. */
  private readonly leaderOf = new Map<number, NodeId>();
  /** Every entry known committed, by index, and the term in which it was first seen committed. */
  private readonly committed: Entry[] = [];
  private readonly committedInTerm: number[] = [];

  constructor(size: number, seed: number) {
    this.ids = Array.from({ length: size }, (_, i) => i + 1);
    for (const id of this.ids) {
      this.peers.set(
        id,
        new Peer(id, this.ids, { electionTicks: ELECTION, heartbeatTicks: HEARTBEAT, random: mulberry32(seed * 31 + id) }),
      );
    }
  }

  private id(n: number): NodeId {
    return this.ids[n % this.ids.length];
  }

  /** For each read: the highest index known committed anywhere when it was issued. */
  private readonly readFloor = new Map<string, number>();

  private flush(peer: Peer): void {
    const before = peer.readStates.length;
    this.pending.push(...peer.drain());
    // Linearizable reads: a read point covers every write committed before the read began.
    for (const read of peer.readStates.slice(before)) {
      const floor = this.readFloor.get(read.context);
      if (floor === undefined) throw new Error(`node ${peer.id} got a read state for unknown read ${read.context}`);
      if (read.index < floor) {
        throw new Error(`read ${read.context} answered at index ${read.index}, but ${floor} was committed before it began`);
      }
    }
  }

  deliver(m: Message): void {
    if (this.isolated.has(m.from) || this.isolated.has(m.to)) return;
    const peer = this.peers.get(m.to)!;
    peer.step(m);
    this.flush(peer);
  }

  apply(a: Action): void {
    switch (a.k) {
      case 'deliver':
      case 'drop':
      case 'dup': {
        if (this.pending.length === 0) return;
        const at = a.i % this.pending.length;
        if (a.k === 'dup') this.pending.push(this.pending[at]);
        else {
          const [m] = this.pending.splice(at, 1);
          if (a.k === 'deliver') this.deliver(m);
        }
        return;
      }
      case 'tick': {
        const peer = this.peers.get(this.id(a.n))!;
        peer.tick();
        this.flush(peer);
        return;
      }
      case 'tickAll':
        for (const peer of this.peers.values()) {
          peer.tick();
          this.flush(peer);
        }
        return;
      case 'propose': {
        // Half the time the client finds the newest leader; otherwise it asks any node.
        const leader = [...this.peers.values()].filter((p) => p.role === 'leader').sort((x, y) => y.term - x.term)[0];
        const peer = a.n % 2 === 0 && leader ? leader : this.peers.get(this.id(a.n))!;
        peer.node.propose(`p${++this.proposals}`);
        this.flush(peer);
        return;
      }
      case 'read': {
        const peer = this.peers.get(this.id(a.n))!;
        const context = `r${++this.reads}`;
        this.readFloor.set(context, this.committed.length - 1);
        peer.node.readIndex(context);
        this.flush(peer);
        return;
      }
      case 'isolate':
        // Keep a majority connected most of the time: isolate at most a minority.
        if (this.isolated.size < Math.floor((this.ids.length - 1) / 2)) this.isolated.add(this.id(a.n));
        else this.isolated.clear();
        return;
      case 'heal':
        this.isolated.clear();
        return;
      case 'restart': {
        const peer = this.peers.get(this.id(a.n))!;
        peer.restart();
        this.flush(peer);
        return;
      }
    }
  }

  /** The safety properties, over the whole cluster as it stands. */
  check(): void {
    const peers = [...this.peers.values()];
    for (const p of peers) {
      const n = p.node;
      // Election safety.
      if (n.role === 'leader') {
        const other = this.leaderOf.get(n.term);
        if (other !== undefined && other !== n.id) throw new Error(`election safety: ${other} and ${n.id} both lead term ${n.term}`);
        this.leaderOf.set(n.term, n.id);
      }
      // No committed entry lost or changed.
      for (let i = 1; i <= n.commit; i++) {
        const e = n.log.entryAt(i);
        if (!e) throw new Error(`node ${n.id} committed ${n.commit} but has no entry ${i}`);
        const known = this.committed[i];
        if (known === undefined) {
          this.committed[i] = e;
          this.committedInTerm[i] = n.term;
        } else if (!sameEntry(known, e)) {
          throw new Error(`committed entry ${i} changed: ${show(known)} on record, ${show(e)} on node ${n.id}`);
        }
      }
      for (const e of p.applied) {
        if (!this.committed[e.index] || !sameEntry(this.committed[e.index], e)) {
          throw new Error(`node ${n.id} applied ${show(e)} but ${show(this.committed[e.index])} is committed there`);
        }
      }
    }
    // Leader completeness.
    for (const p of peers) {
      const n = p.node;
      if (n.role !== 'leader') continue;
      for (let i = 1; i < this.committed.length; i++) {
        if (this.committedInTerm[i] >= n.term) continue;
        const e = n.log.entryAt(i);
        if (!e || !sameEntry(e, this.committed[i])) {
          throw new Error(`leader completeness: leader ${n.id} of term ${n.term} has ${show(e)} at ${i}, committed ${show(this.committed[i])}`);
        }
      }
    }
    // Log matching.
    for (let a = 0; a < peers.length; a++) {
      for (let b = a + 1; b < peers.length; b++) {
        const la = peers[a].node.log;
        const lb = peers[b].node.log;
        let i = Math.min(la.lastIndex(), lb.lastIndex());
        while (i > 0 && la.termAt(i) !== lb.termAt(i)) i--;
        for (let j = 1; j <= i; j++) {
          if (!sameEntry(la.entryAt(j), lb.entryAt(j))) {
            throw new Error(
              `log matching: nodes ${peers[a].id} and ${peers[b].id} agree on term at ${i} but differ at ${j}: ${show(la.entryAt(j))} vs ${show(lb.entryAt(j))}`,
            );
          }
        }
      }
    }
  }

  /** Heals the network and runs in lockstep (tick everyone, deliver everything) until the cluster converges. */
  settle(maxRounds: number): boolean {
    this.isolated.clear();
    for (let round = 0; round < maxRounds; round++) {
      for (const peer of this.peers.values()) {
        peer.tick();
        this.flush(peer);
      }
      for (let n = 0; n < 10_000 && this.pending.length > 0; n++) this.deliver(this.pending.shift()!);
      this.check();
      if (this.converged()) return true;
    }
    return false;
  }

  private converged(): boolean {
    const leaders = [...this.peers.values()].filter((p) => p.role === 'leader');
    const top = Math.max(...[...this.peers.values()].map((p) => p.term));
    const leader = leaders.find((p) => p.term === top);
    if (!leader) return false;
    const log = leader.logEntries();
    if (leader.node.commit !== log.length) return false;
    return [...this.peers.values()].every(
      (p) => p.term === top && p.node.commit === log.length && p.applied.length === log.length && p.logEntries().every((e, i) => sameEntry(e, log[i])),
    );
  }
}

describe('Raft safety under random schedules', () => {
  it('election safety, log matching, leader completeness and state machine safety hold; the cluster converges once healed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.array(action, { minLength: 300, maxLength: 1000, size: 'max' }),
        (size, seed, actions) => {
          const cluster = new Cluster(size, seed);
          for (const a of actions) {
            cluster.apply(a);
            cluster.check();
          }
          expect(cluster.settle(50 * ELECTION), 'the healed cluster converges').toBe(true);
        },
      ),
      // A failure found with long schedules can take long to shrink: report what is found by then.
      { numRuns: 300, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: true },
    );
  });
});
