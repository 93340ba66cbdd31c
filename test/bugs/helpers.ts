import { expect } from 'vitest';
import type { BugName } from '../../src/bugs.js';
import { huntBug, type BugHunt } from '../../sim/bug-hunt.js';
import type { InvariantName } from '../../sim/invariants.js';
import type { Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

export interface CatchExpectation {
  readonly bug: BugName;
  readonly scenario: Scenario;
  /** Seeds 1..budget are swept; seeds are deterministic, so so is the first failure. */
  readonly budget: number;
  /** The check that must be the first to fail. */
  readonly caughtBy: InvariantName;
}

/**
 * Sweeps the scenario with the bug on from seed 1 until the first failure, and asserts
 * that it came within the budget, from the expected check, and that the failing seed
 * passes with the bug off: the bug, not the seed, is what fails.
 */
export function expectCaught({ bug, scenario, budget, caughtBy }: CatchExpectation): BugHunt {
  const hunt = huntBug(scenario, bug, budget);
  expect(hunt.seed, `${bug} not caught by ${scenario.name} within ${budget} seeds`).not.toBeNull();
  expect(hunt.caughtBy, `${bug}, seed ${hunt.seed}: ${hunt.message}`).toBe(caughtBy);
  const clean = runScenario(scenario, { seed: hunt.seed!, trace: 'off' });
  expect(clean.violations, `${scenario.name} seed ${hunt.seed} without a bug`).toEqual([]);
  return hunt;
}
