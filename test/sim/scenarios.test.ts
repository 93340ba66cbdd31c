import { describe, expect, it } from 'vitest';
import { scenarios } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

describe.each(scenarios.map((scenario) => [scenario.name, scenario] as const))('scenario %s', (_name, scenario) => {
  it('holds every invariant and recovers after healing, on seeds 1..12', () => {
    for (const seed of SEEDS) {
      const result = runScenario(scenario, { seed, trace: 'off' });
      expect(result.violations, `seed ${seed}`).toEqual([]);
      expect(result.stats.committed, `seed ${seed}`).toBeGreaterThan(10);
    }
  });
});
