/**
 * Dead-state pruning by pending known writes: a key whose count, plus the
 * writes still to be placed that must land before a read, already exceeds what
 * that read reports (Model.knownWrites, with lifeNeeds, life, rank).
 *
 * The model promises, besides lifetimes.ts's (1) and (2):
 *  (5) a completed op with a known write (k, R, b) is legal only in states of
 *      rank < R, and from a state where k is live it leaves k live in the same
 *      lifetime with its count raised by exactly b (etcd: an ok put, or an ok
 *      txn whose taken branch puts k b times and does not delete it; R is the
 *      revision it reports);
 *  (6) a completed op that needs (k, e, n) with last write l leaves a state of
 *      rank >= l (etcd: a read's modRevision is known to be at most the store
 *      revision, or is revealed and raises it to l).
 * Claim: in a state s of rank r where k is live with count c, an ok op still to
 * be placed that needs (k, e, n), last write l, with e <= r, can only be placed if
 * c + (the sum of b over the known writes (k, R, b) still to be placed with
 * R <= l) <= n. Proof: let t be the read's place. Each such write w must come
 * before t: after the read the rank is >= l >= R (6) and never decreases, so w
 * would never be legal again (5). It comes after s, as it is not placed yet. By
 * lifetimes.ts's claim k lives from s to t in one lifetime (or the configuration
 * is dead anyway), so each w raises k's count by b (5), other ops never lower it
 * (2), and at t the count is n. The test depends only on the configuration, so it
 * agrees with the memo. The write capacity guard (capacity.ts) is the other side:
 * too few writes left to reach n.
 *
 * Why: after a leaderless stretch (nemesis seed 4, 20 s and 40 s runs) dozens of
 * info writes fill a window of free revisions, and a key read later (version 9 at
 * modRevision 51) still had an ok put to come (revision 51). The search would give
 * the key all its versions from info writes inside the window and only notice
 * when that put, or the read, could not be placed, after every way of filling the
 * rest of the window with other keys' writes.
 *
 * Cost per alive test: per key with pending writes, its active needs whose last
 * write is above the rank, with one pass over its writes (both sorted by rank).
 */
import type { KeyGuard, Life } from './lifetimes.js';

export interface PendingNeed {
  readonly key: string;
  readonly epoch: number;
  readonly last: number;
  readonly count: number;
}

/** A completed op's write of `key` at rank `rank`, raising its count by `count` (Model.knownWrites). */
export interface KnownWrite {
  readonly key: string;
  readonly rank: number;
  readonly count: number;
}

export interface PendingInput {
  /** Per local op (ok ops only): what it needs of keys (Model.lifeNeeds). */
  readonly needs: readonly (readonly PendingNeed[])[];
  /** Per local op (ok ops only): its known writes (Model.knownWrites). */
  readonly writes: readonly (readonly KnownWrite[])[];
  /** The lifetime of `key` in interned state `state`, or undefined when it is not live. */
  readonly life: (state: number, key: string) => Life | undefined;
  readonly rank: (state: number) => number;
}

/** Per key: needs by last write ascending, known writes by rank ascending. */
interface KeyItems {
  readonly key: string;
  readonly needs: number[];
  readonly writes: number[];
}

export class PendingWriteGuard implements KeyGuard {
  private readonly keys: KeyItems[];
  private readonly opNeeds: Int32Array;
  private readonly opWrites: Int32Array;
  private readonly needEpoch: Float64Array;
  private readonly needLast: Float64Array;
  private readonly needCount: Float64Array;
  private readonly needDone: Uint8Array;
  private readonly writeRank: Float64Array;
  private readonly writeCount: Float64Array;
  private readonly writeKey: Int32Array;
  private readonly writeDone: Uint8Array;
  /** Per key: how many of its known writes are still to be placed. */
  private readonly pendingWrites: Int32Array;
  /** Per tested key: its id in pendingWrites. */
  private readonly keyIndex: number[];

