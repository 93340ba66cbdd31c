/**
 * checkHistory: events -> operations -> independent parts -> interleaved
 * searches under one budget (search steps, wall time, or both).
 *
 * Parts run round-robin in slices of search steps so one hard part cannot
 * starve the others: a single non-linearizable part anywhere decides the whole
 * history, and a verdict is only `unknown` when the budget ran out first.
 */
import { FieldError, HistoryError } from './errors.js';
import { toEvent, type HistoryEvent } from './events.js';
import { buildCounterexample, type Counterexample, type PartContext } from './counterexample.js';
import { buildOperations, type Operation, type Operations } from './history.js';
import { DEFAULT_CACHE_WORDS, type CacheBudget } from './memo.js';
import type { AnyModel, KeyLives, Model } from './model.js';
import { modelByName, MODEL_NAMES } from './models/index.js';
import { partitionByKey, type Part } from './partition.js';
import { StateTable, Transitions } from './intern.js';
import type { TagInput } from './tags.js';
import type { LifeInput } from './lifetimes.js';
import type { AbsenceInput } from './absence.js';
import type { CapacityInput } from './capacity.js';
import { PendingWriteGuard, type WriteShape } from './pending.js';
import type { KeyGuardInputs } from './key-guards.js';
import { LINEARIZABLE, NOT_LINEARIZABLE, PartSearch, RUNNING, type SearchInput, type SearchStatus } from './search.js';
import { explainingSearch } from './explain.js';
import { previousTwins } from './twins.js';
import { int32Of } from './typed.js';

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** The time budget of a check given neither budget. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface CheckOptions<S = unknown, I = unknown, O = unknown> {
  /** A model or the name of a built-in one: register, kv, etcd. */
  readonly model: Model<S, I, O> | string;
  /**
   * Wall-clock budget: default 30 s, or none when `maxSteps` is given. When it runs out the
   * verdict is `unknown`, so the verdict can depend on the machine's speed.
   */
  readonly timeoutMs?: number;
  /**
   * Deterministic budget: search steps over all parts (what `steps` counts). When it runs
   * out the verdict is `unknown`, the same on every machine.
   */
  readonly maxSteps?: number;
  /** Memory for the memo tables of all parts together; default 256 MB. */
  readonly cacheBytes?: number;
  /** Search steps per part per round-robin turn; default 2000. */
  readonly sliceSteps?: number;
  /** Prefix steps kept in the counterexample (the tail); default 50. */
  readonly maxPrefix?: number;
  /** Used in error messages; default "history". */
  readonly fileName?: string;
}

export interface PartResult {
  readonly keys: string[];
  /** Operations searched (noops such as unknown reads are dropped first). */
  readonly ops: number;
  readonly verdict: Verdict;
  readonly steps: number;
  /** Model transitions computed (each one a model step and an intern): the search's real work, bounded by the steps. */
  readonly transitions: number;
  readonly cacheEntries: number;
  readonly cacheFull: boolean;
  readonly states: number;
}

export interface CheckResult {
  readonly verdict: Verdict;
  /** Operations in the history (ok and info; failed ones are not counted). */
  readonly ops: number;
  /** Operations that failed (dropped: they did not happen). */
  readonly failed: number;
  readonly parts: number;
  readonly wallMs: number;
  /** Search steps and memo entries over all parts. */
  readonly steps: number;
  readonly cacheEntries: number;
  readonly partResults: PartResult[];
  /** For an `unknown` verdict, the budget that ran out. */
  readonly ranOut?: 'time' | 'steps';
  readonly counterexample?: Counterexample;
}

/** An event as a simulator produces it; `index`/`line` are filled in from its position. */
export interface RawEvent {
  readonly process: number | string;
  readonly type: string;
  readonly f: string;
  readonly key?: string | number | null;
  readonly value?: unknown;
  readonly time?: number;
}

export function resolveModel(model: AnyModel | string): AnyModel {
  if (typeof model !== 'string') return model;
  const found = modelByName(model);
  if (found === undefined) throw new Error(`unknown model "${model}" (expected ${MODEL_NAMES.join(', ')})`);
  return found;
}

export function normalizeEvents(events: readonly (HistoryEvent | RawEvent)[], file: string): HistoryEvent[] {
  return events.map((e, i) => {
    const line = 'line' in e && typeof e.line === 'number' ? e.line : i + 1;
    try {
      return toEvent(e, i, line);
    } catch (err) {
      if (err instanceof FieldError) throw new HistoryError(file, line, err.message);
      throw err;
    }
  });
}

interface RunningPart extends PartContext {
  readonly part: Part;
  /** What its search was built from (for explainingSearch). */
  readonly input: SearchInput;
  /** Model.life, memoized, when the model has it. */
  readonly lives: LifeLookup | undefined;
}

