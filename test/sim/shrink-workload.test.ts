import { describe, expect, it } from 'vitest';
import { defineScenario, type Scenario, type WorkloadConfig } from '../../sim/scenario.js';
import { simplifyWorkload } from '../../sim/shrink-workload.js';

const watching = defineScenario({ name: 'w', durationMs: 4000, workload: { type: 'watch', clients: 2, keys: 4, watchers: 2 } });

/** Runs the simplification against a stand-in for the simulator: `fails` says which workloads still fail. */
function simplify(scenario: Scenario, check: string, fails: (workload: WorkloadConfig) => boolean): { tried: WorkloadConfig[]; kept: WorkloadConfig } {
  let current = scenario;
  const tried: WorkloadConfig[] = [];
  simplifyWorkload(() => current, check, (candidate) => {
    tried.push(candidate.workload);
    if (!fails(candidate.workload)) return false;
    current = candidate;
    return true;
  });
  return { tried, kept: current.workload };
}

describe('a simpler workload for a shrunk repro', () => {
  it('replaces the clients by plain proposals when Raft itself failed, and stops there', () => {
    const { tried, kept } = simplify(watching, 'commit-rule', () => true);
    expect(tried).toEqual([{ type: 'proposals', intervalMs: 50 }]);
    expect(kept).toEqual({ type: 'proposals', intervalMs: 50 });
  });

  it('never drops the clients a client check judged; drops the watchers, slows the clients while it fails, then the fewest keys', () => {
    const { tried, kept } = simplify(watching, 'linearizability', (w) => w.type !== 'proposals' && (!('thinkMs' in w) || w.thinkMs <= 160));
    expect(tried.some((w) => w.type === 'proposals')).toBe(false);
    expect(tried[0]).toMatchObject({ type: 'kv', clients: 2, keys: 4, serializableShare: 0 });
    expect(tried.slice(1, 5).map((w) => ('thinkMs' in w ? w.thinkMs : 0))).toEqual([40, 80, 160, 320]);
    expect(tried[5]).toMatchObject({ type: 'kv', thinkMs: 160, keys: 2 });
    expect(tried).toHaveLength(6);
    expect(kept).toEqual({ type: 'kv', clients: 2, thinkMs: 160, timeoutMs: 500, keys: 2, hotKeyShare: 0, serializableShare: 0 });
  });

  it('keeps the watchers when the watch check failed, and a register workload down to one key', () => {
    expect(simplify(watching, 'watch', () => false).tried.every((w) => w.type === 'watch')).toBe(true);
    const register = defineScenario({ name: 'r', durationMs: 300, workload: { type: 'register', clients: 3, thinkMs: 100, keys: 3 } });
    // A pause over half the run is not tried: 200 ms of 300.
    expect(simplify(register, 'linearizability', () => true).tried).toEqual([{ type: 'register', clients: 3, thinkMs: 100, timeoutMs: 500, keys: 1, hotKeyShare: 0 }]);
  });

  it('leaves a workload without clients alone', () => {
    expect(simplify(defineScenario({ name: 'p', workload: { type: 'proposals' } }), 'commit-rule', () => true).tried).toEqual([]);
  });
});
