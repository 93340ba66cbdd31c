/**
 * Dead-state pruning by pending known writes and by free ranks shared between
 * keys (Model.knownWrites, mayWrite, freeRanks, with lifeNeeds, life, rank).
 *
 * The model promises, besides lifetimes.ts's (1) and (2):
 *  (5) a completed op with a known write (k, R, b) is legal only in states of
 *      rank < R, and from a state where k is live it leaves k live in the same
 *      lifetime with its count raised by exactly b (etcd: an ok put, or an ok
 *      txn whose taken branch puts k b times and does not delete it; R is the
 *      revision it reports); one with a known end of k at R is legal only below
 *      R too (an ok delete, a txn deleting k);
 *  (6) a completed op that needs (k, e, n) with last write l leaves a state of
 *      rank >= l (etcd: a read's modRevision is known to be at most the store
 *      revision, or is revealed and raises it to l);
 *  (7) an ok op that raises a key's count or ends its lifetime has a known
 *      write or end for it; an info op that changes the state moves the rank to
 *      a free rank above it (one no known write takes: freeRanks(a, b) counts
 *      those in (a, b]); an info op raises k's count by at most the most puts of
 *      k it can make (mayWrite.raises) and ends only keys in mayWrite.ends.
 *
 * Rule A. In a state s of rank r where k is live with count c, an ok op still to
 * be placed that needs (k, e, n), last write l, with e <= r, can only be placed if
 * c + P <= n, P the sum of b over the known writes (k, R, b) still to be placed
 * with R <= l (the search counts those with R > r: one at or below r is dead
 * already, rank.ts; counting fewer only weakens the test). Proof: let t be the read's place. Each such write w must come
 * before t: after the read the rank is >= l >= R (6) and never decreases, so w
 * would never be legal again (5). It comes after s, as it is not placed yet. By
 * lifetimes.ts's claim k lives from s to t in one lifetime (or the configuration
 * is dead anyway), so each w raises k's count by b (5), other ops never lower it
 * (2), and at t the count is n.
 *
 * Rule B. Same need; the other n - c - P of k's count must come from info ops
 * (7), at least ceil((n - c - P) / most puts of k per op) of them. Besides, a key
 * j != k that is live in s with a known epoch while an ok op still to be placed
 * needs j created at epoch e_j with r < e_j <= l, and no known end of j below e_j
 * is still to be placed, must be ended by an info op in between: j's lifetime in
 * s is not e_j's (its epoch is known, <= r < e_j, and never changes, (2)), and
 * the end comes below the rank e_j at which j is created again (a known end at
 * R >= e_j leaves a rank >= e_j that no later creation fits). Counting only keys
 * j for which no info op can both end j and raise k, and dividing by the most keys one
 * op can end, the two groups are distinct info ops. Each takes its own free rank
 * in (r, l] (7: ranks only grow; the writes of k are before t, where k's last
 * write has rank <= l; the ends are below e_j <= l). So their number is at most
 * freeRanks(r, l).
 *
 * Both tests depend only on the configuration, so they agree with the memo. The
 * write capacity guard (capacity.ts) is rule A's other side, for one key alone.
 *
 * Why: after leaderless stretches (nemesis seed 4 run 20 s and 40 s) dozens of
 * info writes fill windows of free revisions. Rule A: a key read later (version 9
 * at modRevision 51) still had an ok put to come (revision 51), and the search
 * gave it all its versions from info writes inside the window. Rule B: a key
 * that needs 12 more versions by revision 71 shares the 14 free revisions of its
 * window with three keys that are created again inside it and must be deleted
 * first. Either was noticed only at the window's end, after every way of filling
 * the rest of it with other keys' writes.
 *
 * Cost per alive test: per key, its next need above the rank by epoch (rule B's
 * e_j), and up to NEEDS_SCANNED needs above it by last write with one pass over
 * its known writes (all sorted by rank). That is more than the other key guards
 * cost, so the checker adds this one only to parts its first slice left open.
 */
import type { KeyGuard, Life } from './lifetimes.js';
import { float64Of } from './typed.js';

/**
 * Needs of a key looked at per test, from the first whose last write is above the
 * rank (a sound subset: the nearest needs are the ones a filled window breaks).
 */
const NEEDS_SCANNED = 16;

export interface PendingNeed {
  readonly key: string;
  readonly epoch: number;
  readonly last: number;
  readonly count: number;
}

/**
 * A completed op's write of `key` at rank `rank` (Model.knownWrites): it raises a live
 * key's count by `count`, or, when `ends`, ends the key's lifetime.
 */
export interface KnownWrite {
  readonly key: string;
  readonly rank: number;
  readonly count: number;
  readonly ends: boolean;
}

/** What an op may do to keys, whatever its outcome (Model.mayWrite). */
export interface WriteShape {
  /** Keys whose count it may raise, each with the most it raises it by. */
  readonly raises: readonly { readonly key: string; readonly count: number }[];
  /** Keys whose lifetime it may end. */
  readonly ends: readonly string[];
}

