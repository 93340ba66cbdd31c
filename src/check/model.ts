/**
 * The interface every model implements, plus small helpers shared by models.
 *
 * A model is a sequential specification. The checker never looks inside states:
 * it interns them to small integers through `hash`/`equal`, so `step` must be a
 * pure function and states must be immutable.
 */

import type { Life } from './lifetimes.js';
import type { KnownWrite, WriteShape } from './pending.js';

export type { KnownWrite, WriteShape } from './pending.js';

/** The key that ops without a key belong to ("a single register"). */
export const DEFAULT_KEY = '';

export interface Model<State, Input, Output> {
  readonly name: string;
  /** Operation names (`f`) this model understands. */
  readonly fs: readonly string[];
  /**
   * Validates and converts an invocation. `key` is the event's key (or
   * DEFAULT_KEY). Throws FieldError for a bad value.
   */
  parseInput(f: string, key: string, value: unknown): Input;
  /** Validates and converts the value of an `ok` completion. Throws FieldError. */
  parseOutput(input: Input, value: unknown): Output;
  /** Keys an operation touches; operations sharing a key are checked together. */
  partition(input: Input): readonly string[];
  /**
   * Key intervals an operation reads as a whole (etcd's range). It cannot name
   * their keys itself, so the partitioner joins it with every key of the history
   * (from `partition`) that lies in them: keys no op touches are never written, so
   * they stay missing whichever part looks at them.
   */
  intervals?(input: Input): readonly KeyInterval[];
  /**
   * True when the operation can be dropped without changing the verdict: it is
   * always legal and never changes the state (an `info` read, a stale-allowed read).
   * `output` is undefined for `info` operations.
   */
  isNoop?(input: Input, output: Output | undefined): boolean;
  /**
   * Optional: info ops of one part (indices into `ops`, after isNoop) that can be
   * treated as never having happened. Must be sound both ways: leaving one out never
   * loses a linearization (an info op may always not happen, so the other way is free).
   */
  unobserved?(ops: readonly PrepareOp<Input, Output>[]): readonly number[];
  /**
   * Optional, for info ops: equal texts only for two inputs whose steps without an
   * output agree in every state (`step(s, a, undefined)` equals `step(s, b, undefined)`),
   * undefined for none. Such twins are linearized in call order (twins.ts).
   */
  effectKey?(input: Input): string | undefined;
  /**
   * True when the completed operation never changes any state in which it is legal (a
   * read; a cas whose new value is its expected one). Only such operations may be
   * linearized at once without trying alternatives: a write that happens to leave the
   * current state unchanged may be needed later, where it does change it.
   * Also allowed: an op that only raises the rank to its own rankLimit (etcd's
   * read-only txn carrying the store revision): where it is a no-op, rank equals
   * that limit, so it is a no-op wherever it is still legal later.
   */
  isReadOnly?(input: Input, output: Output): boolean;
  /**
   * Optional progress measure (etcd: a lower bound on the store revision). It must
   * never decrease along `step`, and `step(s, op)` may only be legal when
   * `rank(s) <= rankLimit(op)`. The search then drops any state whose rank exceeds
   * the limit of an ok op still to be placed: nothing can bring that op back.
   */
  rank?(state: State): number;
  /** The largest rank in which the completed op can be legal; Infinity when unbounded. */
  rankLimit?(input: Input, output: Output): number;
  /**
   * Optional state tags (register: the value), for dead-state pruning (tags.ts).
   * All three or none. The model promises: a completed op with needsTag g is legal
   * only in states tagged g; a legal step from a state tagged a to one tagged b != a
   * is only ever taken by an op whose setsTag is b (ok or info).
   */
  tag?(state: State): string;
  /** The tag a completed op needs the state to carry, or undefined when it needs none. */
  needsTag?(input: Input, output: Output): string | undefined;
  /** The tag an op can change the state to, or undefined when it never changes the tag. */
  setsTag?(input: Input): string | undefined;
  /**
   * Optional key lifetimes, with `rank`, for dead-state pruning (lifetimes.ts, which
   * states what the model promises). Both or none.
   */
  lifeNeeds?(input: Input, output: Output): readonly KeyNeed[];
  /** A live key's lifetime and last write in a state, or undefined when it is not live. */
  life?(state: State, key: string): KeyLives | undefined;
  /**
   * Optional, with the lifetimes and mayWrite: the keys a completed op saw missing, legal
   * only where they are not live (absence.ts, which states what the model promises).
   */
  absentKeys?(input: Input, output: Output): readonly string[];
  /**
   * Optional, with the lifetimes: how much writes taking ranks <= `rank` can raise
   * `key`'s count, counted so that differences bound ranks in between (capacity.ts).
   */
  writeSlots?(key: string, rank: number): number;
  /**
   * Optional, with the lifetimes: the writes a completed op makes at a known rank,
   * each raising a live key's count by `count` (pending.ts, which states what the
   * model promises).
   */
  knownWrites?(input: Input, output: Output): readonly KnownWrite[];
  /** Optional, with knownWrites: what any op may write, whatever its outcome (pending.ts). */
  mayWrite?(input: Input): WriteShape;
  /**
   * Optional, with knownWrites: how many ranks in (after, upTo] no known write takes (pending.ts).
   * Those are the only ranks an epoch known by a bound can be revealed as (lifetimes.ts).
   */
  freeRanks?(after: number, upTo: number): number;
  /**
   * Optional: specialize the model to one whole history before it is split into
   * parts (etcd: which revisions ok writes took; info writes whose outcome a read
   * reveals). `pinned` gives info ops an outcome every valid linearization must
   * agree with: they are then checked as ok ops completing at `ret`.
   */
  prepare?(ops: readonly PrepareOp<Input, Output>[]): Prepared<State, Input, Output>;
  /**
   * Optional static proof, run on one part before its search: ok ops (indices into
   * `ops`) that no linearization can place, each with why. Must be sound: anything
   * returned decides the part as not linearizable without searching.
   */
  refute?(ops: readonly PrepareOp<Input, Output>[]): readonly Refutation[];
  init(): State;
  /**
   * The state after applying `input` with observed `output`, or undefined when
   * that is impossible. `output` undefined means unknown (an `info` op): it
   * constrains nothing.
   */
  step(state: State, input: Input, output: Output | undefined): State | undefined;
  equal(a: State, b: State): boolean;
  /** Any 32-bit integer; equal states must hash equally. */
  hash(state: State): number;
  describe(input: Input, output: Output | undefined): string;
  describeState(state: State): string;
}

