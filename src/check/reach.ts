/**
 * Can the first-returning op still become legal before it must be linearized?
 * Until it is, only the current candidates (ops called before the first
 * return) can precede it. A "no" fails the search node at once.
 *
 * Two tests, cheapest first, each a sound "no" (a necessary condition fails):
 *  - Tags (tags.ts): if it needs tag g and the state is not tagged g, some
 *    candidate must set g, since only an op setting g can change the tag to g.
 *    On one register with 50 processes this answers almost every call without
 *    a model step; the search below used to cost more than the search itself.
 *  - Reachability: the states the candidates reach, each op reusable (an
 *    over-approximation), bounded by REACH_LIMIT states and REACH_WORK lookups,
 *    beyond which it answers yes (no prune); an op it gave up on
 *    GIVE_UPS_BEFORE_SKIPPING times and never answered for is not explored again.
 */
import type { Transitions } from './intern.js';
import type { TagGuard } from './tags.js';

/** States explored before giving up. */
const REACH_LIMIT = 256;
/** Transition lookups per node. */
const REACH_WORK = 4096;
/**
 * Explorations of one first op that hit the bounds without an answer, after which it is
 * no longer explored: each costs up to REACH_WORK transitions, most of them new states,
 * and where it gave up this often it rarely answers (a read that needs a dozen unknown
 * writes placed first), while the search visits such a node thousands of times.
 */
const GIVE_UPS_BEFORE_SKIPPING = 8;

export class Reach {
  private marks = new Int32Array(64);
  /** Per op as the first-returning one: explorations that gave up, or -1 once one answered. */
  private readonly giveUps: Int32Array;
  private readonly stack = new Int32Array(REACH_LIMIT + 1);
  private epoch = 0;

  /** The search's entry list (shared, mutated by it) and tags, if any. */
  constructor(
    private readonly transitions: Transitions,
    private readonly next: Int32Array,
    private readonly isRet: Uint8Array,
    private readonly entryOp: Int32Array,
    private readonly tags: TagGuard | null,
  ) {
    // Ops are numbered below the entry count (a call and a return entry each, plus the head).
    this.giveUps = new Int32Array(entryOp.length);
  }

  /** Does `op` make `first` legal (when it is not already)? */
  enables(state: number, op: number, first: number): boolean {
    // By tags, without a model step: off its tag, only an op setting that tag can make it legal.
    const tags = this.tags;
    if (tags !== null) {
      const need = tags.needs[first];
      if (need >= 0 && tags.sets[op] !== need && tags.tagOfState(state) !== need) return false;
    }
    const after = this.transitions.next(state, op);
    return after >= 0 && this.transitions.next(after, first) >= 0;
  }

  /** For an op illegal in `state`: can the current candidates make it legal? */
  canBecomeLegal(state: number, first: number): boolean {
    const next = this.next;
    const isRet = this.isRet;
    const entryOp = this.entryOp;
    const tags = this.tags;
    if (tags !== null) {
      const need = tags.needs[first];
      if (need >= 0 && tags.tagOfState(state) !== need) {
        let setter = false;
        for (let c = next[0]; isRet[c] === 0; c = next[c]) {
          if (entryOp[c] !== first && tags.sets[entryOp[c]] === need) {
            setter = true;
            break;
          }
        }
        if (!setter) return false;
      }
    }
    for (let c = next[0]; isRet[c] === 0; c = next[c]) {
      if (entryOp[c] !== first && this.enables(state, entryOp[c], first)) return true;
    }
    return this.explore(state, first);
  }

  private explore(state: number, first: number): boolean {
    const giveUps = this.giveUps;
    if (giveUps[first] >= GIVE_UPS_BEFORE_SKIPPING) return true;
    const answer = this.search(state, first);
    if (answer !== null) giveUps[first] = -1;
    else if (giveUps[first] >= 0) giveUps[first]++;
    return answer ?? true;
  }

  /** Whether the candidates reach a state where `first` is legal; null when the bounds ran out first. */
  private search(state: number, first: number): boolean | null {
    const next = this.next;
    const isRet = this.isRet;
    const entryOp = this.entryOp;
    const transitions = this.transitions;
    const epoch = ++this.epoch;
    let top = 0;
    this.mark(state, epoch);
    this.stack[top++] = state;
    let seen = 1;
    let work = 0;
    while (top > 0) {
      const s = this.stack[--top];
      if (transitions.next(s, first) >= 0) return true;
      for (let c = next[0]; isRet[c] === 0; c = next[c]) {
        const op = entryOp[c];
        if (op === first) continue;
        if (++work > REACH_WORK) return null;
        const t = transitions.next(s, op);
        if (t < 0 || !this.mark(t, epoch)) continue;
        if (++seen > REACH_LIMIT) return null;
        this.stack[top++] = t;
      }
    }
    return false;
  }

  /** Marks a state for this epoch; false if it already was. */
  private mark(state: number, epoch: number): boolean {
    if (state >= this.marks.length) {
      const grown = new Int32Array(Math.max(state + 1, this.marks.length * 2));
      grown.set(this.marks);
      this.marks = grown;
    }
    if (this.marks[state] === epoch) return false;
    this.marks[state] = epoch;
    return true;
  }
}