/** Local search order: ok ops by call time, then info ops by call time. */
function searchOrder(ops: readonly Operation[]): Operation[] {
  const byCall = (a: Operation, b: Operation) => a.call - b.call || a.invokeIndex - b.invokeIndex;
  return [...ops.filter((o) => o.type === 'ok').sort(byCall), ...ops.filter((o) => o.type === 'info').sort(byCall)];
}

function preparePart(part: Part, model: AnyModel, budget: CacheBudget): RunningPart {
  const relevant = dropUnobserved(
    part.ops.filter((op) => !(model.isNoop?.(op.input, op.output) ?? false)),
    model,
  );
  const ops = searchOrder(relevant);
  const n = ops.length;
  const call = new Float64Array(n);
  const ret = new Float64Array(n);
  const order = new Int32Array(n);
  const readOnly = new Uint8Array(n);
  const limits = model.rankLimit === undefined ? undefined : new Float64Array(n).fill(Infinity);
  let nOk = 0;
  ops.forEach((op, i) => {
    call[i] = op.call;
    ret[i] = op.ret;
    order[i] = op.invokeIndex;
    if (op.type === 'ok') {
      nOk++;
      readOnly[i] = model.isReadOnly?.(op.input, op.output) ? 1 : 0;
      if (limits !== undefined) limits[i] = (model.rankLimit as NonNullable<AnyModel['rankLimit']>)(op.input, op.output);
    }
  });
  const table = new StateTable(model);
  const initial = table.intern(model.init());
  const transitions = new Transitions(
    model,
    table,
    ops.map((o) => o.input),
    ops.map((o) => o.output),
  );
  const tags = tagInput(ops, nOk, model, table);
  const lives = model.life === undefined ? undefined : lifeLookup(table, model.life.bind(model));
  const guards = keyGuardInputs(ops, nOk, model, table, lives);
  const previousTwin = model.effectKey === undefined ? undefined : twinsOf(ops, nOk, model.effectKey.bind(model), call, order);
  const input: SearchInput = { nOk, call, ret, order, readOnly, limits, tags, ...guards, previousTwin };
  const search = new PartSearch(input, transitions, initial, budget);
  return { part, keys: part.keys, ops, search, table, transitions, input, lives };
}

/** Model.life of an interned state and a key. */
type LifeLookup = (state: number, key: string) => KeyLives | undefined;

/**
 * Model.life, computed once per (interned state, key): the key guards ask it for every
 * key at every step, and an interned state never changes.
 */
function lifeLookup(table: StateTable, life: (state: unknown, key: string) => KeyLives | undefined): LifeLookup {
  // Per key, per state id: its lives, null when not live, a hole when not asked yet.
  const byKey = new Map<string, (KeyLives | null)[]>();
  return (state, key) => {
    let known = byKey.get(key);
    if (known === undefined) byKey.set(key, (known = []));
    let lives = known[state];
    if (lives === undefined) known[state] = lives = life(table.states[state], key) ?? null;
    return lives ?? undefined;
  };
}

/** Per op, its previous twin (twins.ts), or undefined when the part has no twins. */
function twinsOf(ops: readonly Operation[], nOk: number, effectKey: (input: unknown) => string | undefined, call: Float64Array, order: Int32Array): Int32Array | undefined {
  const previous = previousTwins(
    ops.map((op, i) => (i < nOk ? undefined : effectKey(op.input))),
    (op) => op >= nOk,
    call,
    order,
  );
  return previous.some((op) => op >= 0) ? previous : undefined;
}

/** Leaves out the info ops the model says nothing can observe (Model.unobserved). */
function dropUnobserved(ops: readonly Operation[], model: AnyModel): readonly Operation[] {
  if (model.unobserved === undefined) return ops;
  const dropped = new Set(model.unobserved(ops));
  if (dropped.size === 0) return ops;
  return ops.filter((o, i) => !(dropped.has(i) && o.type === 'info'));
}

/** Inputs of the key guards (key-guards.ts: lifetimes, write capacity), as far as the model supports them. */
function keyGuardInputs(ops: readonly Operation[], nOk: number, model: AnyModel, table: StateTable, lives: LifeLookup | undefined): KeyGuardInputs {
  const { lifeNeeds, writeSlots } = model;
  if (lifeNeeds === undefined || lives === undefined || model.rank === undefined) return {};
  const needs = ops.map((op, i) => (i < nOk ? lifeNeeds(op.input, op.output) : []));
  if (needs.every((x) => x.length === 0)) return {};
  const rank = (state: number) => table.rank(state);
  const lifetime = (state: number, key: string) => lives(state, key)?.life;
  const touches = ops.map((op) => model.partition(op.input));
  // A bound is revealed only as a rank no known write takes (etcd: an info write's revision).
  const { freeRanks } = model;
  const revealable = freeRanks === undefined ? undefined : (epoch: number) => freeRanks.call(model, epoch - 1, epoch) > 0;
  const guards: LifeInput[] = [
    { needs: needs.map((x) => x.map((n) => ({ key: n.key, epoch: n.epoch, count: n.count }))), life: lifetime, rank, touches, exactCount: false, revealable },
    { needs: needs.map((x) => x.map((n) => ({ key: n.key, epoch: n.last, count: n.count, value: n.value }))), life: (state, key) => lives(state, key)?.last, rank, touches, exactCount: true, revealable },
  ];
  const capacity: CapacityInput | undefined = writeSlots === undefined ? undefined : { needs, life: lifetime, rank, slots: writeSlots.bind(model) };
  return { lives: guards, capacity, absence: absenceInput(ops, nOk, model, lifetime, touches) };
}

