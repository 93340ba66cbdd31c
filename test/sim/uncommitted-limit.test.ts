/**
 * raft.maxUncommittedBytes (etcd's MaxUncommittedEntriesSize) under the simulator: a leader cut
 * off from its quorum, without CheckQuorum to make it step down, goes on taking proposals it can
 * never commit. With the limit its log stops growing; the run stays safe and live either way.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

function isolatedLeader(maxUncommittedBytes: number) {
  const scenario = defineScenario({
    name: 'isolated-leader',
    nodes: 5,
    workload: { type: 'proposals', intervalMs: 10 },
    faults: [
      { at: 1000, action: 'isolate', node: 'leader' },
      { at: 3000, action: 'heal' },
    ],
    raft: { maxUncommittedBytes },
    durationMs: 4000,
  });
  const result = runScenario(scenario, { seed: 3, trace: 'full' });
  const cut = result.events.find((e): e is Extract<TraceEvent, { k: 'partition' }> => e.k === 'partition' && e.label.startsWith('isolate'));
  const node = Number(cut?.label.split(' ')[1]);
  const proposals = result.events.filter((e): e is Extract<TraceEvent, { k: 'propose' }> => e.k === 'propose' && e.node === node && e.t > 1000 && e.t < 3000);
  return {
    result,
    appended: proposals.filter((p) => p.result.startsWith('appended')),
    dropped: proposals.filter((p) => p.result === 'dropped: uncommitted limit').length,
  };
}

describe('the uncommitted limit in a run', () => {
  it('stops a cut-off leader from growing its log, and changes nothing about safety or recovery', () => {
    const limited = isolatedLeader(40);
    const unlimited = isolatedLeader(0);
    for (const run of [limited, unlimited]) expect(run.result.violations).toEqual([]);
    // Each payload is a few characters ("p123"): 40 bytes hold about ten of them.
    const bytes = limited.appended.reduce((sum, p) => sum + p.data.length, 0);
    expect(bytes).toBeLessThanOrEqual(40 + 8);
    expect(limited.dropped).toBeGreaterThan(10);
    expect(unlimited.dropped).toBe(0);
    expect(unlimited.appended.length).toBeGreaterThan(limited.appended.length * 2);
  });
});
