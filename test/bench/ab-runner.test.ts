import { describe, expect, it } from 'vitest';
import { compareBuilds, type SimulatorBuild } from '../../bench/ab-runner.js';
import { findScenario } from '../../scenarios/index.js';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';

const build: SimulatorBuild = { findScenario, defineScenario, runScenario };
const options = { scenario: 'happy', raftAlone: true, seeds: 4, warmUpSeeds: 1, checks: false };

describe('comparing two builds seed by seed', () => {
  it('finds a build the same as itself in behaviour, and reports a ratio per seed', () => {
    const c = compareBuilds(build, build, options);
    expect(c.differingSeeds).toEqual([]);
    expect(c.lowerQuartile).toBeLessThanOrEqual(c.median);
    expect(c.median).toBeLessThanOrEqual(c.upperQuartile);
    expect(c.baseEventsPerSecond).toBeGreaterThan(0);
  });

  it('names the seeds on which the builds behave differently', () => {
    // A "build" whose runs come out one event longer on even seeds stands for a change of behaviour.
    const changed: SimulatorBuild = {
      ...build,
      runScenario: (scenario, run) => {
        const result = runScenario(scenario, run);
        return run.seed % 2 === 0 ? { ...result, stats: { ...result.stats, events: result.stats.events + 1 } } : result;
      },
    };
    expect(compareBuilds(build, changed, options).differingSeeds).toEqual([2, 4]);
  });

  it('compares the Raft layer alone when asked: the clients are replaced by proposals', () => {
    const seen: string[] = [];
    const watching: SimulatorBuild = { ...build, runScenario: (scenario, run) => (seen.push(scenario.workload.type), runScenario(scenario, run)) };
    compareBuilds(watching, watching, { ...options, scenario: 'nemesis', seeds: 1 });
    expect(new Set(seen)).toEqual(new Set(['proposals']));
  });
});
