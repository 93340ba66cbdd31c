/**
 * Seeded generator of register histories for tests and benchmarks.
 *
 * It runs a real sequential register per key and lets random processes invoke,
 * take effect (atomically, somewhere between invocation and completion) and
 * complete in random interleavings, so the result is linearizable by
 * construction. `corrupt` then breaks it on purpose.
 *
 * The PRNG is a small built-in one (sfc32 seeded by a string hash) rather than
 * seedrandom so the benchmark bundle depends only on node builtins.
 */
import type { RawEvent } from './checker.js';

export interface GenerateOptions {
  readonly seed: number | string;
  /** Operations to invoke. */
  readonly ops: number;
  readonly processes: number;
  /** Number of keys (k0, k1, ...). */
  readonly keys: number;
  /** Chance an operation ends as `info` (it may or may not have taken effect). Default 0.01. */
  readonly infoRate?: number;
  /** Mix of reads and cas; the rest are writes. Defaults 0.5 and 0.2. */
  readonly readRate?: number;
  readonly casRate?: number;
  /**
   * Make it non-linearizable: `bogus-read` makes one read return a value nobody
   * wrote; `stale-read` makes one read return a value overwritten before it began.
   */
  readonly corrupt?: 'none' | 'bogus-read' | 'stale-read';
  /** Events per time unit; above 1 creates equal timestamps. Default 1. */
  readonly tick?: number;
}

export interface GeneratedHistory {
  readonly events: RawEvent[];
  /** Index of the corrupted completion event, or -1. */
  readonly corrupted: number;
}

/** sfc32; returns floats in [0, 1). */
export function makeRandom(seed: number | string): () => number {
  let h = 1779033703 ^ String(seed).length;
  const text = String(seed);
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  let a = next();
  let b = next();
  let c = next();
  let d = next();
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

type Phase = 'idle' | 'pending' | 'applied';

interface Pending {
  f: 'read' | 'write' | 'cas';
  key: string;
  value: unknown;
  result: unknown;
  ok: boolean;
  invokeAt: number;
}

interface Completed {
  readonly f: string;
  readonly key: string;
  readonly written: unknown;
  /** Times (equal timestamps overlap, so comparisons are strict). */
  readonly call: number;
  readonly ret: number;
  readonly event: number;
}

export function generateRegisterHistory(options: GenerateOptions): GeneratedHistory {
  const random = makeRandom(options.seed);
  const pick = (n: number) => Math.floor(random() * n);
  const infoRate = options.infoRate ?? 0.01;
  const readRate = options.readRate ?? 0.5;
  const casRate = options.casRate ?? 0.2;
  const tick = options.tick ?? 1;
  const registers = new Map<string, unknown>();
  const phase: Phase[] = Array.from({ length: options.processes }, () => 'idle');
  const pending: (Pending | undefined)[] = [];
  const events: RawEvent[] = [];
  const completed: Completed[] = [];
  let invoked = 0;
  let busy = 0;
  let nextValue = 1;
  const emit = (e: Omit<RawEvent, 'time'>) => {
    events.push({ ...e, time: Math.floor(events.length / tick) });
    return events.length - 1;
  };

  while (invoked < options.ops || busy > 0) {
    const p = pick(options.processes);
    if (phase[p] === 'idle') {
      if (invoked >= options.ops) continue;
      const key = `k${pick(options.keys)}`;
      const r = random();
      const current = registers.get(key) ?? null;
      let op: Pending;
      if (r < readRate) op = { f: 'read', key, value: null, result: null, ok: true, invokeAt: 0 };
      else if (r < readRate + casRate) {
        const expected = random() < 0.6 ? current : pick(nextValue + 1);
        op = { f: 'cas', key, value: [expected, nextValue++], result: null, ok: true, invokeAt: 0 };
      } else op = { f: 'write', key, value: nextValue++, result: null, ok: true, invokeAt: 0 };
      op.invokeAt = emit({ process: p, type: 'invoke', f: op.f, key, value: op.value });
      pending[p] = op;
      phase[p] = 'pending';
      invoked++;
      busy++;
    } else if (phase[p] === 'pending') {
      const op = pending[p] as Pending;
      if (random() < infoRate / 2) {
        // Crashed before taking effect.
        emit({ process: p, type: 'info', f: op.f, key: op.key, value: op.value });
        phase[p] = 'idle';
        busy--;
        continue;
      }
      const current = registers.get(op.key) ?? null;
      if (op.f === 'read') op.result = current;
      else if (op.f === 'write') registers.set(op.key, op.value);
      else {
        const [expected, next] = op.value as [unknown, unknown];
        op.ok = expected === current;
        if (op.ok) registers.set(op.key, next);
      }
      phase[p] = 'applied';
    } else {
      const op = pending[p] as Pending;
      const info = random() < infoRate / 2;
      const type = info ? 'info' : op.ok ? 'ok' : 'fail';
      const value = op.f === 'read' && !info ? op.result : op.value;
      const at = emit({ process: p, type, f: op.f, key: op.key, value });
      if (type === 'ok') {
        const written = op.f === 'write' ? op.value : op.f === 'cas' ? (op.value as unknown[])[1] : undefined;
        completed.push({ f: op.f, key: op.key, written, call: events[op.invokeAt].time as number, ret: events[at].time as number, event: at });
      }
      phase[p] = 'idle';
      busy--;
    }
  }
  const corrupted = corrupt(events, completed, options.corrupt ?? 'none', random);
  return { events, corrupted };
}

function corrupt(events: RawEvent[], completed: readonly Completed[], how: string, random: () => number): number {
  if (how === 'none') return -1;
  const reads = completed.filter((c) => c.f === 'read');
  if (reads.length === 0) return -1;
  if (how === 'stale-read') {
    // A read R, a write W2 done before R began, a write W1 done before W2 began: R cannot see W1.
    const start = Math.floor(random() * reads.length);
    for (let k = 0; k < reads.length; k++) {
      const read = reads[(start + k) % reads.length];
      const writes = completed.filter((c) => c.key === read.key && c.written !== undefined);
      const w2 = writes.filter((w) => w.ret < read.call).pop();
      if (w2 === undefined) continue;
      const w1 = writes.filter((w) => w.ret < w2.call).pop();
      if (w1 === undefined) continue;
      events[read.event] = { ...events[read.event], value: w1.written };
      return read.event;
    }
  }
  const read = reads[Math.floor(random() * reads.length)];
  events[read.event] = { ...events[read.event], value: -1 };
  return read.event;
}