  constructor(private readonly input: PendingInput) {
    const n = input.needs.length;
    const keyId = new Map<string, number>();
    const keys: KeyItems[] = [];
    const kid = (key: string) => {
      let k = keyId.get(key);
      if (k === undefined) {
        keyId.set(key, (k = keys.length));
        keys.push({ key, needs: [], writes: [] });
      }
      return k;
    };
    const needs: { key: number; need: PendingNeed }[] = [];
    const writes: { key: number; write: KnownWrite }[] = [];
    this.opNeeds = new Int32Array(n + 1);
    this.opWrites = new Int32Array(n + 1);
    for (let op = 0; op < n; op++) {
      this.opNeeds[op] = needs.length;
      this.opWrites[op] = writes.length;
      for (const need of input.needs[op]) needs.push({ key: kid(need.key), need });
      for (const write of input.writes[op] ?? []) writes.push({ key: kid(write.key), write });
    }
    this.opNeeds[n] = needs.length;
    this.opWrites[n] = writes.length;
    this.needEpoch = Float64Array.from(needs, (x) => x.need.epoch);
    this.needLast = Float64Array.from(needs, (x) => x.need.last);
    this.needCount = Float64Array.from(needs, (x) => x.need.count);
    this.needDone = new Uint8Array(needs.length);
    this.writeRank = Float64Array.from(writes, (x) => x.write.rank);
    this.writeCount = Float64Array.from(writes, (x) => x.write.count);
    this.writeKey = Int32Array.from(writes, (x) => x.key);
    this.writeDone = new Uint8Array(writes.length);
    needs.forEach((x, i) => keys[x.key].needs.push(i));
    writes.forEach((x, i) => keys[x.key].writes.push(i));
    for (const k of keys) {
      k.needs.sort((a, b) => this.needLast[a] - this.needLast[b] || a - b);
      k.writes.sort((a, b) => this.writeRank[a] - this.writeRank[b] || a - b);
    }
    // Keys nobody reads, or nobody writes knowingly, have nothing to test.
    this.keys = keys.filter((k) => k.needs.length > 0 && k.writes.length > 0);
    this.pendingWrites = new Int32Array(keys.length);
    for (const x of writes) this.pendingWrites[x.key]++;
    this.keyIndex = this.keys.map((k) => keyId.get(k.key) as number);
  }

  /** Op was linearized. */
  add(op: number): void {
    for (let i = this.opNeeds[op]; i < this.opNeeds[op + 1]; i++) this.needDone[i] = 1;
    for (let i = this.opWrites[op]; i < this.opWrites[op + 1]; i++) {
      this.writeDone[i] = 1;
      this.pendingWrites[this.writeKey[i]]--;
    }
  }

  /** Op's linearization was undone. */
  remove(op: number): void {
    for (let i = this.opNeeds[op]; i < this.opNeeds[op + 1]; i++) this.needDone[i] = 0;
    for (let i = this.opWrites[op]; i < this.opWrites[op + 1]; i++) {
      this.writeDone[i] = 0;
      this.pendingWrites[this.writeKey[i]]++;
    }
  }

  /** Can this configuration still complete, as far as pending known writes tell? */
  alive(state: number): boolean {
    const rank = this.input.rank(state);
    for (let j = 0; j < this.keys.length; j++) {
      if (this.pendingWrites[this.keyIndex[j]] === 0) continue;
      const { key, needs, writes } = this.keys[j];
      const life = this.input.life(state, key);
      // Not live: lifetimes.ts rules its active needs out; nothing to count here.
      if (life === undefined) continue;
      let w = 0;
      let pending = 0; // the count pending writes with rank <= the need's last write add
      for (const need of needs) {
        const last = this.needLast[need];
        // Pending writes at ranks <= the state's are dead already (rank.ts): no need to test here.
        if (last <= rank) continue;
        for (; w < writes.length && this.writeRank[writes[w]] <= last; w++) if (this.writeDone[writes[w]] === 0) pending += this.writeCount[writes[w]];
        if (this.needDone[need] === 0 && this.needEpoch[need] <= rank && life.count + pending > this.needCount[need]) return false;
      }
    }
    return true;
  }
}
