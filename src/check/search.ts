/**
 * Wing–Gong linearizability search with Lowe's memoization for one part.
 *
 * The history is a doubly linked list of call and return entries in real-time
 * order. The candidates at a node are the calls before the first return: an
 * operation can be linearized next only if no unlinearized operation returned
 * before it was called. Linearizing lifts its call and return out of the list;
 * reaching a return entry means that operation can no longer be placed, so we
 * backtrack. A configuration (linearized set, state) is explored at most once.
 *
 * Pruning: a legal read-only candidate (one that never changes any state in
 * which it is legal, per Model.isReadOnly) is taken without trying alternatives:
 * if any linearization exists from here, moving that op to the front still gives
 * one (it is concurrent with everything left, and a no-op wherever it stood). A
 * write that merely leaves the current state unchanged does not qualify: later it
 * may be the write that changes the state.
 *
 * Pruning: the first-returning op must be placed using only the current
 * candidates before it; if no state they reach makes it legal, the node fails.
 *
 * Pruning: with a model rank (rank.ts), a state whose rank passed the limit of
 * an ok op still to be placed is dead and not entered.
 *
 * Pruning: with model tags (tags.ts), a configuration in which an ok op still to
 * be placed needs a tag the state lacks and nothing left can set is dead and not
 * entered; tags also answer most "can the first op become legal" questions
 * (reach.ts) without model steps.
 *
 * Pruning: with key lifetimes (lifetimes.ts), a configuration in which an ok op
 * still to be placed needs a key lifetime (etcd: createRevision, version) that the
 * state, past that epoch, no longer holds is dead and not entered; so is one where a
 * key needs more writes than ranks are left for them (capacity.ts), or holds more
 * than a read allows with the known writes still due before it, or needs more info
 * writes than free ranks are left besides other keys' deletes (pending.ts, which
 * the checker adds between runs: addKeyGuard).
 *
 * Pruning: an info op whose step leaves the state unchanged is not linearized
 * there: leaving it out keeps every option (it may still happen later, or never).
 *
 * Pruning: twin info ops (twins.ts) are tried only in call order.
 *
 * Ordering heuristic: try first the operation whose return comes first (it
 * must be linearized before anything called after that return), then the
 * candidates after which it becomes legal (e.g. the write a read observed), then
 * the rest in call order. (Trying info ops last was measured to be much worse:
 * an info write that did happen is often needed early.)
 *
 * The search is resumable: `run(steps)` does at most `steps` candidate tries and
 * returns, so the checker can interleave parts and watch the clock.
 */
import { LinearizedSet } from './bitset.js';
import type { CacheBudget } from './memo.js';
import { ConfigCache } from './memo.js';
import { Transitions } from './intern.js';
import { findDoomed } from './doomed.js';
import { RankGuard } from './rank.js';
import { TagGuard, type TagInput } from './tags.js';
import { Reach } from './reach.js';
import { KeyGuards, type KeyGuardInputs } from './key-guards.js';
import type { KeyGuard } from './lifetimes.js';
import { twinReady } from './twins.js';

export const RUNNING = 0;
export const LINEARIZABLE = 1;
export const NOT_LINEARIZABLE = 2;
/** Stack frame phase for a forced move: backtracking skips over it. */
const FORCED = 4;
export type SearchStatus = typeof RUNNING | typeof LINEARIZABLE | typeof NOT_LINEARIZABLE;

/** One part's operations in search order: ok ops first, then info ops. */
export interface SearchInput extends KeyGuardInputs {
  /** Number of ok ops; local ops [0, nOk) are ok, [nOk, n) are info. */
  readonly nOk: number;
  readonly call: Float64Array;
  /** Infinity for info ops. */
  readonly ret: Float64Array;
  /** Tie-breaker among equal times (original history position). */
  readonly order: Int32Array;
  /** 1 for ok ops that never change a state in which they are legal (Model.isReadOnly). */
  readonly readOnly: Uint8Array;
  /** Model.rankLimit per op (Infinity for info ops), when the model has a rank. */
  readonly limits?: Float64Array;
  /** Per-op tags, when the model has them (tags.ts). */
  readonly tags?: TagInput;
  /** Per op: the info op it is a twin of, called just before it, or -1 (twins.ts). */
  readonly previousTwin?: Int32Array;
}

