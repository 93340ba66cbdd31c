/**
 * Dead-state pruning by write capacity: a key that still needs more writes than
 * there are ranks left for them (Model.writeSlots, with lifeNeeds, life, rank).
 *
 * The model promises, besides lifetimes.ts's (1) and (2):
 *  (3) every write raises the rank; within a lifetime only writes of k change
 *      k's count, and the writes taking ranks in (a, b] raise it by at most
 *      slots(k, b) - slots(k, a) (etcd: one per revision no known write took or a
 *      known write of k took, times the most puts of k one op makes);
 *  (4) a completed op that needs (k, e, n) with last write l is legal only where
 *      k's last write took rank <= l (etcd: exactly l, or an unknown revision below
 *      l that the op reveals as l).
 * Claim: in a state s of rank r where k is live with count c, an ok op still to be
 * placed that needs (k, e, n), last write l, with e <= r, can only be placed if
 * n - c <= max(0, slots(k, l) - slots(k, r)). Proof: by lifetimes.ts's claim, if it can be
 * placed at all, k lives from s to its place t in one lifetime (or the configuration
 * is dead anyway); there its count is n, so writes between s and t raised it by
 * n - c. Each raises the rank above the one before, from above r, and the last of
 * k's is its last write at t, of rank <= l (4): they take ranks in (r, l], none when
 * l <= r, and by (3) n - c <= slots(k, l) - slots(k, r) when there are any. The
 * test depends only on the configuration, so it agrees with the memo. As the slack
 * slots(k, l) - n is fixed per need, a need fails it exactly when n > c and its
 * slack < slots(k, r) - c: with needs sorted by slack, only the few below that are read.
 *
 * Why: after a leaderless stretch (nemesis seed 97) dozens of info writes compete
 * for a few free revisions, and reads after it reveal each key's version. The
 * search spent its steps on choices that gave one key too few writes, noticed only
 * once the revisions were gone, at the read. Here it fails when the revisions left
 * no longer suffice.
 *
 * Bookkeeping per linearize/undo is O(needs of the op), amortized: per key its needs
 * by slack with a cursor at the first one still needed.
 */
import type { KeyGuard, Life } from './lifetimes.js';
import { float64Of, int32Of } from './typed.js';

export interface CapacityNeed {
  readonly key: string;
  readonly epoch: number;
  readonly last: number;
  readonly count: number;
}

export interface CapacityInput {
  /** Per local op (ok ops only; info ops have none). */
  readonly needs: readonly (readonly CapacityNeed[])[];
  /** The lifetime of `key` in interned state `state` (epoch: its creation), or undefined when not live. */
  readonly life: (state: number, key: string) => Life | undefined;
  readonly rank: (state: number) => number;
  /** How many ranks <= `rank` a write of `key` can land at (Model.writeSlots). */
  readonly slots: (key: string, rank: number) => number;
}

export class CapacityGuard implements KeyGuard {
  private readonly keys: string[] = [];
  private readonly opStart: Int32Array;
  private readonly needKey: Int32Array;
  private readonly needDone: Uint8Array;
  // Per key: its needs by slack ascending (keyNeeds[keyStart[k], keyStart[k + 1])), cursor at the first not done.
  private readonly keyNeeds: Int32Array;
  private readonly keyStart: Int32Array;
  private readonly needPos: Int32Array;
  private readonly keyLow: Int32Array;
  private readonly slack: Float64Array;
  private readonly epoch: Float64Array;
  private readonly count: Float64Array;

  constructor(private readonly input: CapacityInput) {
    const n = input.needs.length;
    const keyId = new Map<string, number>();
    const flat: { key: number; epoch: number; count: number; slack: number }[] = [];
    this.opStart = new Int32Array(n + 1);
    for (let op = 0; op < n; op++) {
      this.opStart[op] = flat.length;
      for (const need of input.needs[op]) {
        let k = keyId.get(need.key);
        if (k === undefined) {
          keyId.set(need.key, (k = this.keys.length));
          this.keys.push(need.key);
        }
        flat.push({ key: k, epoch: need.epoch, count: need.count, slack: input.slots(need.key, need.last) - need.count });
      }
    }
    this.opStart[n] = flat.length;
    const m = flat.length;
    this.needKey = int32Of(flat, (x) => x.key);
    this.slack = float64Of(flat, (x) => x.slack);
    this.epoch = float64Of(flat, (x) => x.epoch);
    this.count = float64Of(flat, (x) => x.count);
    this.needDone = new Uint8Array(m);
    this.needPos = new Int32Array(m);
    const byKey: number[][] = this.keys.map(() => []);
    flat.forEach((x, i) => byKey[x.key].push(i));
    this.keyNeeds = new Int32Array(m);
    this.keyStart = new Int32Array(this.keys.length + 1);
    this.keyLow = new Int32Array(this.keys.length);
    let at = 0;
    byKey.forEach((needs, k) => {
      needs.sort((a, b) => flat[a].slack - flat[b].slack || a - b);
      this.keyStart[k] = at;
      this.keyLow[k] = at;
      needs.forEach((need, j) => {
        this.keyNeeds[at + j] = need;
        this.needPos[need] = at + j;
      });
      at += needs.length;
    });
    this.keyStart[this.keys.length] = at;
  }

  /** Op was linearized. */
  add(op: number): void {
    for (let i = this.opStart[op]; i < this.opStart[op + 1]; i++) {
      this.needDone[i] = 1;
      const k = this.needKey[i];
      let low = this.keyLow[k];
      const end = this.keyStart[k + 1];
      while (low < end && this.needDone[this.keyNeeds[low]] === 1) low++;
      this.keyLow[k] = low;
    }
  }

  /** Op's linearization was undone. */
  remove(op: number): void {
    for (let i = this.opStart[op + 1] - 1; i >= this.opStart[op]; i--) {
      this.needDone[i] = 0;
      const k = this.needKey[i];
      if (this.needPos[i] < this.keyLow[k]) this.keyLow[k] = this.needPos[i];
    }
  }

  /** Can this configuration still complete, as far as write capacity tells? */
  alive(state: number): boolean {
    const rank = this.input.rank(state);
    for (let k = 0; k < this.keys.length; k++) {
      const end = this.keyStart[k + 1];
      let i = this.keyLow[k];
      if (i === end) continue;
      const life = this.input.life(state, this.keys[k]);
      // Not live: lifetimes.ts rules its active needs out; nothing to count here.
      if (life === undefined) continue;
      const threshold = this.input.slots(this.keys[k], rank) - life.count;
      // Active needs (still to be placed, epoch <= rank) with too little slack, least first.
      for (; i < end && this.slack[this.keyNeeds[i]] < threshold; i++) {
        const need = this.keyNeeds[i];
        if (this.needDone[need] === 0 && this.epoch[need] <= rank && this.count[need] > life.count) return false;
      }
    }
    return true;
  }
}
