/**
 * Dead-state pruning by key lifetimes (Model.lifeNeeds / Model.life), with the
 * model's rank (etcd: the store revision bound, rank.ts).
 *
 * A key's lifetime runs from its creation to its deletion; its epoch is the rank
 * at which it was created (etcd: createRevision), its count how often it was
 * written since (etcd: version). The model promises, with rank(s) the state's rank:
 *  (1) a completed op that needs (k, e, n) is legal only in a state where k is live
 *      with count n and an epoch that fits e: exactly e when the epoch is known,
 *      above b when only a bound b is known and e is revealable (it is then e once
 *      revealed; etcd: a revision no known write took, which an info write's can be);
 *  (2) a key live with a known epoch c has c <= rank; a key created in a state of
 *      rank r gets a known epoch > r or a bound >= r; a live key's epoch never
 *      changes while it lives except that a bound b may become known, as some
 *      revealable value > b; its count never decreases while it lives.
 * Claim: in a state s of rank r, an ok op still to be placed that needs (k, e, n)
 * with e <= r can only be placed if now k is live with count <= n and an epoch
 * that fits e. Proof: at the op's place t the epoch fits e. A creation of k after
 * s has epoch > r >= e, or a bound >= r >= e that e cannot fit, and keeps it (2);
 * so k is not created between s and t: it lives from s to t, one lifetime, with a
 * count that only grew to n and an epoch that at s fits e (a known one never
 * changes; a bound b that fits e at t was b at s, or was revealed as e, which is
 * then revealable and above b). So
 * two such ops of k needing different epochs e1 != e2, both <= r, cannot both be
 * placed either: the one lifetime's epoch is known to be a single value once any
 * op observed it, which both must. The test depends only on the configuration
 * (linearized set, state), so it agrees with the memo.
 *
 * The same argument holds word for word for a key's last write instead of its
 * creation (etcd: modRevision; every write to k is a "creation" of a new epoch,
 * a delete ends it), where the count (version) cannot change within an epoch at
 * all: then the count must be exactly the least one needed (exactCount). Neither can
 * the value, which only a write changes: the key must hold the value the op saw.
 *
 * Why: on info-heavy etcd histories the search placed subsets of timed-out writes
 * in a window of free revisions in every order, and only noticed at a read many
 * ops later that a key had been deleted, recreated or written once too often.
 * Here it fails as soon as the store revision passes the read's createRevision.
 *
 * Bookkeeping per linearize/undo is O(needs of the op), amortized: per key the
 * needed epochs ascending with a cursor at the first still needed, per (key,
 * epoch) the needed counts ascending with a cursor at the least still needed.
 */
import { float64Of, int32Of } from './typed.js';

export interface LifeNeed {
  readonly key: string;
  readonly epoch: number;
  readonly count: number;
  /** With `exactCount`: the value the epoch's write left, which it keeps as long as the count. */
  readonly value?: string;
}

/** A live key's lifetime in a state; `exact` false: the epoch is above `epoch`. */
export interface Life {
  readonly epoch: number;
  readonly exact: boolean;
  readonly count: number;
  /** The key's value now (compared with LifeNeed.value). */
  readonly value?: string;
}

export interface LifeInput {
  /** Per local op (ok ops only; info ops have none). */
  readonly needs: readonly (readonly LifeNeed[])[];
  /** The lifetime of key `key` in interned state `state`, or undefined when it is not live. */
  readonly life: (state: number, key: string) => Life | undefined;
  /** The rank of an interned state. */
  readonly rank: (state: number) => number;
  /** Per local op: the keys it touches (Model.partition), checked alone in large parts. */
  readonly touches: readonly (readonly string[])[];
  /** The count cannot change within an epoch (etcd's last write: version is fixed until the next). */
  readonly exactCount: boolean;
  /** Whether an epoch known only by a bound below it can be revealed as `epoch`; absent: always. */
  readonly revealable?: (epoch: number) => boolean;
}

/** Parts with more keys check only the keys the op just linearized touches (a sound subset). */
const ALL_KEYS = 32;

