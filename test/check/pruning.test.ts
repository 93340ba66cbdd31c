/**
 * The register pruning rules: tags (src/check/tags.ts, reach.ts) and info ops
 * nothing observes (models/register-unobserved.ts). Each history below is one a
 * plausible but wrong version of a rule gets wrong (named in the test); the
 * brute-force agreement tests cover the rules at large.
 */
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { generateRegisterHistory } from '../../src/check/generate.js';
import { unobservedRegisterOps } from '../../src/check/models/register-unobserved.js';
import type { RegisterInput } from '../../src/check/models/register.js';

/** An op over [call, ret]; ret null: info; `result` is what a read returned. */
const op = (process: number, f: string, value: unknown, call: number, ret: number | null, result: unknown = value): RawEvent[] => [
  { process, type: 'invoke', f, key: 'x', value: f === 'read' ? null : value, time: call },
  { process, type: ret === null ? 'info' : 'ok', f, key: 'x', value: ret === null ? value : result, time: ret ?? call },
];
const fail = (process: number, value: unknown, call: number, ret: number): RawEvent[] => [
  { process, type: 'invoke', f: 'cas', key: 'x', value, time: call },
  { process, type: 'fail', f: 'cas', key: 'x', value, time: ret },
];
/** Events by time, invokes first at equal times; an info op's completion goes last (it stays pending). */
const history = (...ops: RawEvent[][]) =>
  ops.flat().sort((a, b) => Number(a.type === 'info') - Number(b.type === 'info') || (a.time as number) - (b.time as number) || (a.type === 'invoke' ? -1 : 1));
const read = (process: number, result: unknown, call: number, ret: number) => op(process, 'read', null, call, ret, result);
const verdict = (events: RawEvent[]) => checkHistory(events, { model: 'register' }).verdict;
const searched = (events: RawEvent[]) => checkHistory(events, { model: 'register' }).partResults[0].ops;

describe('tag pruning', () => {
  it('counts info ops as setters of their value', () => {
    // Wrong rule: only ok ops set tags. The info write of 1 may land after write 2.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', 1, 2, null), op(2, 'write', 2, 3, 4), read(3, 1, 5, 6)))).toBe('linearizable');
  });

  it('counts ok cas ops as setters of their new value', () => {
    // Wrong rule: only writes set tags. Nothing but the cas sets 2, yet read 2 is fine.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'cas', [1, 2], 2, 3), read(2, 2, 4, 5)))).toBe('linearizable');
  });

  it('does not count info cas ops as needing their expected value', () => {
    // Wrong rule: an info cas from 1 pins tag 1 open. It may simply never happen. (The
    // second info cas observes 3, so the first one is not left out before the search.)
    const h = history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 3), op(2, 'cas', [1, 3], 4, null), op(3, 'cas', [3, 4], 4, null), read(4, 2, 5, 6));
    expect(searched(h)).toBe(4);
    expect(verdict(h)).toBe('linearizable');
  });

  it('keeps a configuration whose state carries the one needed, unsettable tag', () => {
    // Wrong rule: any needed tag nothing can set is fatal. Here the state holds it.
    expect(verdict(history(op(0, 'write', 1, 0, 1), read(1, 1, 2, 3), read(2, 1, 4, 5)))).toBe('linearizable');
    // Two such tags cannot both be the state's.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 0, 1), read(2, 1, 2, 3), read(3, 2, 2, 3), read(4, 1, 4, 5), read(5, 2, 4, 5)))).toBe(
      'not-linearizable',
    );
  });

  it('treats the initial null and a write of null as the same tag', () => {
    // Wrong rule: the initial value is a tag of its own, or null writes set none.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', null, 2, 3), read(2, null, 4, 5)))).toBe('linearizable');
    expect(verdict(history(op(0, 'write', 1, 0, 1), read(2, null, 2, 3)))).toBe('not-linearizable');
  });

  it('a counterexample still shows where the history visibly fails', () => {
    // The tag guard cuts this after write 2 (nothing left sets 1); the explanation searches on.
    const result = checkHistory(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 3), read(2, 1, 4, 5)), { model: 'register' });
    expect(result.counterexample?.prefixLength).toBe(2);
    expect(result.counterexample?.impossible.map((o) => [o.description, o.reason])).toEqual([['read 1', 'not possible in state 2']]);
  });
});

