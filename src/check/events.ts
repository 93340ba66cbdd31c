/**
 * The format-independent event: one line of a JSON/JSONL history or one map of
 * a Jepsen EDN history, validated but not yet paired into operations.
 */
import { FieldError, show } from './errors.js';

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type ProcessId = number | string;

export interface HistoryEvent {
  /** Position in the input history (0-based); counterexamples refer to it. */
  readonly index: number;
  /** 1-based line in the file where the event starts, for error messages. */
  readonly line: number;
  readonly process: ProcessId;
  readonly type: EventType;
  readonly f: string;
  /** Absent when the event has no key (a single register, or a Jepsen [k v] tuple). */
  readonly key?: string;
  readonly value: unknown;
  /** Absent when the file has no times: file order is real-time order. */
  readonly time?: number;
  /** The history's own operation id (our format's `op`), which reports then use to name the op. */
  readonly op?: number;
}

const TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Turns a decoded JSON object or EDN map into an event; throws FieldError. */
export function toEvent(raw: unknown, index: number, line: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new FieldError('event', `expected an object with process, type and f, got ${show(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  if (o.type === undefined) throw new FieldError('type', 'missing');
  if (typeof o.type !== 'string' || !TYPES.includes(o.type)) {
    throw new FieldError('type', `expected invoke, ok, fail or info, got ${show(o.type)}`);
  }
  if (o.process === undefined) throw new FieldError('process', 'missing');
  let process: ProcessId;
  if (typeof o.process === 'number' && Number.isFinite(o.process)) process = o.process;
  else if (typeof o.process === 'bigint') process = Number(o.process);
  else if (typeof o.process === 'string') process = o.process;
  else throw new FieldError('process', `expected a number or string, got ${show(o.process)}`);
  if (o.f === undefined) throw new FieldError('f', 'missing');
  const f = scalarText(o.f);
  if (f === undefined) throw new FieldError('f', `expected a string, got ${show(o.f)}`);
  let key: string | undefined;
  if (o.key !== undefined && o.key !== null) {
    key = scalarText(o.key);
    if (key === undefined) throw new FieldError('key', `expected a string or number, got ${show(o.key)}`);
  }
  let time: number | undefined;
  if (o.time !== undefined && o.time !== null) {
    time = typeof o.time === 'bigint' ? Number(o.time) : (o.time as number);
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new FieldError('time', `expected a number, got ${show(o.time)}`);
  }
  let op: number | undefined;
  if (o.op !== undefined && o.op !== null) {
    op = typeof o.op === 'bigint' ? Number(o.op) : (o.op as number);
    if (!Number.isSafeInteger(op) || op < 0) throw new FieldError('op', `expected a non-negative integer id, got ${show(o.op)}`);
  }
  const event: { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] } = {
    index,
    line,
    process,
    type: o.type as EventType,
    f,
    value: o.value === undefined ? null : o.value,
  };
  if (key !== undefined) event.key = key;
  if (time !== undefined) event.time = time;
  if (op !== undefined) event.op = op;
  return event;
}