/** Inputs of the guard on keys read missing (absence.ts), when the model has them and some op saw a key missing. */
function absenceInput(ops: readonly Operation[], nOk: number, model: AnyModel, life: AbsenceInput['life'], touches: AbsenceInput['touches']): AbsenceInput | undefined {
  const { absentKeys, mayWrite } = model;
  if (absentKeys === undefined || mayWrite === undefined) return undefined;
  const absent = ops.map((op, i) => (i < nOk ? absentKeys(op.input, op.output) : []));
  if (absent.every((keys) => keys.length === 0)) return undefined;
  return { absent, ends: ops.map((op) => mayWrite(op.input).ends), life, touches };
}

/**
 * The pending-write guard (pending.ts) for a part, when the model supports it. It costs
 * more per step than the others, so the checker adds it only to parts its first slice
 * left open.
 */
function pendingGuard(p: RunningPart, model: AnyModel): PendingWriteGuard | undefined {
  const { lifeNeeds, knownWrites, mayWrite, freeRanks } = model;
  const lives = p.lives;
  if (lifeNeeds === undefined || lives === undefined || knownWrites === undefined || mayWrite === undefined || freeRanks === undefined || model.rank === undefined) return undefined;
  const nOk = p.input.nOk;
  const needs = p.ops.map((op, i) => (i < nOk ? lifeNeeds(op.input, op.output) : []));
  if (needs.every((x) => x.length === 0)) return undefined;
  return new PendingWriteGuard({
    needs,
    writes: p.ops.map((op, i) => (i < nOk ? knownWrites(op.input, op.output) : [])),
    // Only info ops' shapes count (pending.ts, rule B): ok ops' writes are known.
    shapes: p.ops.map((op, i) => (i < nOk ? NO_WRITES : mayWrite(op.input))),
    life: (state, key) => lives(state, key)?.life,
    rank: (state) => p.table.rank(state),
    freeRanks: freeRanks.bind(model),
  });
}

const NO_WRITES: WriteShape = { raises: [], ends: [] };

/** Per-op tag ids for the tag guard (tags.ts), when the model has tags. */
function tagInput(ops: readonly Operation[], nOk: number, model: AnyModel, table: StateTable): TagInput | undefined {
  const { tag, needsTag, setsTag } = model;
  if (tag === undefined || needsTag === undefined || setsTag === undefined) return undefined;
  const ids = new Map<string, number>();
  const id = (t: string | undefined) => {
    if (t === undefined) return -1;
    let i = ids.get(t);
    if (i === undefined) ids.set(t, (i = ids.size));
    return i;
  };
  const needs = int32Of(ops, (op, i) => (i < nOk ? id(needsTag(op.input, op.output)) : -1));
  const sets = int32Of(ops, (op) => id(setsTag(op.input)));
  return { needs, sets, tags: ids.size, tagOf: (state) => ids.get(tag(table.states[state])) ?? -1 };
}

function summarize(p: RunningPart, verdict: Verdict): PartResult {
  return {
    keys: p.keys,
    ops: p.ops.length,
    verdict,
    steps: p.search.steps,
    transitions: p.search.transitions.modelSteps,
    cacheEntries: p.search.cache.entries,
    cacheFull: p.search.cache.full,
    states: p.table.states.length,
  };
}

/**
 * A model's static proof (Model.refute), for a part its search did not decide in
 * its first slice: easy parts keep the search's counterexample (with a prefix),
 * hopeless ones are decided at once.
 */
function tryRefute(p: RunningPart, model: AnyModel): SearchStatus {
  if (model.refute === undefined) return p.search.status;
  p.search.refute(model.refute(p.ops));
  return p.search.status;
}

/**
 * Lets the model specialize itself to the whole history (Model.prepare) and
 * turns info ops whose outcome the history proves into ok ops. (An Operation is a
 * PrepareOp: models get the ops themselves, not copies.)
 */