/** A dead-state guard over key needs (LifeGuard, CapacityGuard): kept in step with the linearized set. */
export interface KeyGuard {
  add(op: number): void;
  remove(op: number): void;
  /** `op`: just linearized. */
  alive(state: number, op: number): boolean;
}

export class LifeGuard implements KeyGuard {
  private readonly keys: string[] = [];
  // Per need (flattened, by op): its group and its position in the group's member list.
  private readonly opStart: Int32Array;
  private readonly needGroup: Int32Array;
  private readonly needPos: Int32Array;
  private readonly needDone: Uint8Array;
  // Per group (key, epoch): members sorted by count, cursor at the first not done, remaining.
  private readonly groupKey: Int32Array;
  private readonly groupEpoch: Float64Array;
  /** Per group: 1 when a bound below its epoch can be revealed as it (LifeInput.revealable). */
  private readonly groupRevealable: Uint8Array;
  private readonly groupMembers: Int32Array; // need ids, by group, by count
  private readonly groupMemberStart: Int32Array;
  private readonly groupLow: Int32Array;
  private readonly groupLeft: Int32Array;
  private readonly needCount: Float64Array;
  /** Per need, with exactCount: the value it saw (undefined: none compared). */
  private readonly needValue: readonly (string | undefined)[];
  // Per key: its groups sorted by epoch (positions into keyGroups), cursor at the first with needs left.
  private readonly keyGroups: Int32Array;
  private readonly keyGroupStart: Int32Array;
  private readonly groupPosInKey: Int32Array;
  private readonly keyLow: Int32Array;
  /** Keys whose needs an op affects, for large parts. */
  private readonly opKeys: readonly (readonly number[])[];

  constructor(private readonly input: LifeInput) {
    const n = input.needs.length;
    const keyId = new Map<string, number>();
    const kid = (k: string) => {
      let i = keyId.get(k);
      if (i === undefined) {
        keyId.set(k, (i = this.keys.length));
        this.keys.push(k);
      }
      return i;
    };
    const flat: { op: number; key: number; epoch: number; count: number; value: string | undefined }[] = [];
    this.opStart = new Int32Array(n + 1);
    for (let op = 0; op < n; op++) {
      this.opStart[op] = flat.length;
      for (const need of input.needs[op]) flat.push({ op, key: kid(need.key), epoch: need.epoch, count: need.count, value: need.value });
    }
    this.opStart[n] = flat.length;
    this.opKeys = input.touches.map((keys) => keys.map((k) => keyId.get(k)).filter((k): k is number => k !== undefined));
    // Per key id, its groups by epoch (nested maps: no key string built per need).
    const groupOf = this.keys.map(() => new Map<number, number>());
    const groups: { key: number; epoch: number; members: number[] }[] = [];
    flat.forEach((x, i) => {
      let g = groupOf[x.key].get(x.epoch);
      if (g === undefined) {
        groupOf[x.key].set(x.epoch, (g = groups.length));
        groups.push({ key: x.key, epoch: x.epoch, members: [] });
      }
      groups[g].members.push(i);
    });
    const m = flat.length;
    const G = groups.length;
    this.needGroup = new Int32Array(m);
    this.needPos = new Int32Array(m);
    this.needDone = new Uint8Array(m);
    this.needCount = float64Of(flat, (x) => x.count);
    this.needValue = input.exactCount ? flat.map((x) => x.value) : [];
    this.groupKey = int32Of(groups, (g) => g.key);
    this.groupEpoch = float64Of(groups, (g) => g.epoch);
    this.groupRevealable = new Uint8Array(G);
    for (let g = 0; g < G; g++) this.groupRevealable[g] = input.revealable === undefined || input.revealable(groups[g].epoch) ? 1 : 0;
    this.groupMembers = new Int32Array(m);
    this.groupMemberStart = new Int32Array(G + 1);
    this.groupLow = new Int32Array(G);
    this.groupLeft = new Int32Array(G);
    let at = 0;
    groups.forEach((g, gi) => {
      g.members.sort((a, b) => flat[a].count - flat[b].count || a - b);
      this.groupMemberStart[gi] = at;
      g.members.forEach((need, j) => {
        this.groupMembers[at + j] = need;
        this.needGroup[need] = gi;
        this.needPos[need] = at + j;
      });
      at += g.members.length;
      this.groupLow[gi] = this.groupMemberStart[gi];
      this.groupLeft[gi] = g.members.length;
    });
    this.groupMemberStart[G] = at;
    const K = this.keys.length;
    const byKey: number[][] = Array.from({ length: K }, () => []);
    groups.forEach((g, gi) => byKey[g.key].push(gi));
    this.keyGroups = new Int32Array(G);
    this.keyGroupStart = new Int32Array(K + 1);
    this.groupPosInKey = new Int32Array(G);
    this.keyLow = new Int32Array(K);
    at = 0;
    byKey.forEach((gs, k) => {
      gs.sort((a, b) => groups[a].epoch - groups[b].epoch);
      this.keyGroupStart[k] = at;
      this.keyLow[k] = at;
      gs.forEach((g, j) => {
        this.keyGroups[at + j] = g;
        this.groupPosInKey[g] = at + j;
      });
      at += gs.length;
    });
    this.keyGroupStart[K] = at;
  }

