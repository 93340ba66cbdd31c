/**
 * Pairing events into operations: each completion closes the open invocation
 * of its process. `fail` operations did not happen and are dropped; `info`
 * operations (and invocations the history never completes) may have happened at
 * any time after their invocation, so they return at +infinity with no output.
 */
import { FieldError, HistoryError, show } from './errors.js';
import type { HistoryEvent, ProcessId } from './events.js';
import { DEFAULT_KEY, type AnyModel } from './model.js';

export interface Operation {
  /** Ordinal among the operations of this history (ok and info, in invocation order). */
  readonly id: number;
  /** What reports call it: the history's own id (`op`) when its invocation has one, else `id`. */
  readonly label: number;
  readonly process: ProcessId;
  readonly f: string;
  /** Keys it touches (from the model); ops sharing a key are checked together. */
  readonly keys: readonly string[];
  readonly type: 'ok' | 'info';
  /** Indices of its invoke and completion events in the input history. */
  readonly invokeIndex: number;
  readonly completeIndex: number | null;
  /** Invocation and completion time (event time, or file position when there are no times). */
  readonly call: number;
  /** Infinity for info operations. */
  readonly ret: number;
  /** The invocation's value and the completion's value, as in the file. */
  readonly value: unknown;
  readonly result: unknown;
  /** Model-specific forms of the above; output is undefined for info operations. */
  readonly input: unknown;
  readonly output: unknown;
  /**
   * Set when the history proves an info op's outcome (Model.prepare): it is then
   * checked as ok with that output, and this says why.
   */
  readonly revealed?: string;
}

export interface Operations {
  readonly ops: Operation[];
  /** Operations that completed with `fail` (dropped). */
  readonly failed: number;
  /** Whether `time` fields were used (otherwise file order). */
  readonly timed: boolean;
}

const NEMESIS = 'nemesis';

function isClient(e: HistoryEvent): boolean {
  return e.process !== NEMESIS;
}

function isPair(value: unknown): value is [unknown, unknown] {
  return Array.isArray(value) && value.length === 2;
}

/**
 * Jepsen "independent" histories carry `:value [k v]` instead of a key. We
 * assume that when no invocation has a key and every invocation value is a
 * pair — unless every op is a cas whose pair holds no nested pair, which is a
 * plain single-register cas history.
 */
export function isIndependent(events: readonly HistoryEvent[]): boolean {
  let invokes = 0;
  let decisive = false;
  for (const e of events) {
    if (!isClient(e) || e.type !== 'invoke') continue;
    invokes++;
    if (e.key !== undefined || !isPair(e.value)) return false;
    if (e.f !== 'cas' || isPair(e.value[1])) decisive = true;
  }
  return invokes > 0 && decisive;
}

interface Open {
  readonly event: HistoryEvent;
  readonly key: string;
  readonly value: unknown;
  readonly input: unknown;
}

function fieldError(file: string, line: number, e: unknown): never {
  if (e instanceof FieldError) throw new HistoryError(file, line, e.message);
  throw e;
}

function processName(p: ProcessId): string {
  return typeof p === 'string' ? JSON.stringify(p) : String(p);
}

/** Pairs events into operations for `model`. Throws HistoryError for malformed histories. */
export function buildOperations(events: readonly HistoryEvent[], model: AnyModel, file: string): Operations {
  const independent = isIndependent(events);
  const timed = events.length > 0 && events.every((e) => !isClient(e) || e.time !== undefined);
  const open = new Map<ProcessId, Open>();
  const ops: Operation[] = [];
  let failed = 0;
  const timeOf = (e: HistoryEvent) => (timed ? (e.time as number) : e.index);
  const unwrap = (e: HistoryEvent) => (independent && e.key === undefined && isPair(e.value) ? e.value[1] : e.value);

  const push = (o: Open, type: 'ok' | 'info', done: HistoryEvent | null, output: unknown, result: unknown) => {
    ops.push({
      id: ops.length,
      label: o.event.op ?? ops.length,
      process: o.event.process,
      f: o.event.f,
      keys: model.partition(o.input),
      type,
      invokeIndex: o.event.index,
      completeIndex: done?.index ?? null,
      call: timeOf(o.event),
      ret: type === 'info' ? Infinity : timeOf(done as HistoryEvent),
      value: o.value,
      result,
      input: o.input,
      output,
    });
  };

  for (const e of events) {
    if (!isClient(e)) continue;
    if (!model.fs.includes(e.f)) {
      throw new HistoryError(file, e.line, `field "f": expected ${model.fs.join(', ')} for model ${model.name}, got ${show(e.f)}`);
    }
    const current = open.get(e.process);
    if (e.type === 'invoke') {
      if (current !== undefined) {
        throw new HistoryError(file, e.line, `field "process": process ${processName(e.process)} invoked again while its operation from line ${current.event.line} is still open`);
      }
      let key = e.key ?? DEFAULT_KEY;
      if (independent && e.key === undefined && isPair(e.value)) key = String(e.value[0]);
      const value = unwrap(e);
      let input: unknown;
      try {
        input = model.parseInput(e.f, key, value);
      } catch (err) {
        fieldError(file, e.line, err);
      }
      open.set(e.process, { event: e, key, value, input });
      continue;
    }
    if (current === undefined) {
      throw new HistoryError(file, e.line, `field "process": ${e.type} for process ${processName(e.process)}, which has no open invocation`);
    }
    if (current.event.f !== e.f) {
      throw new HistoryError(file, e.line, `field "f": completion ${show(e.f)} does not match invocation ${show(current.event.f)} from line ${current.event.line}`);
    }
    if (timed && (e.time as number) < (current.event.time as number)) {
      throw new HistoryError(file, e.line, `field "time": ${e.time} is before its invocation's time ${current.event.time}`);
    }
    open.delete(e.process);
    if (e.type === 'fail') {
      failed++;
    } else if (e.type === 'info') {
      // Jepsen retires the process after an info; a later invoke is a fresh process.
      push(current, 'info', e, undefined, unwrap(e));
    } else {
      const result = unwrap(e);
      let output: unknown;
      try {
        output = model.parseOutput(current.input, result);
      } catch (err) {
        fieldError(file, e.line, err);
      }
      push(current, 'ok', e, output, result);
    }
  }
  // Still open at the end of the history: unknown outcome.
  for (const o of open.values()) push(o, 'info', null, undefined, null);
  ops.sort((a, b) => a.invokeIndex - b.invokeIndex);
  // Ops are pushed in completion order; ids follow invocation order. Most already match (no copies then).
  const inOrder = ops.every((op, id) => op.id === id);
  return { ops: inOrder ? ops : ops.map((op, id) => ({ ...op, id, label: events[op.invokeIndex].op ?? id })), failed, timed };
}
