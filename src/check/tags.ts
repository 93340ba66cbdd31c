/**
 * Dead-state pruning by state tags (Model.tag / needsTag / setsTag).
 *
 * A tag is a coarse name for a state (register: its value). The model promises:
 *  (1) a completed op that needs tag g is legal only in a state tagged g;
 *  (2) a legal step from a state tagged a to one tagged b != a is taken only by
 *      an op that sets b.
 * Claim: in a configuration whose state is tagged c, if some ok op still to be
 * placed needs g != c and no op still to be placed (ok or info) sets g, no
 * linearization completes from it. Proof: by (2) the tag can only become g
 * through an op that sets g, and none is left; so every later state is tagged
 * != g and by (1) that op is never legal. The test depends only on the
 * configuration (linearized set, state), so it agrees with the memo: a dead
 * configuration has no completion whichever path reached it.
 *
 * Why: with many processes on one register the search used to linearize a write
 * whose value a later read still needed, then overwrite it, and only noticed when
 * that read became the first to return, often 50 ops and a huge subtree later.
 * Here it fails at the overwrite.
 *
 * Bookkeeping is O(1) per linearize/undo: per tag, the ok ops still needing it and
 * the ops still setting it, and how many tags are "closed" (needed, not settable).
 */
export interface TagInput {
  /** Per local op: the tag it needs (ok ops only), or -1. */
  readonly needs: Int32Array;
  /** Per local op: the tag it sets, or -1. */
  readonly sets: Int32Array;
  /** The tag of an interned state, or -1 for a tag no op needs or sets. */
  readonly tagOf: (state: number) => number;
  /** Number of distinct tags (ids in [0, tags)). */
  readonly tags: number;
}

export class TagGuard {
  readonly needs: Int32Array;
  readonly sets: Int32Array;
  private readonly needers: Int32Array;
  private readonly setters: Int32Array;
  private closed = 0;
  private stateTags = new Int32Array(64).fill(-2); // -2: not computed yet

  constructor(private readonly input: TagInput) {
    this.needs = input.needs;
    this.sets = input.sets;
    this.needers = new Int32Array(input.tags);
    this.setters = new Int32Array(input.tags);
    for (let op = 0; op < this.needs.length; op++) {
      if (this.needs[op] >= 0) this.needers[this.needs[op]]++;
      if (this.sets[op] >= 0) this.setters[this.sets[op]]++;
    }
    for (let t = 0; t < input.tags; t++) if (this.needers[t] > 0 && this.setters[t] === 0) this.closed++;
  }

  /** Op was linearized. */
  add(op: number): void {
    const need = this.needs[op];
    if (need >= 0 && --this.needers[need] === 0 && this.setters[need] === 0) this.closed--;
    const set = this.sets[op];
    if (set >= 0 && --this.setters[set] === 0 && this.needers[set] > 0) this.closed++;
  }

  /** Op's linearization was undone (exact reverse of add). */
  remove(op: number): void {
    const set = this.sets[op];
    if (set >= 0 && this.setters[set]++ === 0 && this.needers[set] > 0) this.closed--;
    const need = this.needs[op];
    if (need >= 0 && this.needers[need]++ === 0 && this.setters[need] === 0) this.closed++;
  }

  /** Can the current linearized set, with this state, still complete (as far as tags tell)? */
  alive(state: number): boolean {
    if (this.closed === 0) return true;
    if (this.closed > 1) return false;
    // One closed tag: fine only while the state carries it (its needers can still go now).
    const t = this.tagOfState(state);
    return t >= 0 && this.needers[t] > 0 && this.setters[t] === 0;
  }

  /** Would linearizing `op`, reaching `after`, leave a configuration tags do not rule out? */
  aliveAfter(op: number, after: number): boolean {
    this.add(op);
    const alive = this.alive(after);
    this.remove(op);
    return alive;
  }

  /** The tag of an interned state, or -1 (cached: models compute it from the state object). */
  tagOfState(state: number): number {
    if (state >= this.stateTags.length) {
      const grown = new Int32Array(Math.max(state + 1, this.stateTags.length * 2)).fill(-2);
      grown.set(this.stateTags);
      this.stateTags = grown;
    }
    let t = this.stateTags[state];
    if (t === -2) {
      t = this.input.tagOf(state);
      this.stateTags[state] = t;
    }
    return t;
  }
}
