/**
 * A bug switch changes nothing while it is off: runs with the bug plumbing present hash
 * exactly as they did before it existed. The hashes below were printed by
 * `node dist/raftsim.js run <scenario> --seed N --json` on a build without src/bugs.ts
 * (commit be4b1ee), and re-recorded since after deliberate changes of behaviour elsewhere
 * (range reads, the client's stale backoff, stale append answers, the swarm nemesis, the
 * crash-voter trap, batched proposals, the client's turn past servers that name each other, a read taking an answer to an earlier send of itself), on trees whose bug switches read only as before when off. A deliberate change moves them.
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
  [builtIn('happy'), 1, 'fd686d28622679de'],
  [builtIn('leader-crash'), 2, '82cf5413010ce72e'],
  [builtIn('partition-minority'), 1, '61ca433735363e9c'],
  [builtIn('flaky-network'), 3, '22029746708c0ea7'],
  [builtIn('crash-restart'), 1, '5822370af8a196da'],
  [builtIn('stale-read'), 2, '91cc429bfd27066c'],
  [builtIn('lease-expiry'), 1, 'd8dc52ffaaa090aa'],
  [builtIn('nemesis'), 1, '062b1ba8ec456e57'],
  [builtIn('nemesis'), 2, 'a61b498780ba8643'],
  [watchRun, 1, '17d6eded65855536'],
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
    expect(result.traceHash).not.toBe('d4d9cd6cfd89da22');
  });
});