function prepareHistory(ops: readonly Operation[], model: AnyModel): { ops: readonly Operation[]; model: AnyModel } {
  if (model.prepare === undefined) return { ops, model };
  const prepared = model.prepare(ops);
  if (prepared.pinned.size === 0) return { ops, model: prepared.model };
  const pinned = ops.map((op, i) => {
    const pin = prepared.pinned.get(i);
    return pin === undefined || op.type !== 'info' ? op : { ...op, type: 'ok' as const, output: pin.output, ret: pin.ret, revealed: pin.reason };
  });
  return { ops: pinned, model: prepared.model };
}

/** Checks paired operations (see buildOperations) against a model. */
export function checkOperations(history: readonly Operation[], baseModel: AnyModel, options: Omit<CheckOptions, 'model'> = {}, failed = 0): CheckResult {
  const started = performance.now();
  const { ops, model } = prepareHistory(history, baseModel);
  const deadline = started + (options.timeoutMs ?? (options.maxSteps === undefined ? DEFAULT_TIMEOUT_MS : Infinity));
  // Without a time budget no clock is read: the verdict is a function of the history alone.
  const outOfTime = deadline === Infinity ? () => false : () => performance.now() > deadline;
  let stepsLeft = options.maxSteps ?? Infinity;
  const slice = options.sliceSteps ?? 2000;
  const budget: CacheBudget = { words: Math.floor((options.cacheBytes ?? DEFAULT_CACHE_WORDS * 4) / 4) };
  const intervalsOf = model.intervals === undefined ? undefined : (op: Operation) => (model.intervals as NonNullable<AnyModel['intervals']>)(op.input);
  const parts = partitionByKey(ops, intervalsOf).map((part) => preparePart(part, model, budget));
  const verdicts: Verdict[] = parts.map(() => 'unknown');
  let active = parts.map((_, i) => i);
  let failing = -1;
  // Parts the first slice left open get the costlier checks: the pending-write guard, a static proof.
  const refuteTried = parts.map(() => false);

  while (active.length > 0 && failing < 0) {
    const still: number[] = [];
    for (const i of active) {
      const stepsBefore = parts[i].search.steps;
      let status = parts[i].search.run(Math.min(slice, stepsLeft));
      if (status === RUNNING && !refuteTried[i]) {
        refuteTried[i] = true;
        const pending = pendingGuard(parts[i], model);
        if (pending !== undefined) parts[i].search.addKeyGuard(pending);
        status = tryRefute(parts[i], model);
      }
      if (status === LINEARIZABLE) verdicts[i] = 'linearizable';
      else if (status === NOT_LINEARIZABLE) {
        verdicts[i] = 'not-linearizable';
        failing = i;
        break;
      } else still.push(i);
      stepsLeft -= parts[i].search.steps - stepsBefore;
      if (stepsLeft <= 0 || outOfTime()) break;
    }
    // Parts not reached in this round stay active.
    const reached = new Set(still);
    for (const i of active) if (verdicts[i] === 'unknown' && !reached.has(i)) still.push(i);
    active = still;
    if (stepsLeft <= 0 || outOfTime()) break;
  }

  const verdict: Verdict = failing >= 0 ? 'not-linearizable' : active.length > 0 ? 'unknown' : 'linearizable';
  const partResults = parts.map((p, i) => summarize(p, verdicts[i]));
  const result: CheckResult = {
    verdict,
    ops: ops.length,
    failed,
    parts: parts.length,
    wallMs: Math.round((performance.now() - started) * 10) / 10,
    steps: partResults.reduce((s, p) => s + p.steps, 0),
    cacheEntries: partResults.reduce((s, p) => s + p.cacheEntries, 0),
    partResults,
    ...(verdict === 'unknown' ? { ranOut: stepsLeft <= 0 ? ('steps' as const) : ('time' as const) } : {}),
  };
  if (failing < 0) return result;
  const bad = parts[failing];
  const explained = { ...bad, search: explainingSearch(bad.search, bad.input, bad.transitions, budget) };
  return { ...result, counterexample: buildCounterexample(explained, model, options.maxPrefix ?? 50) };
}

/**
 * A history (parsed events or raw simulator events) validated and paired into operations
 * for `model`, once, for every check that reads it. Throws HistoryError for malformed input.
 */
export function operationsOf(events: readonly (HistoryEvent | RawEvent)[], model: AnyModel | string, fileName = 'history'): Operations {
  return buildOperations(normalizeEvents(events, fileName), resolveModel(model), fileName);
}

/** Checks a history (parsed events or raw simulator events). Throws HistoryError for malformed input. */
export function checkHistory<S, I, O>(events: readonly (HistoryEvent | RawEvent)[], options: CheckOptions<S, I, O>): CheckResult {
  const model = resolveModel(options.model as AnyModel | string);
  const { ops, failed } = operationsOf(events, model, options.fileName);
  return checkOperations(ops, model, options, failed);
}
