import { describe, expect, it } from 'vitest';
import { scenarios } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';

const SEEDS = Array.from({ length: 12 }, (_, i) => i + 1);

// A scenario that fails by design (expectFailure) is held to failing instead, below.
const passing = scenarios.filter((scenario) => scenario.expectFailure === undefined);
const failing = scenarios.filter((scenario) => scenario.expectFailure !== undefined);

describe.each(failing.map((scenario) => [scenario.name, scenario] as const))('scenario %s (expected to fail)', (_name, scenario) => {
  it('fails on seed 1, as its expectFailure says', () => {
    const result = runScenario(scenario, { seed: 1, trace: 'off' });
    expect(result.violations.length).toBeGreaterThan(0);
    expect(scenario.expectFailure).toContain(result.violations[0].invariant);
  });
});

describe.each(passing.map((scenario) => [scenario.name, scenario] as const))('scenario %s', (_name, scenario) => {
  it('holds every invariant and recovers after healing, on seeds 1..12', () => {
    for (const seed of SEEDS) {
      const result = runScenario(scenario, { seed, trace: 'off' });
      expect(result.violations, `seed ${seed}`).toEqual([]);
      expect(result.stats.committed, `seed ${seed}`).toBeGreaterThan(10);
    }
  });
});
