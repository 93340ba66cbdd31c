/**
 * The checker must agree with an obviously-correct brute force on thousands of
 * small random register histories (cas, info, fail, equal timestamps, two keys).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { staticRefutations } from './static-proof.js';

interface BruteOp {
  key: string;
  f: 'read' | 'write' | 'cas';
  arg: unknown;
  out: unknown;
  info: boolean;
  call: number;
  ret: number;
}

/** Pairs events naively and tries every order consistent with real time. */
function bruteForce(events: readonly RawEvent[]): boolean {
  const open = new Map<number | string, { e: RawEvent; at: number }>();
  const ops: BruteOp[] = [];
  const time = (e: RawEvent, i: number) => e.time ?? i;
  events.forEach((e, i) => {
    if (e.type === 'invoke') {
      open.set(e.process, { e, at: time(e, i) });
      return;
    }
    const inv = open.get(e.process)!;
    open.delete(e.process);
    if (e.type === 'fail') return;
    const f = inv.e.f as BruteOp['f'];
    ops.push({ key: String(inv.e.key ?? ''), f, arg: inv.e.value, out: e.value, info: e.type === 'info', call: inv.at, ret: e.type === 'info' ? Infinity : time(e, i) });
  });
  for (const { e, at } of open.values()) ops.push({ key: String(e.key ?? ''), f: e.f as BruteOp['f'], arg: e.value, out: null, info: true, call: at, ret: Infinity });

  const done = ops.map(() => false);
  const search = (state: Map<string, unknown>): boolean => {
    if (ops.every((o, i) => o.info || done[i])) return true;
    for (let i = 0; i < ops.length; i++) {
      if (done[i]) continue;
      const o = ops[i];
      // Real time: nothing still pending may have returned before o was called.
      if (ops.some((p, j) => !done[j] && j !== i && !p.info && p.ret < o.call)) continue;
      const cur = state.has(o.key) ? state.get(o.key) : null;
      let next: unknown = cur;
      if (o.f === 'read') {
        if (!o.info && o.out !== cur) continue;
      } else if (o.f === 'write') next = o.arg;
      else {
        const [from, to] = o.arg as [unknown, unknown];
        if (from !== cur) continue; // an info cas that fails is the same as never happening
        next = to;
      }
      done[i] = true;
      const after = new Map(state);
      after.set(o.key, next);
      const ok = search(after);
      done[i] = false;
      if (ok) return true;
    }
    return false;
  };
  return search(new Map());
}

const small = fc.integer({ min: 0, max: 2 });
const step = fc.record({
  process: fc.integer({ min: 0, max: 3 }),
  f: fc.constantFrom('read', 'write', 'cas'),
  a: small,
  b: small,
  out: fc.constantFrom<'ok' | 'info' | 'fail'>('ok', 'ok', 'ok', 'ok', 'info', 'fail'),
  read: fc.option(small, { nil: null }),
  key: fc.constantFrom('x', 'y'),
});

/** Turns random steps into a well-formed history: a step invokes if its process is idle, else completes. */
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/**
 * With `unique`, every write and cas writes a value of its own (its ordinal), and
 * cas and reads pick recent ones, so reads pin their write as in real histories.
 */
function toHistory(steps: Step[], maxOps: number, keys: boolean, ties: boolean, unique = false): RawEvent[] {
  const events: RawEvent[] = [];
  const open = new Map<number, { f: string; key: string; value: unknown }>();
  let invoked = 0;
  const written: number[] = [];
  for (const s of steps) {
    const time = ties ? Math.floor(events.length / 2) : events.length;
    const cur = open.get(s.process);
    if (cur === undefined) {
      if (invoked >= maxOps) continue;
      invoked++;
      const recent = written[written.length - 1 - s.a] ?? null;
      const value = s.f === 'read' ? null : unique ? (s.f === 'write' ? invoked : [recent, invoked]) : s.f === 'write' ? s.a : [s.a, s.b];
      if (s.f !== 'read') written.push(invoked);
      const key = keys ? s.key : 'x';
      open.set(s.process, { f: s.f, key, value });
      events.push({ process: s.process, type: 'invoke', f: s.f, key, value, time });
    } else {
      open.delete(s.process);
      const type = cur.f !== 'cas' && s.out === 'fail' ? 'ok' : s.out;
      const seen = unique && s.read !== null ? (written[written.length - 1 - s.read] ?? null) : s.read;
      const value = cur.f === 'read' && type === 'ok' ? seen : cur.value;
      events.push({ process: s.process, type, f: cur.f, key: cur.key, value, time });
    }
  }
  return events;
}

describe('checker agrees with brute force', () => {
  const cases: [string, boolean, boolean, number, boolean][] = [
    ['one key, distinct times', false, false, 2500, false],
    ['one key, equal timestamps', false, true, 1500, false],
    ['two keys', true, false, 1500, false],
    ['one key, unique values', false, false, 1500, true],
  ];
  for (const [name, keys, ties, runs, unique] of cases) {
    it(name, () => {
      let linearizable = 0;
      let staticProofs = 0;
      fc.assert(
        fc.property(fc.array(step, { maxLength: 16 }), (steps) => {
          const history = toHistory(steps, 7, keys, ties, unique);
          const expected = bruteForce(history);
          const result = checkHistory(history, { model: 'register' });
          if (expected) linearizable++;
          expect(result.verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
          if (!expected) expect(result.counterexample?.impossible.length).toBeGreaterThan(0);
          // One-step slices: the register's static stale-read proof (register-stale.ts) is
          // consulted for every part the search does not settle at once, so it must be sound.
          const sliced = checkHistory(history, { model: 'register', sliceSteps: 1 });
          expect(sliced.verdict).toBe(result.verdict);
          // The search's tag guard settles most of these parts first, so check the proof directly too.
          if (staticRefutations(history).length > 0) {
            staticProofs++;
            expect(expected).toBe(false);
          }
        }),
        { numRuns: runs, seed: 42 },
      );
      // The property is only meaningful if both verdicts occur often.
      expect(linearizable).toBeGreaterThan(runs / 5);
      expect(linearizable).toBeLessThan(runs * 0.95);
      if (unique) expect(staticProofs).toBeGreaterThan(runs / 40);
    });
  }
});
