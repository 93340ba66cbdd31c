import type { BugName } from '../src/bugs.js';
import type { InvariantName } from './invariants.js';
import type { Scenario } from './scenario.js';
import { runScenario } from './simulation.js';

export interface BugHunt {
  readonly bug: BugName;
  readonly scenario: string;
  /** The first failing seed, or null when every seed up to the cap passed. */
  readonly seed: number | null;
  /** How many seeds ran, the failing one included. */
  readonly seedsRun: number;
  /** The check that caught the bug: the first violation of the failing seed. */
  readonly caughtBy: InvariantName | null;
  readonly message: string | null;
  readonly wallMs: number;
}

/** Sweeps `scenario` with `bug` switched on from `fromSeed` until the first failing seed, at most `maxSeeds` seeds. */
export function huntBug(scenario: Scenario, bug: BugName, maxSeeds: number, fromSeed = 1): BugHunt {
  // The hunt's wall time is its runs' (each measures its own): no clock is read here.
  let wallMs = 0;
  for (let seed = fromSeed; seed < fromSeed + maxSeeds; seed++) {
    // A buggy run's history can be hard to refute; past the check's step budget the verdict is
    // unknown (never a false catch), and the hunt goes on to the next seed.
    const result = runScenario(scenario, { seed, trace: 'off', bug });
    wallMs += result.stats.wallMs;
    if (!result.ok) {
      const first = result.violations[0];
      return { bug, scenario: scenario.name, seed, seedsRun: seed - fromSeed + 1, caughtBy: first.invariant, message: first.message, wallMs };
    }
  }
  return { bug, scenario: scenario.name, seed: null, seedsRun: maxSeeds, caughtBy: null, message: null, wallMs };
}
