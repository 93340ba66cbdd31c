/** Hard shapes for the search, the time and step budgets, and the cache bound. */
import { describe, expect, it, vi } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { generateRegisterHistory } from '../../src/check/generate.js';

const inv = (process: number, f: string, value: unknown, key?: string): RawEvent => ({ process, type: 'invoke', f, value, key });
const ok = (process: number, f: string, value: unknown, key?: string): RawEvent => ({ process, type: 'ok', f, value, key });

/** 40 concurrent writes and 40 concurrent reads each seeing some write, then a contradiction. */
function pathological(key?: string): RawEvent[] {
  const events: RawEvent[] = [];
  for (let p = 0; p < 40; p++) events.push(inv(p, 'write', p, key));
  for (let p = 40; p < 80; p++) events.push(inv(p, 'read', null, key));
  for (let p = 0; p < 40; p++) events.push(ok(p, 'write', p, key));
  for (let p = 40; p < 80; p++) events.push(ok(p, 'read', (p * 13) % 40, key));
  events.push(inv(0, 'read', null, key), ok(0, 'read', 3, key), inv(0, 'read', null, key), ok(0, 'read', 5, key), inv(0, 'read', null, key), ok(0, 'read', 3, key));
  return events;
}

describe('hard cases', () => {
  it('a chain of concurrent cas ops linearizes in the only possible order', () => {
    const n = 30;
    const events: RawEvent[] = [];
    // All invoked at once, completed in reverse; only the order 0->1->2->... works.
    for (let i = 0; i < n; i++) events.push(inv(i, 'cas', [i, i + 1]));
    events.push(inv(n, 'write', 0));
    events.push(ok(n, 'write', 0));
    for (let i = n - 1; i >= 0; i--) events.push(ok(i, 'cas', [i, i + 1]));
    events.push(inv(n, 'read', null), ok(n, 'read', n));
    expect(checkHistory(events, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('linearizable');
    // Reading a value in the middle of the chain after it completed is impossible.
    events[events.length - 1] = ok(n, 'read', n / 2);
    const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.prefixLength).toBe(n + 1);
    expect(result.counterexample?.impossible.map((o) => o.description)).toEqual([`read ${n / 2}`]);
  });

  it('long-pending info writes may take effect much later, or never', () => {
    const events: RawEvent[] = [inv(0, 'write', 1), { process: 0, type: 'info', f: 'write', value: 1 }, inv(1, 'write', 2), { process: 1, type: 'info', f: 'write', value: 2 }];
    for (let i = 0; i < 200; i++) events.push(inv(2, 'read', null), ok(2, 'read', null));
    events.push(inv(2, 'read', null), ok(2, 'read', 2), inv(2, 'read', null), ok(2, 'read', 1));
    expect(checkHistory(events, { model: 'register' }).verdict).toBe('linearizable');
    // But once 1 has been read after 2, 2 cannot come back.
    events.push(inv(2, 'read', null), ok(2, 'read', 2));
    expect(checkHistory(events, { model: 'register' }).verdict).toBe('not-linearizable');
  });

  it('many concurrent reads', () => {
    const events: RawEvent[] = [inv(0, 'write', 'a'), inv(1, 'write', 'b')];
    for (let p = 2; p < 60; p++) events.push(inv(p, 'read', null));
    for (let p = 2; p < 60; p++) events.push(ok(p, 'read', p % 3 === 0 ? 'a' : p % 3 === 1 ? 'b' : null));
    events.push(ok(0, 'write', 'a'), ok(1, 'write', 'b'));
    const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
    expect(result.verdict).toBe('linearizable');
    // a, b, null order: no order of two writes lets a read see null after a and b were both seen... unless null came first.
    events.push(inv(2, 'read', null), ok(2, 'read', null));
    expect(checkHistory(events, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('not-linearizable');
  });

  it('fifty processes on one key finish quickly, both verdicts', () => {
    for (const corrupt of ['none', 'bogus-read'] as const) {
      const { events } = generateRegisterHistory({ seed: 50, ops: 400, processes: 50, keys: 1, casRate: 0.2, corrupt });
      const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
      expect(result.verdict).toBe(corrupt === 'none' ? 'linearizable' : 'not-linearizable');
      // Quickly, counted in steps (2,835 for the linearizable one), not in time.
      expect(result.steps).toBeLessThan(30_000);
    }
  });

  it('fifty processes, one op each, all concurrent', () => {
    const events: RawEvent[] = [];
    const results: unknown[] = [];
    let current: number | null = null;
    for (let p = 0; p < 50; p++) {
      events.push(inv(p, p % 2 ? 'write' : 'read', p % 2 ? p : null));
      if (p % 2) current = p;
      results.push(current);
    }
    for (let p = 49; p >= 0; p--) events.push(ok(p, p % 2 ? 'write' : 'read', results[p]));
    expect(checkHistory(events, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('linearizable');
    events[events.length - 1] = ok(0, 'read', 7777);
    const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.impossible[0].description).toBe('read 7777');
  });

  it('a many-key history splits into parts and names the failing key', () => {
    const { events, corrupted } = generateRegisterHistory({ seed: 3, ops: 5000, processes: 20, keys: 200, corrupt: 'stale-read' });
    const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
    expect(result.parts).toBe(200);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.keys).toEqual([events[corrupted].key]);
    const clean = generateRegisterHistory({ seed: 3, ops: 5000, processes: 20, keys: 200 });
    expect(checkHistory(clean.events, { model: 'register' }).verdict).toBe('linearizable');
  });

  it('one hard part cannot hide a failing part elsewhere (round-robin)', () => {
    // Key "hard" comes first and alone takes far longer than the budget.
    const events = pathological('hard');
    // Key "easy": plainly broken, late in the file.
    events.push(inv(200, 'write', 1, 'easy'), ok(200, 'write', 1, 'easy'), inv(200, 'read', null, 'easy'), ok(200, 'read', 2, 'easy'));
    const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.keys).toEqual(['easy']);
    // One slice (2000 steps) of the hard part, then the easy one decides it all.
    expect(result.steps).toBeLessThanOrEqual(2 * 2000);
  });

  it('a pathological history with a tiny budget is unknown, never a guess', () => {
    const result = checkHistory(pathological(), { model: 'register', timeoutMs: 50 });
    expect(result.verdict).toBe('unknown');
    expect(result.counterexample).toBeUndefined();
    expect(result.wallMs).toBeLessThan(1000);
  });

  it('a step budget is deterministic: the same steps and the same unknown every time', () => {
    const first = checkHistory(pathological(), { model: 'register', maxSteps: 5000 });
    const second = checkHistory(pathological(), { model: 'register', maxSteps: 5000 });
    expect(first.verdict).toBe('unknown');
    expect(first.ranOut).toBe('steps');
    expect(first.steps).toBeGreaterThanOrEqual(5000);
    expect(first.steps).toBeLessThan(5000 + 2000);
    expect(second.steps).toBe(first.steps);
    expect(second.partResults).toEqual(first.partResults);
  });

  it('with a step budget alone the clock decides nothing, however slow the machine', () => {
    const { events } = generateRegisterHistory({ seed: 9, ops: 300, processes: 6, keys: 1, corrupt: 'none' });
    let fakeNow = 0;
    // Every clock read an hour later: any time budget would have run out at the first look.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (fakeNow += 3_600_000));
    try {
      expect(checkHistory(events, { model: 'register', maxSteps: 10_000_000, sliceSteps: 10 }).verdict).toBe('linearizable');
      expect(checkHistory(events, { model: 'register', timeoutMs: 1000, sliceSteps: 10 }).verdict).toBe('unknown');
    } finally {
      clock.mockRestore();
    }
  });

  it('an unknown verdict names the budget that ran out', () => {
    expect(checkHistory(pathological(), { model: 'register', timeoutMs: 50 }).ranOut).toBe('time');
    expect(checkHistory(pathological(), { model: 'register', timeoutMs: 60_000, maxSteps: 1000 }).ranOut).toBe('steps');
    expect(checkHistory(pathological('a').concat(pathological('b')), { model: 'register', maxSteps: 1000 }).partResults.map((p) => p.verdict)).toEqual(['unknown', 'unknown']);
  });

  it('a full cache keeps searching without memoizing and stays correct', () => {
    for (const corrupt of ['none', 'stale-read'] as const) {
      const { events } = generateRegisterHistory({ seed: 9, ops: 300, processes: 6, keys: 1, corrupt });
      const big = checkHistory(events, { model: 'register' });
      const tiny = checkHistory(events, { model: 'register', cacheBytes: 17 * 1024 });
      expect(tiny.verdict).toBe(big.verdict);
      expect(big.verdict).toBe(corrupt === 'none' ? 'linearizable' : 'not-linearizable');
      if (corrupt === 'none') expect(tiny.partResults[0].cacheFull).toBe(true);
    }
  });
});
