import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';
import { firstDivergence } from '../../sim/trace.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';

const nemesis = findScenario('nemesis')!;

describe('determinism', () => {
  it('gives the same trace for the same seed, event by event', () => {
    const a = runScenario(nemesis, { seed: 11, trace: 'full' });
    const b = runScenario(nemesis, { seed: 11, trace: 'full' });
    expect(a.traceHash).toBe(b.traceHash);
    expect(firstDivergence(a.events, b.events)).toBe(-1);
    expect(a.events.length).toBeGreaterThan(1000);
  });

  it('gives different traces for different seeds', () => {
    const hashes = new Set([1, 2, 3, 4, 5].map((seed) => runScenario(nemesis, { seed }).traceHash));
    expect(hashes.size).toBe(5);
  });

  it('gives the same trace hash in separate processes as in this one', () => {
    ensureBuilt();
    const runInChild = () =>
      JSON.parse(execFileSync('node', [RAFTSIM, 'run', 'nemesis', '--seed', '23', '--json'], { encoding: 'utf8' })).traceHash;
    const first = runInChild();
    expect(runInChild()).toBe(first);
    expect(runScenario(nemesis, { seed: 23 }).traceHash).toBe(first);
  });

  it('hashes the same whether or not the events are kept', () => {
    expect(runScenario(nemesis, { seed: 4, trace: 'hash' }).traceHash).toBe(runScenario(nemesis, { seed: 4, trace: 'full' }).traceHash);
  });

  it('behaves the same with tracing off: same outcome and statistics', () => {
    const off = runScenario(nemesis, { seed: 8, trace: 'off' });
    const on = runScenario(nemesis, { seed: 8, trace: 'full' });
    const { wallMs: _a, checkMs: _c, ...offStats } = off.stats;
    const { wallMs: _b, checkMs: _d, ...onStats } = on.stats;
    expect(offStats).toEqual(onStats);
  });

  it('checks the history within a step budget: a slow machine gets the same verdict, a tiny budget says unknown', () => {
    const fast = runScenario(nemesis, { seed: 6, trace: 'off' });
    // More than one slice of search (2000 steps), so a time budget would be consulted.
    expect(fast.linearizability?.steps).toBeGreaterThan(2000);
    let fakeNow = 0;
    // Every clock read an hour later: a time budget would run out at once.
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => (fakeNow += 3_600_000));
    try {
      const slow = runScenario(nemesis, { seed: 6, trace: 'off' });
      expect(slow.linearizability?.verdict).toBe('linearizable');
      expect(slow.linearizability?.steps).toBe(fast.linearizability?.steps);
      const starved = runScenario(nemesis, { seed: 6, trace: 'off', checkSteps: 10 });
      expect(starved.linearizability?.verdict).toBe('unknown');
      expect(starved.ok).toBe(true);
    } finally {
      clock.mockRestore();
    }
  });
});
