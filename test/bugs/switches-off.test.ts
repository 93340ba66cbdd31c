/**
 * A bug switch changes nothing while it is off: runs with the bug plumbing present hash
 * exactly as they did before it existed. The hashes below were printed by
 * `node dist/raftsim.js run <scenario> --seed N --json` on a build without src/bugs.ts
 * (commit be4b1ee); a deliberate change of behaviour elsewhere moves them, and then they
 * are re-recorded, on a tree whose bug switches are untouched.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { defineScenario, type Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

const nemesisFaults = ['partition', 'isolate', 'crash', 'pause', 'flaky'] as const;
const watchRun = defineScenario({
  name: 'watch-baseline',
  nodes: 5,
  durationMs: 6000,
  workload: { type: 'watch', clients: 3, watchers: 2 },
  nemesis: { intervalMs: 700, faults: [...nemesisFaults] },
});
const proposalsRun = defineScenario({
  name: 'proposals-baseline',
  nodes: 5,
  durationMs: 6000,
  workload: { type: 'proposals', intervalMs: 50 },
  nemesis: { intervalMs: 700, faults: [...nemesisFaults] },
});

const RECORDED: readonly [scenario: Scenario, seed: number, traceHash: string][] = [
  [builtIn('happy'), 1, '82588f0bca4d91e3'],
  [builtIn('leader-crash'), 2, '5bd7839189e595b4'],
  [builtIn('partition-minority'), 1, '38939dbd2a1f9d50'],
  [builtIn('flaky-network'), 3, '011e50d868f8cbc7'],
  [builtIn('crash-restart'), 1, '1309d022dc041d2c'],
  [builtIn('stale-read'), 2, '20802013e35be91f'],
  [builtIn('lease-expiry'), 1, 'e15b48128c63e618'],
  [builtIn('nemesis'), 1, '03de4e085eb384cf'],
  [builtIn('nemesis'), 2, '1d0afa132b6c9e07'],
  [watchRun, 1, 'ec1ed83a2163e3ed'],
  [proposalsRun, 2, 'a0cc1623a82f1764'],
];

function builtIn(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no built-in scenario ${name}`);
  return scenario;
}

describe('with no --bug, every run is exactly as before the bug switches existed', () => {
  it.each(RECORDED.map(([scenario, seed, hash]) => [scenario.name, seed, hash, scenario] as const))(
    '%s seed %i hashes %s',
    (_name, seed, hash, scenario) => {
      const result = runScenario(scenario, { seed, trace: 'hash' });
      expect(result.traceHash).toBe(hash);
      expect(result.ok).toBe(true);
      expect(result.bug).toBeUndefined();
    },
  );

  it('a switched-on bug does change the run (the comparison can fail)', () => {
    const result = runScenario(builtIn('nemesis'), { seed: 1, trace: 'hash', bug: 'fixed-election-timeout' });
    expect(result.traceHash).not.toBe('03de4e085eb384cf');
  });
});