export interface PendingInput {
  /** Per local op (ok ops only): what it needs of keys (Model.lifeNeeds). */
  readonly needs: readonly (readonly PendingNeed[])[];
  /** Per local op (ok ops only): its known writes (Model.knownWrites). */
  readonly writes: readonly (readonly KnownWrite[])[];
  /** Per local op: what it may write (Model.mayWrite), for info ops; none for ok ops, whose writes are known. */
  readonly shapes: readonly WriteShape[];
  /** The lifetime of `key` in interned state `state`, or undefined when it is not live. */
  readonly life: (state: number, key: string) => Life | undefined;
  readonly rank: (state: number) => number;
  /** Ranks in (after, upTo] no known write takes (Model.freeRanks). */
  readonly freeRanks: (after: number, upTo: number) => number;
}

/** Per key: needs by last write and by epoch ascending, known writes and ends by rank ascending. */
interface KeyItems {
  readonly key: string;
  readonly byLast: number[];
  readonly byEpoch: number[];
  readonly writes: number[];
  readonly ends: number[];
  /** The most one info op raises its count by. */
  perOp: number;
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
  private readonly writeDone: Uint8Array;
  /** The most keys one info op may end. */
  private readonly maxEnds: number;
  /** [k * keys + j]: 1 when some info op may both end key j and raise key k. */
  private readonly endsWithRaise: Uint8Array;
  /** Per interned state: every key's lifetime. */
  private readonly lifeCache: (readonly (Life | undefined)[] | undefined)[] = [];
  // Scratch for alive, per key: the epoch below which an info op must end it (Infinity: none),
  // and those epochs sorted.
  private readonly endBy: Float64Array;
  private readonly deadlines: Float64Array;