/**
 * What a completed op needs of a key (lifetimes.ts): its lifetime (epoch: etcd's
 * createRevision) and its last write (etcd's modRevision), each with the count
 * (etcd's version) it must carry then, and the value the last write left.
 */
export interface KeyNeed {
  readonly key: string;
  readonly epoch: number;
  readonly last: number;
  readonly count: number;
  readonly value: string;
}

/** A live key's lifetime and its last write as epochs (Life), each with the key's count. */
export interface KeyLives {
  readonly life: Life;
  readonly last: Life;
}

/** The keys k with from <= k < to (JS string order); `to` null: no upper end. */
export interface KeyInterval {
  readonly from: string;
  readonly to: string | null;
}

export function inInterval(key: string, interval: KeyInterval): boolean {
  return key >= interval.from && (interval.to === null || key < interval.to);
}

/** What `Model.prepare` sees of an operation. */
export interface PrepareOp<Input, Output> {
  readonly type: 'ok' | 'info';
  readonly input: Input;
  /** Undefined for info ops. */
  readonly output: Output | undefined;
  readonly call: number;
  /** Infinity for info ops. */
  readonly ret: number;
}

/** An ok op that cannot be placed (Model.refute). */
export interface Refutation {
  readonly op: number;
  readonly reason: string;
}

/** An info op's outcome, proven by the rest of the history. */
export interface Pin<Output> {
  readonly output: Output;
  /** It must have taken effect by then (the earliest return of an op that observed it). */
  readonly ret: number;
  /** Why, for counterexamples. */
  readonly reason: string;
}

export interface Prepared<State, Input, Output> {
  readonly model: Model<State, Input, Output>;
  /** By index into the ops given to prepare. */
  readonly pinned: ReadonlyMap<number, Pin<Output>>;
}

/** A model whose types the caller does not care about (the checker's view). */
// Method syntax in Model makes parameters bivariant, so every Model<S, I, O> fits here.
export type AnyModel = Model<unknown, unknown, unknown>;

/** FNV-1a over UTF-16 code units; good enough for interning, no allocation. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

export function hashCombine(h: number, value: number): number {
  return Math.imul(h ^ value, 0x9e3779b1) ^ (h >>> 15);
}

/**
 * Canonical text for a JSON-ish value: object keys sorted, so two equal values
 * always give the same string (used as register state and for equality).
 */
export function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