export class PartSearch {
  readonly n: number;
  private readonly nOk: number;
  private readonly readOnly: Uint8Array;
  /** Dead-state pruning by rank (see rank.ts), or null. */
  private readonly guard: RankGuard | null;
  /** Dead-state pruning by tags (see tags.ts), or null. */
  private readonly tags: TagGuard | null;
  /** Dead-state pruning by key needs (key-guards.ts), or null. */
  private lives: KeyGuards | null;
  private readonly previousTwin: Int32Array | null;
  // The entry list: entry 0 is the head (and acts as a terminating return).
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly entryOp: Int32Array;
  private readonly isRet: Uint8Array;
  private readonly callEntry: Int32Array;
  /** Entry positions in time order, for computing candidates in counterexamples. */
  readonly callPos: Int32Array;
  readonly retPos: Int32Array;

  readonly set: LinearizedSet;
  readonly cache: ConfigCache;
  /** Can the first-returning op still become legal (reach.ts)? */
  private readonly reach: Reach;

  private readonly stackOp: Int32Array;
  private readonly stackState: Int32Array;
  private readonly stackFirst: Int32Array;
  private readonly stackPhase: Uint8Array;
  private depth = 0;
  private state = 0;
  private linearizedOk = 0;
  private first = -1; // the op whose return comes first at this node
  private candidate = 0; // call entry being tried
  private phase = 0; // see advance()
  private entering = true;
  status: SearchStatus = RUNNING;
  steps = 0;

  // Longest linearized prefix seen, for counterexamples.
  readonly bestOps: Int32Array;
  bestLength = 0;
  private stableDepth = 0; // stack[0, stableDepth) unchanged since best was copied

  constructor(
    input: SearchInput,
    readonly transitions: Transitions,
    readonly initialState: number,
    budget: CacheBudget,
  ) {
    const n = input.call.length;
    this.n = n;
    this.nOk = input.nOk;
    this.readOnly = input.readOnly;
    this.guard = input.limits !== undefined && transitions.table.hasRank ? new RankGuard(input.limits) : null;
    this.tags = input.tags === undefined ? null : new TagGuard(input.tags);
    this.previousTwin = input.previousTwin ?? null;
    this.lives = KeyGuards.of(input, transitions.table.hasRank);
    const entries = 2 * n + 1;
    this.next = new Int32Array(entries);
    this.prev = new Int32Array(entries);
    this.entryOp = new Int32Array(entries);
    this.isRet = new Uint8Array(entries);
    this.callEntry = new Int32Array(n);
    this.callPos = new Int32Array(n);
    this.retPos = new Int32Array(n);

    // Closed intervals: at equal times calls sort before returns.
    const time = new Float64Array(2 * n);
    for (let e = 0; e < 2 * n; e++) time[e] = e & 1 ? input.ret[e >> 1] : input.call[e >> 1];
    const sorted = [...time.keys()].sort((a, b) => time[a] - time[b] || (a & 1) - (b & 1) || input.order[a >> 1] - input.order[b >> 1] || a - b);
    this.isRet[0] = 1;
    let last = 0;
    for (let i = 0; i < sorted.length; i++) {
      const entry = i + 1;
      const op = sorted[i] >> 1;
      this.entryOp[entry] = op;
      if (sorted[i] & 1) {
        this.isRet[entry] = 1;
        this.retPos[op] = entry;
      } else {
        this.callEntry[op] = entry;
        this.callPos[op] = entry;
      }
      this.next[last] = entry;
      this.prev[entry] = last;
      last = entry;
    }
    this.next[last] = 0;
    this.prev[0] = last;
    this.reach = new Reach(transitions, this.next, this.isRet, this.entryOp, this.tags);

    this.set = new LinearizedSet(n, input.nOk, 0x9e3779b9 ^ n);
    this.cache = new ConfigCache(this.set, budget);
    this.stackOp = new Int32Array(n);
    this.stackState = new Int32Array(n);
    this.stackFirst = new Int32Array(n);
    this.stackPhase = new Uint8Array(n);
    this.bestOps = new Int32Array(n);
    this.state = initialState;
    if (this.nOk === 0) this.status = LINEARIZABLE;
    else {
      this.doomed = findDoomed(transitions, initialState, n, this.nOk, input.readOnly);
      if (this.doomed.length > 0) this.status = NOT_LINEARIZABLE;
    }
  }