  constructor(private readonly input: PendingInput) {
    const n = input.needs.length;
    const keyId = new Map<string, number>();
    const keys: KeyItems[] = [];
    const kid = (key: string) => {
      let k = keyId.get(key);
      if (k === undefined) {
        keyId.set(key, (k = keys.length));
        keys.push({ key, byLast: [], byEpoch: [], writes: [], ends: [], perOp: 1 });
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
      for (const write of input.writes[op]) writes.push({ key: kid(write.key), write });
    }
    this.opNeeds[n] = needs.length;
    this.opWrites[n] = writes.length;
    for (const shape of input.shapes) {
      for (const r of shape.raises) kid(r.key);
      for (const j of shape.ends) kid(j);
    }
    this.needEpoch = float64Of(needs, (x) => x.need.epoch);
    this.needLast = float64Of(needs, (x) => x.need.last);
    this.needCount = float64Of(needs, (x) => x.need.count);
    this.needDone = new Uint8Array(needs.length);
    this.writeRank = float64Of(writes, (x) => x.write.rank);
    this.writeCount = float64Of(writes, (x) => (x.write.ends ? 0 : x.write.count));
    this.writeDone = new Uint8Array(writes.length);
    needs.forEach((x, i) => {
      keys[x.key].byLast.push(i);
      keys[x.key].byEpoch.push(i);
    });
    writes.forEach((x, i) => (x.write.ends ? keys[x.key].ends : keys[x.key].writes).push(i));
    this.keys = keys;
    this.endsWithRaise = new Uint8Array(keys.length * keys.length);
    let maxEnds = 1;
    for (const shape of input.shapes) {
      maxEnds = Math.max(maxEnds, shape.ends.length);
      for (const r of shape.raises) {
        const k = keyId.get(r.key) as number;
        keys[k].perOp = Math.max(keys[k].perOp, r.count);
        for (const j of shape.ends) this.endsWithRaise[k * keys.length + (keyId.get(j) as number)] = 1;
      }
    }
    this.maxEnds = maxEnds;
    for (const k of this.keys) {
      k.byLast.sort((a, b) => this.needLast[a] - this.needLast[b] || a - b);
      k.byEpoch.sort((a, b) => this.needEpoch[a] - this.needEpoch[b] || a - b);
      k.writes.sort((a, b) => this.writeRank[a] - this.writeRank[b] || a - b);
      k.ends.sort((a, b) => this.writeRank[a] - this.writeRank[b] || a - b);
    }
    this.endBy = new Float64Array(keys.length);
    this.deadlines = new Float64Array(keys.length);
  }

  /** Op was linearized. */
  add(op: number): void {
    for (let i = this.opNeeds[op]; i < this.opNeeds[op + 1]; i++) this.needDone[i] = 1;
    for (let i = this.opWrites[op]; i < this.opWrites[op + 1]; i++) this.writeDone[i] = 1;
  }

  /** Op's linearization was undone. */
  remove(op: number): void {
    for (let i = this.opNeeds[op]; i < this.opNeeds[op + 1]; i++) this.needDone[i] = 0;
    for (let i = this.opWrites[op]; i < this.opWrites[op + 1]; i++) this.writeDone[i] = 0;
  }

  /** Can this configuration still complete, as far as pending known writes and free ranks tell? */
  alive(state: number): boolean {
    const rank = this.input.rank(state);
    const lives = this.livesIn(state);
    const deadlines = this.deadlines;
    let soon = 0;
    for (let j = 0; j < this.keys.length; j++) {
      const by = this.mustEndBy(j, lives[j], rank);
      this.endBy[j] = by;
      if (by === Infinity) continue;
      // Insertion sort: a part has a handful of keys.
      let i = soon++;
      for (; i > 0 && deadlines[i - 1] > by; i--) deadlines[i] = deadlines[i - 1];
      deadlines[i] = by;
    }
    // Rule B for the ends alone: the i-th soonest needs i ends below its epoch.
    for (let i = 0; i < soon; i++) if (Math.ceil((i + 1) / this.maxEnds) > this.input.freeRanks(rank, deadlines[i] - 1)) return false;
    for (let k = 0; k < this.keys.length; k++) {
      const life = lives[k];
      // Not live: lifetimes.ts rules its active needs out; nothing to count here.
      if (life !== undefined && !this.keyAlive(k, life, rank, soon > 0)) return false;
    }
    return true;
  }

  /** Every key's lifetime in an interned state (cached: states never change). */
  private livesIn(state: number): readonly (Life | undefined)[] {
    let lives = this.lifeCache[state];
    if (lives === undefined) {
      lives = this.keys.map((k) => this.input.life(state, k.key));
      this.lifeCache[state] = lives;
    }
    return lives;
  }

  /**
   * Rule B's e_j for key j: the epoch below which an info op must end its current
   * lifetime, or Infinity when it need not (or a known end still to come may).
   */
  private mustEndBy(j: number, life: Life | undefined, rank: number): number {
    if (life === undefined) return Infinity;
    const { byEpoch, ends } = this.keys[j];
    let next = -1; // the first need of j still to be placed whose epoch is above the rank
    for (let i = firstAbove(byEpoch, this.needEpoch, rank); i < byEpoch.length; i++) {
      if (this.needDone[byEpoch[i]] === 0) {
        next = byEpoch[i];
        break;
      }
    }
    if (next < 0) return Infinity;
    const epoch = this.needEpoch[next];
    // The current lifetime is not that need's when its epoch is known (it is <= rank), or
    // when its count plus the known writes due before the need already exceed it (rule A).
    if (!life.exact && life.count + this.pendingUpTo(j, rank, this.needLast[next]) <= this.needCount[next]) return Infinity;
    // A known end still to be placed is above the rank (or dead already, rank.ts).
    for (let i = firstAbove(ends, this.writeRank, rank); i < ends.length && this.writeRank[ends[i]] < epoch; i++) if (this.writeDone[ends[i]] === 0) return Infinity;
    return epoch;
  }

  /** What the known writes of key k still to be placed with ranks in (rank, last] add to its count. */
  private pendingUpTo(k: number, rank: number, last: number): number {
    const writes = this.keys[k].writes;
    let pending = 0;
    for (let i = firstAbove(writes, this.writeRank, rank); i < writes.length && this.writeRank[writes[i]] <= last; i++) if (this.writeDone[writes[i]] === 0) pending += this.writeCount[writes[i]];
    return pending;
  }

  /** Rules A and B for key k's needs; `ends`: some key must be ended (rule B). */
  private keyAlive(k: number, life: Life, rank: number, ends: boolean): boolean {
    const { byLast, writes, perOp } = this.keys[k];
    const K = this.keys.length;
    // Known writes at ranks <= the state's are dead already if still to be placed (rank.ts),
    // and no info op lands there: needs and writes from above the rank on.
    let w = firstAbove(writes, this.writeRank, rank);
    let pending = 0; // what the known writes still to be placed with rank <= the need's last write add
    const from = firstAbove(byLast, this.needLast, rank);
    const to = Math.min(byLast.length, from + NEEDS_SCANNED);
    for (let i = from; i < to; i++) {
      const need = byLast[i];
      const last = this.needLast[need];
      for (; w < writes.length && this.writeRank[writes[w]] <= last; w++) if (this.writeDone[writes[w]] === 0) pending += this.writeCount[writes[w]];
      if (this.needDone[need] === 1 || this.needEpoch[need] > rank) continue;
      const missing = this.needCount[need] - life.count - pending;
      if (missing < 0) return false; // rule A
      let ended = 0;
      if (ends) for (let j = 0; j < K; j++) if (j !== k && this.endBy[j] <= last && this.endsWithRaise[k * K + j] === 0) ended++;
      const infoOps = Math.ceil(missing / perOp) + Math.ceil(ended / this.maxEnds);
      if (infoOps > 0 && infoOps > this.input.freeRanks(rank, last)) return false; // rule B
    }
    return true;
  }
}

/** The first position in `sorted` (indices, ascending by `value`) whose value is above x. */
function firstAbove(sorted: readonly number[], value: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value[sorted[mid]] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
