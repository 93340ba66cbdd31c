import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
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
});
