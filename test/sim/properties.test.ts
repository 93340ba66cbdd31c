import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultScheduleArbitrary } from '../../sim/arbitraries.js';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

describe('every invariant holds under random fault schedules', () => {
  for (const nodes of [3, 5]) {
    it(`on ${nodes} nodes`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 2 ** 31 }), faultScheduleArbitrary(nodes, 4000), (seed, faults) => {
          const scenario = defineScenario({ name: 'property', nodes, durationMs: 4000, faults, livenessMs: 4000 });
          const result = runScenario(scenario, { seed, trace: 'off' });
          expect(result.violations).toEqual([]);
        }),
        { numRuns: 60 },
      );
    });
  }
});
