/**
 * Dead-state pruning by keys that a read saw missing (Model.absentKeys, with
 * Model.mayWrite's ends and Model.life).
 *
 * The model promises: (8) a completed op that saw key k missing is legal only in a
 * state where k is not live; (9) only an op whose mayWrite ends k takes a live k out
 * of the store (etcd: a delete, or a txn deleting k in either branch).
 * Claim: in a state where k is live, an ok op still to be placed that saw k missing
 * can only be placed if some op still to be placed may end k. Proof: at its place t
 * k is not live (8), in the state now it is, so an op between now and t ended it (9),
 * and every op placed after now is one still to be placed. The test depends only on
 * the configuration (linearized set, state), so it agrees with the memo.
 *
 * Why: a timed-out put of a key that two later reads saw missing can only come after
 * them, or never. The search placed it before them and only noticed at the first
 * read, after every way of placing the other keys' unknown writes in between
 * (nemesis-hardened seed 800654: 152,000 states at that read, `unknown` at 20M steps).
 *
 * Bookkeeping: per key, how many ops still to be placed saw it missing and how many
 * may end it; linearize and undo adjust the counts of the op's keys.
 */
import type { KeyGuard, Life } from './lifetimes.js';

export interface AbsenceInput {
  /** Per local op (ok ops only): the keys it saw missing (Model.absentKeys). */
  readonly absent: readonly (readonly string[])[];
  /** Per local op: the keys it may end, whatever its outcome (Model.mayWrite). */
  readonly ends: readonly (readonly string[])[];
  /** The lifetime of `key` in interned state `state`, or undefined when it is not live. */
  readonly life: (state: number, key: string) => Life | undefined;
  /** Per local op: the keys it touches (Model.partition), checked alone in large parts. */
  readonly touches: readonly (readonly string[])[];
}

/** Parts with more keys check only the keys the op just linearized touches: only for those can the answer change. */
const ALL_KEYS = 32;

export class AbsenceGuard implements KeyGuard {
  private readonly keys: string[] = [];
  private readonly opAbsent: readonly (readonly number[])[];
  private readonly opEnds: readonly (readonly number[])[];
  private readonly opKeys: readonly (readonly number[])[];
  /** Per key: ops still to be placed that saw it missing, and that may end it. */
  private readonly readers: Int32Array;
  private readonly enders: Int32Array;

  constructor(private readonly input: AbsenceInput) {
    const keyId = new Map<string, number>();
    const kid = (key: string) => {
      let id = keyId.get(key);
      if (id === undefined) {
        keyId.set(key, (id = this.keys.length));
        this.keys.push(key);
      }
      return id;
    };
    this.opAbsent = input.absent.map((keys) => keys.map(kid));
    // Only keys some read saw missing matter: the others are left out.
    const watched = (keys: readonly string[]) => keys.flatMap((key) => (keyId.has(key) ? [keyId.get(key)!] : []));
    this.opEnds = input.ends.map(watched);
    this.opKeys = input.touches.map(watched);
    this.readers = new Int32Array(this.keys.length);
    this.enders = new Int32Array(this.keys.length);
    for (const keys of this.opAbsent) for (const k of keys) this.readers[k]++;
    for (const keys of this.opEnds) for (const k of keys) this.enders[k]++;
  }

  add(op: number): void {
    for (const k of this.opAbsent[op]) this.readers[k]--;
    for (const k of this.opEnds[op]) this.enders[k]--;
  }

  remove(op: number): void {
    for (const k of this.opEnds[op]) this.enders[k]++;
    for (const k of this.opAbsent[op]) this.readers[k]++;
  }

  alive(state: number, op: number): boolean {
    if (this.keys.length <= ALL_KEYS) {
      for (let k = 0; k < this.keys.length; k++) if (!this.keyAlive(state, k)) return false;
      return true;
    }
    for (const k of this.opKeys[op] ?? []) if (!this.keyAlive(state, k)) return false;
    return true;
  }

  private keyAlive(state: number, k: number): boolean {
    return this.readers[k] === 0 || this.enders[k] > 0 || this.input.life(state, this.keys[k]) === undefined;
  }
}
