import type { TraceEvent } from '../sim/trace.js';
import type { Linearizability, LinearizationView, OpBar, OpStatus } from './types.js';

type ClientEvent = Extract<TraceEvent, { k: 'client' }>;

/** Client operations as bars from invoke to completion, plus the checker's counterexample if any. */
export function prepareOps(
  events: readonly TraceEvent[],
  end: number,
  linearizability: Linearizability | undefined,
): { ops: OpBar[]; clients: number[]; linearization: LinearizationView | null } {
  const invokes = new Map<number, { e: ClientEvent; index: number }>();
  const ops: OpBar[] = [];
  const clients = new Set<number>();
  events.forEach((e, index) => {
    if (e.k !== 'client') return;
    clients.add(e.client);
    if (e.type === 'invoke') {
      invokes.set(e.op, { e, index });
      return;
    }
    const invoke = invokes.get(e.op);
    if (!invoke) return;
    invokes.delete(e.op);
    ops.push(bar(invoke.e, invoke.index, e, index, end));
  });
  // Never completed: like an info op it may or may not have happened, up to the end.
  for (const { e, index } of invokes.values()) ops.push(bar(e, index, null, -1, end));
  ops.sort((a, b) => a.start - b.start || a.op - b.op);
  return { ops, clients: [...clients].sort((a, b) => a - b), linearization: linearizationView(ops, linearizability) };
}

function bar(invoke: ClientEvent, invokeIndex: number, done: ClientEvent | null, completeIndex: number, end: number): OpBar {
  const status: OpStatus = done === null ? 'pending' : done.type === 'invoke' ? 'pending' : done.type;
  const finished = status === 'ok' || status === 'fail';
  return {
    op: invoke.op,
    client: invoke.client,
    f: invoke.f,
    key: invoke.key ?? done?.key,
    keys: opKeys(invoke),
    start: invoke.t,
    end: finished && done ? done.t : end,
    status,
    node: done?.node ?? invoke.node,
    label: opLabel(invoke, done, status),
    invokeIndex,
    completeIndex,
    invokeValue: invoke.value,
    resultValue: done?.value,
  };
}

/** `put k1=5`, `get k1 → 4`, `txn → failure`, `put k2=v3 ✗`: what a student reads on the bar. */
export function opLabel(invoke: ClientEvent, done: ClientEvent | null, status: OpStatus): string {
  let text = invoke.f;
  if (invoke.key !== undefined) text += ` ${invoke.key}`;
  const arg = unwrap(invoke.value);
  if (arg !== undefined && arg !== null && invoke.f !== 'txn') text += `${invoke.key !== undefined ? '=' : ' '}${formatValue(arg)}`;
  if (status === 'ok' && done) {
    const result = resultText(invoke.f, done.value, arg);
    if (result !== undefined) text += ` → ${result}`;
  }
  if (status === 'fail') text += ' ✗';
  else if (status === 'info' || status === 'pending') text += ' ?';
  return text;
}

const WRITES = /^(put|write|set|cas|delete|txn)$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The KV client wraps a write's value as `{value}`; show the value itself. */
function unwrap(value: unknown): unknown {
  return isRecord(value) && Object.keys(value).length === 1 && 'value' in value ? value.value : value;
}

/** The interesting part of a result: a read's value, a txn's branch, a delete's count; nothing for an echo. */
function resultText(f: string, result: unknown, arg: unknown): string | undefined {
  if (result === undefined) return undefined;
  if (isRecord(result)) {
    if ('succeeded' in result) return result.succeeded ? 'success' : 'failure';
    if ('deleted' in result) return `${formatValue(result.deleted)} deleted`;
    if ('value' in result) return WRITES.test(f) ? undefined : formatValue(result.value);
    return undefined;
  }
  // A read always shows what it saw (nil included); a write only when it differs from the argument.
  const read = !WRITES.test(f);
  return !read && JSON.stringify(result) === JSON.stringify(arg) ? undefined : formatValue(result);
}

export function formatValue(value: unknown): string {
  if (value === null) return 'nil';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Every key an op touches; a txn names its keys inside its compares and branches. */
export function opKeys(invoke: ClientEvent): string[] {
  const keys = new Set<string>();
  if (invoke.key !== undefined) keys.add(invoke.key);
  const visit = (value: unknown, depth: number) => {
    if (depth > 4) return;
    if (Array.isArray(value)) for (const v of value) visit(v, depth + 1);
    else if (isRecord(value)) {
      if (typeof value.key === 'string') keys.add(value.key);
      for (const v of Object.values(value)) if (typeof v === 'object') visit(v, depth + 1);
    }
  };
  if (invoke.f === 'txn') visit(invoke.value, 0);
  return [...keys];
}

function opId(entry: number | { readonly id: number }): number {
  return typeof entry === 'number' ? entry : entry.id;
}

/**
 * Porcupine draws the longest linearizable prefix with a point inside each op where
 * it takes effect. The earliest consistent choice: each point is at the op's invoke
 * or at the previous point, whichever is later (never past the op's completion).
 */
export function linearizationView(ops: readonly OpBar[], lin: Linearizability | undefined): LinearizationView | null {
  if (!lin) return null;
  const byId = new Map(ops.map((op) => [op.op, op]));
  const ce = lin.counterexample;
  const prefix = (ce?.prefix ?? []).map(opId);
  const impossible = new Set((ce?.impossible ?? []).map(opId));
  const keys = ce?.keys ?? [];
  const points: { op: number; t: number }[] = [];
  let previous = -Infinity;
  for (const id of prefix) {
    const op = byId.get(id);
    if (!op) continue;
    const t = Math.min(Math.max(previous, op.start), op.end);
    points.push({ op: id, t });
    previous = t;
  }
  const involved = new Set<number>([...prefix, ...impossible]);
  if (keys.length > 0) for (const op of ops) if (op.keys.some((k) => keys.includes(k))) involved.add(op.op);
  return { verdict: lin.verdict, keys, points, impossible, involved };
}