  /** Op was linearized. */
  add(op: number): void {
    for (let i = this.opStart[op]; i < this.opStart[op + 1]; i++) {
      this.needDone[i] = 1;
      const g = this.needGroup[i];
      this.groupLeft[g]--;
      let low = this.groupLow[g];
      const end = this.groupMemberStart[g + 1];
      while (low < end && this.needDone[this.groupMembers[low]] === 1) low++;
      this.groupLow[g] = low;
      if (this.groupLeft[g] === 0) {
        const k = this.groupKey[g];
        let kl = this.keyLow[k];
        const kend = this.keyGroupStart[k + 1];
        while (kl < kend && this.groupLeft[this.keyGroups[kl]] === 0) kl++;
        this.keyLow[k] = kl;
      }
    }
  }

  /** Op's linearization was undone. */
  remove(op: number): void {
    for (let i = this.opStart[op + 1] - 1; i >= this.opStart[op]; i--) {
      this.needDone[i] = 0;
      const g = this.needGroup[i];
      this.groupLeft[g]++;
      if (this.needPos[i] < this.groupLow[g]) this.groupLow[g] = this.needPos[i];
      const k = this.groupKey[g];
      if (this.groupPosInKey[g] < this.keyLow[k]) this.keyLow[k] = this.groupPosInKey[g];
    }
  }

  /** Can this configuration still complete, as far as lifetimes tell? (`op`: just linearized, for large parts.) */
  alive(state: number, op: number): boolean {
    const rank = this.input.rank(state);
    if (this.keys.length <= ALL_KEYS) {
      for (let k = 0; k < this.keys.length; k++) if (!this.keyAlive(state, rank, k)) return false;
      return true;
    }
    for (const k of this.opKeys[op] ?? []) if (!this.keyAlive(state, rank, k)) return false;
    return true;
  }

  private keyAlive(state: number, rank: number, k: number): boolean {
    const kl = this.keyLow[k];
    const kend = this.keyGroupStart[k + 1];
    if (kl >= kend) return true;
    const g = this.keyGroups[kl];
    const epoch = this.groupEpoch[g];
    if (epoch > rank) return true; // no need of k is active yet
    const life = this.input.life(state, this.keys[k]);
    if (life === undefined) return false;
    if (life.exact ? life.epoch !== epoch : !(epoch > life.epoch && this.groupRevealable[g] === 1)) return false;
    // A second active epoch cannot be met by the same lifetime.
    for (let j = kl + 1; j < kend; j++) {
      const h = this.keyGroups[j];
      if (this.groupEpoch[h] > rank) break;
      if (this.groupLeft[h] > 0) return false;
    }
    // Counts only grow within a lifetime (and do not change at all when exactCount, nor does the value).
    const need = this.groupMembers[this.groupLow[g]];
    const least = this.needCount[need];
    if (!this.input.exactCount) return life.count <= least;
    const value = this.needValue[need];
    return life.count === least && (value === undefined || life.value === undefined || life.value === value);
  }
}