describe('info ops nothing observes', () => {
  it('are left out before the search', () => {
    const h = history(op(0, 'write', 1, 0, 1), op(1, 'write', 7, 2, null), op(2, 'cas', [1, 8], 2, null), read(3, 1, 3, 4));
    expect(searched(h)).toBe(2);
    expect(verdict(h)).toBe('linearizable');
    const inputs: RegisterInput[] = [
      { f: 'write', key: 'x', arg: '7', arg2: '' },
      { f: 'read', key: 'x', arg: '', arg2: '' },
      { f: 'write', key: 'x', arg: '9', arg2: '' },
    ];
    const ops = inputs.map((input, i) => ({ type: 'info' as const, input, output: undefined, call: i, ret: Infinity }));
    expect(unobservedRegisterOps(ops)).toEqual([0, 2]);
    // Never an ok op: write 9 must take effect (the checker keeps ok ops regardless).
    expect(unobservedRegisterOps(ops.map((o, i) => (i === 2 ? { ...o, type: 'ok' as const, output: null, ret: 3 } : o)))).toEqual([0]);
  });

  it('a value a read returns is observed, null included', () => {
    // Wrong rule: reads do not count (or the canonical "null" is missed).
    expect(verdict(history(op(0, 'write', 5, 0, null), read(1, 5, 1, 2)))).toBe('linearizable');
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', null, 2, null), read(2, null, 3, 4)))).toBe('linearizable');
  });

  it('a value an ok or info cas expects is observed', () => {
    // Wrong rule: only ok cas ops count, or none. Dropping write 5 would strand the cas and read 6.
    expect(verdict(history(op(0, 'write', 5, 0, null), op(1, 'cas', [5, 6], 1, 2)))).toBe('linearizable');
    expect(verdict(history(op(0, 'write', 5, 0, null), op(1, 'cas', [5, 6], 1, null), read(2, 6, 2, 3)))).toBe('linearizable');
  });

  it('never leaves out an ok write', () => {
    // Wrong rule: any unobserved write goes. Write 2 is never read, but it overwrote 1.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 3), read(2, 1, 4, 5)))).toBe('not-linearizable');
    // Same with an info write that did take effect before the read: it may also not have, so fine.
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, null), read(2, 1, 4, 5)))).toBe('linearizable');
  });

  it('a failed cas observes nothing: it did not happen', () => {
    // In this model `fail` means the cas never took effect, whatever the value was, so
    // dropping an info write can never flip it. Its expected value 1 is current here.
    expect(verdict(history(op(0, 'write', 1, 0, 1), fail(1, [1, 3], 2, 3), read(2, 1, 4, 5)))).toBe('linearizable');
    expect(verdict(history(op(0, 'write', 1, 0, 1), op(1, 'write', 4, 2, null), fail(2, [4, 3], 3, 4), read(3, 1, 5, 6)))).toBe('linearizable');
  });
});

describe('fifty processes on one key', () => {
  // The bench's histories (bench/check.ts): these ran out of a 60 s budget before tags.
  const bench = (corrupt: 'none' | 'stale-read') =>
    generateRegisterHistory({ seed: `bench-10000-50-1-${corrupt}`, ops: 10_000, processes: 50, keys: 1, corrupt, infoRate: 0.005 }).events;

  it('10k ops: decided in a few hundred thousand steps, both verdicts', () => {
    const ok = checkHistory(bench('none'), { model: 'register', maxSteps: 10_000_000 });
    expect(ok.verdict).toBe('linearizable');
    expect(ok.steps).toBeLessThan(500_000);
    const stale = checkHistory(bench('stale-read'), { model: 'register', maxSteps: 10_000_000 });
    expect(stale.verdict).toBe('not-linearizable');
  });
});
