import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

/** A built-in scenario's full trace for one seed, and a filter by kind. */
function traceOf(name: string, seed = 1) {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const result = runScenario(scenario, { seed, trace: 'full' });
  const of = <K extends TraceEvent['k']>(k: K) => result.events.filter((e): e is Extract<TraceEvent, { k: K }> => e.k === k);
  return { result, of };
}

describe('the scenario library shows what it says', () => {
  it('figure-8: the leader crashes twenty times, and leadership changes hands again and again', () => {
    const { result } = traceOf('figure-8');
    expect(result.faults.filter((f) => f.action === 'crash')).toHaveLength(20);
    expect(result.stats.leaderChanges).toBeGreaterThanOrEqual(15);
  });

  it('disruptive-rejoin: without PreVote, the rejoining node deposes a healthy leader with its higher term', () => {
    const { of } = traceOf('disruptive-rejoin');
    const heals = of('partition').filter((p) => p.cuts.length === 0 && p.t > 0);
    const deposed = heals.some((heal) => of('state').some((s) => s.t >= heal.t && s.t < heal.t + 100 && s.role === 'follower' && of('state').some((l) => l.node === s.node && l.role === 'leader' && l.t < heal.t)));
    expect(deposed).toBe(true);
  });

  it('crash-all: all five nodes go down at the same moment, three times', () => {
    const { of } = traceOf('crash-all');
    const byTime = new Map<number, number>();
    for (const crash of of('crash')) byTime.set(crash.t, (byTime.get(crash.t) ?? 0) + 1);
    expect([...byTime.values()]).toEqual([5, 5, 5]);
  });

  it('bridge: the halves are cut apart while the bridge node reaches both', () => {
    const { result } = traceOf('bridge');
    const bridges = result.faults.filter((f) => f.action === 'cuts');
    expect(bridges).toHaveLength(3);
  });

  it('lost-fsync and torn-write: some crashes keep unsynced writes, some tear one', () => {
    const crashes = [1, 2, 3].flatMap((seed) => [...traceOf('lost-fsync', seed).of('crash'), ...traceOf('torn-write', seed).of('crash')]);
    expect(crashes.some((c) => (c.keptWrites ?? 0) > 0)).toBe(true);
    expect(crashes.some((c) => c.torn === true)).toBe(true);
  });

  it('clock-skew: clocks drift fast and slow, and every read stays linearizable', () => {
    const { result, of } = traceOf('clock-skew');
    const rates = of('clock').map((c) => c.rate);
    expect(rates.some((r) => r > 1)).toBe(true);
    expect(rates.some((r) => r < 1)).toBe(true);
    expect(result.linearizability?.verdict).toBe('linearizable');
  });

  it('asymmetric-partition: one-way cuts, so some links are cut in one direction only', () => {
    const { of } = traceOf('asymmetric-partition');
    const oneWay = of('partition').some((p) => p.cuts.some(([a, b]) => !p.cuts.some(([c, d]) => c === b && d === a)));
    expect(oneWay).toBe(true);
  });
});
