import { describe, expect, it } from 'vitest';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

/** How the run's client operations spread over keys: the share of the busiest key. */
function busiestKeyShare(hotKeyShare: number): number {
  const scenario = defineScenario({ name: 'keys', nodes: 3, durationMs: 2000, workload: { type: 'register', clients: 4, keys: 5, hotKeyShare } });
  const keys = runScenario(scenario, { seed: 3, trace: 'off' }).history.filter((e) => e.type === 'invoke').map((e) => e.key);
  const counts = new Map<string | undefined, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return Math.max(...counts.values()) / keys.length;
}

describe('the key distribution', () => {
  it('is uniform by default, and sends hotKeyShare of the operations to one hot key', () => {
    expect(busiestKeyShare(0)).toBeLessThan(0.3);
    // 0.8 to the hot key, plus its fair share of the other 0.2.
    expect(busiestKeyShare(0.8)).toBeGreaterThan(0.78);
  });
});
