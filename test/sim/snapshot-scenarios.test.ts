import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { defineScenario, type Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

function traceOf(scenario: Scenario, seed: number) {
  const result = runScenario(scenario, { seed, trace: 'full' });
  const of = <K extends TraceEvent['k']>(k: K) => result.events.filter((e): e is Extract<TraceEvent, { k: K }> => e.k === k);
  return { result, of };
}

function builtIn(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
}

describe('snapshot scenarios', () => {
  it('snapshot-catchup: the cut-off follower is brought back by a snapshot, then applies entries after it; the history is linearizable', () => {
    const { result, of } = traceOf(builtIn('snapshot-catchup'), 1);
    expect(result.ok).toBe(true);
    expect(result.linearizability?.verdict).toBe('linearizable');
    const [install] = of('installSnapshot');
    expect(install).toBeDefined();
    expect(of('send').some((s) => s.type === 'snap' && s.to === install.node && s.t <= install.t)).toBe(true);
    expect(of('progressState').some((p) => p.peer === install.node && p.state === 'snapshot' && p.pendingSnapshot === install.index)).toBe(true);
    expect(of('apply').some((a) => a.node === install.node && a.from === install.index + 1 && a.t >= install.t)).toBe(true);
  });

  it('snapshot-crash: nodes compact, crash, and come back from their snapshots; every check holds', () => {
    for (const seed of [1, 2]) {
      const { result, of } = traceOf(builtIn('snapshot-crash'), seed);
      expect(result.ok).toBe(true);
      expect(of('snapshot').length).toBeGreaterThan(10);
      const snapshotBefore = (node: number, t: number) => of('snapshot').some((s) => s.node === node && s.t < t) || of('installSnapshot').some((s) => s.node === node && s.t < t);
      const bootsFromSnapshot = of('restart').filter((r) => snapshotBefore(r.node, r.t));
      expect(bootsFromSnapshot.length).toBeGreaterThan(0);
      expect(of('crash').some((c) => c.keptWrites !== undefined || c.torn)).toBe(true);
    }
  });

  it('the proposals workload compacts and catches up too: its plain log is snapshotted', () => {
    const scenario = defineScenario({
      name: 'proposals-snapshots',
      nodes: 3,
      durationMs: 4000,
      raft: { snapshotEntries: 10, snapshotCatchUpEntries: 2 },
      workload: { type: 'proposals', intervalMs: 10 },
      faults: [
        { at: 500, action: 'crash', node: 3 },
        { at: 2500, action: 'restart', node: 3 },
      ],
    });
    const { result, of } = traceOf(scenario, 1);
    expect(result.ok).toBe(true);
    expect(of('installSnapshot').map((i) => i.node)).toContain(3);
  });

  it('with snapshots off (the default), nothing is compacted and no snapshot is sent', () => {
    const { of } = traceOf(builtIn('crash-restart'), 1);
    expect(of('snapshot')).toEqual([]);
    expect(of('send').filter((s) => s.type === 'snap')).toEqual([]);
  });
});