  /** Ok ops that are illegal in every state any ops of this part can reach (see findDoomed), or refuted. */
  doomed: number[] = [];
  /** Why, for ops a model's static proof refuted (Model.refute); findDoomed's need no words. */
  readonly doomedReasons = new Map<number, string>();

  /** Decides the part from a model's static proof: these ok ops can never be placed. */
  refute(refuted: readonly { readonly op: number; readonly reason: string }[]): void {
    if (refuted.length === 0 || this.status === NOT_LINEARIZABLE) return;
    this.doomed = refuted.map((r) => r.op);
    for (const r of refuted) this.doomedReasons.set(r.op, r.reason);
    this.status = NOT_LINEARIZABLE;
    // The counterexample is the proof, as for findDoomed: no prefix of a search cut short.
    this.bestLength = 0;
  }

  /**
   * Adds a key guard between runs (the checker adds costly ones only to parts its first
   * slice left open). Only dead configurations are cut, whenever that starts; it is
   * brought in step with the ops linearized now.
   */
  addKeyGuard(guard: KeyGuard): void {
    if (!this.transitions.table.hasRank) return;
    for (let d = 0; d < this.depth; d++) guard.add(this.stackOp[d]);
    this.lives = KeyGuards.with(this.lives, guard);
  }

  private lift(op: number): void {
    const next = this.next;
    const prev = this.prev;
    const c = this.callEntry[op];
    next[prev[c]] = next[c];
    prev[next[c]] = prev[c];
    const r = this.retPos[op];
    next[prev[r]] = next[r];
    prev[next[r]] = prev[r];
    this.guard?.add(op);
    this.tags?.add(op);
    this.lives?.add(op);
  }

  private unlift(op: number): void {
    // Reverse order of lift (dancing links).
    this.lives?.remove(op);
    this.tags?.remove(op);
    this.guard?.remove(op);
    const next = this.next;
    const prev = this.prev;
    const r = this.retPos[op];
    prev[next[r]] = r;
    next[prev[r]] = r;
    const c = this.callEntry[op];
    prev[next[c]] = c;
    next[prev[c]] = c;
  }

  /**
   * The next candidate call entry at this node after `candidate` in `phase`
   * (0: first-returning op, 1: ops that make it legal, 2: the others in call
   * order), or -1 when the node is exhausted. Updates this.phase.
   */
  private advance(candidate: number, phase: number, state: number, first: number): number {
    const next = this.next;
    const isRet = this.isRet;
    const entryOp = this.entryOp;
    const firstLegal = this.transitions.next(state, first) >= 0;
    if (phase === 0) {
      phase = firstLegal ? 2 : 1;
      candidate = 0;
    }
    for (;;) {
      candidate = next[candidate];
      if (isRet[candidate] !== 0) {
        if (phase === 2) {
          this.phase = phase;
          return -1;
        }
        phase++;
        candidate = 0;
        continue;
      }
      const op = entryOp[candidate];
      if (op === first || (this.previousTwin !== null && !twinReady(this.previousTwin, this.set, op))) continue;
      if (phase === 1) {
        if (this.reach.enables(state, op, first)) break;
        continue;
      }
      if (!firstLegal && this.reach.enables(state, op, first)) continue; // tried in phase 1
      break;
    }
    this.phase = phase;
    return candidate;
  }

  /**
   * Runs for about `budget` steps: candidates tried, or model transitions computed, whichever
   * are more. Ordering the candidates (phase 1's "ops that make it legal", reach.ts) computes
   * transitions no candidate stands for; with many info ops pending there can be a hundred
   * per candidate (nemesis seed 80926: 2 million candidates took 210 s), so they count too.
   */
  run(budget: number): SearchStatus {
    if (this.status !== RUNNING) return this.status;
    const next = this.next;
    const isRet = this.isRet;
    const entryOp = this.entryOp;
    const callEntry = this.callEntry;
    const set = this.set;
    const cache = this.cache;
    const transitions = this.transitions;
    const nOk = this.nOk;
    const readOnly = this.readOnly;
    const guard = this.guard;
    const tags = this.tags;
    const table = transitions.table;
    let state = this.state;
    let first = this.first;
    let candidate = this.candidate;
    let entering = this.entering;
    let steps = 0;
    const computedBefore = transitions.modelSteps;
    let status: SearchStatus = RUNNING;

    search: while (steps < budget && transitions.modelSteps - computedBefore < budget) {
      let exhausted = false;
      if (entering) {
        if (this.linearizedOk === nOk) {
          status = LINEARIZABLE;
          break;
        }
        entering = false;
        let e = next[0];
        while (isRet[e] === 0) e = next[e];
        first = entryOp[e];
        // Forced move: a legal read-only candidate can go first in some
        // linearization if any exists, so no alternatives.
        let forced = -1;
        for (let c = next[0]; isRet[c] === 0; c = next[c]) {
          // Info ops are never forced (their no-op forms are dropped up front).
          if (entryOp[c] >= nOk || readOnly[entryOp[c]] === 0) continue;
          steps++;
          if (transitions.next(state, entryOp[c]) === state) {
            forced = entryOp[c];
            break;
          }
        }
        if (forced >= 0) {
          set.set(forced);
          if (cache.add(state)) {
            this.push(forced, state, first, FORCED);
            this.lift(forced);
            if (forced < nOk) this.linearizedOk++;
            entering = true;
            continue;
          }
          set.clear(forced); // explored from here before: this node fails
          exhausted = true;
        } else if (transitions.next(state, first) < 0 && !this.reach.canBecomeLegal(state, first)) {
          exhausted = true; // `first` can never be placed from here
        } else {
          this.phase = 0;
          candidate = callEntry[first];
        }
      }
      if (!exhausted) {
        steps++;
        const op = entryOp[candidate];
        const after = transitions.next(state, op);
        // An info op that changes nothing here is better left out: it may still happen later, or never.
        // A state whose rank passed a remaining ok op's limit is dead (rank.ts).
        if (after >= 0 && !(op >= nOk && after === state) && (guard === null || guard.alive(table.rank(after), op)) && (tags === null || tags.aliveAfter(op, after)) && (this.lives === null || this.lives.aliveAfter(op, after))) {
          set.set(op);
          if (cache.add(after)) {
            this.push(op, state, first, this.phase);
            this.lift(op);
            if (op < nOk) this.linearizedOk++;
            state = after;
            entering = true;
            continue;
          }
          set.clear(op);
        }
      }
      // Next candidate at this node, backtracking while nodes are exhausted.
      for (;;) {
        if (!exhausted) {
          candidate = this.advance(candidate, this.phase, state, first);
          if (candidate >= 0) break;
        }
        exhausted = false;
        let phase: number;
        let popped: number;
        do {
          if (this.depth === 0) {
            status = NOT_LINEARIZABLE;
            break search;
          }
          const d = --this.depth;
          if (d < this.stableDepth) this.stableDepth = d;
          popped = this.stackOp[d];
          state = this.stackState[d];
          first = this.stackFirst[d];
          phase = this.stackPhase[d];
          this.unlift(popped);
          set.clear(popped);
          if (popped < nOk) this.linearizedOk--;
        } while (phase === FORCED);
        this.phase = phase;
        candidate = callEntry[popped];
      }
    }
    this.state = state;
    this.first = first;
    this.candidate = candidate;
    this.entering = entering;
    this.steps += Math.max(steps, transitions.modelSteps - computedBefore);
    this.status = status;
    return status;
  }

  private push(op: number, state: number, first: number, phase: number): void {
    const d = this.depth++;
    this.stackOp[d] = op;
    this.stackPhase[d] = phase;
    this.stackState[d] = state;
    this.stackFirst[d] = first;
    if (this.depth > this.bestLength) {
      // Copy only what changed since the last record: amortized O(1) per push.
      for (let i = this.stableDepth; i < this.depth; i++) this.bestOps[i] = this.stackOp[i];
      this.bestLength = this.depth;
      this.stableDepth = this.depth;
    }
  }

  /** Longest linearized prefix: local op ids, and the state id after each (replayed, memoized). */
  bestPrefix(): { ops: number[]; states: number[] } {
    const ops = Array.from(this.bestOps.subarray(0, this.bestLength));
    const states: number[] = [];
    let state = this.initialState;
    for (const op of ops) {
      state = this.transitions.next(state, op);
      states.push(state);
    }
    return { ops, states };
  }

  /** Current depth of the search stack (for progress reporting). */
  get currentDepth(): number {
    return this.depth;
  }
}
