/**
 * Two builds of the simulator in one process, seed by seed, alternating which goes first:
 * the machine drifting (by a fifth between processes here, and within one) hits both
 * alike, so the per-seed ratios show what a change did. Both are warmed up first, since a
 * fresh build runs its first seeds several times slower.
 */
import type { Scenario, ScenarioInput } from '../sim/scenario.js';
import type { RunOptions, RunResult } from '../sim/simulation.js';

/** What the comparison needs of each build. */
export interface SimulatorBuild {
  readonly findScenario: (name: string) => Scenario | undefined;
  readonly defineScenario: (input: ScenarioInput) => Scenario;
  readonly runScenario: (scenario: Scenario, options: RunOptions) => RunResult;
}

export interface Comparison {
  readonly scenario: string;
  readonly raftAlone: boolean;
  readonly seeds: number;
  /** Per seed, the base's time over the current build's: above 1, the current build is faster. */
  readonly median: number;
  readonly lowerQuartile: number;
  readonly upperQuartile: number;
  readonly baseEventsPerSecond: number;
  readonly currentEventsPerSecond: number;
  /** Seeds whose events, outcome or violations differ between the builds (a change of behaviour, not of speed). */
  readonly differingSeeds: readonly number[];
}

export interface CompareOptions {
  readonly scenario: string;
  /** The scenario with proposals instead of its clients: the Raft layer without the KV store. */
  readonly raftAlone: boolean;
  readonly seeds: number;
  readonly warmUpSeeds: number;
  /** Count the end-of-run history checks too (by default only the simulating time counts). */
  readonly checks: boolean;
}

export function compareBuilds(base: SimulatorBuild, current: SimulatorBuild, options: CompareOptions): Comparison {
  const builds = [base, current].map((build) => ({ build, scenario: scenarioOf(build, options) }));
  for (let seed = 1001; seed < 1001 + options.warmUpSeeds; seed++) for (const { build, scenario } of builds) build.runScenario(scenario, { seed, trace: 'off' });
  const ratios: number[] = [];
  const totals = builds.map(() => ({ ms: 0, events: 0 }));
  const differingSeeds: number[] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    const order = seed % 2 === 1 ? [0, 1] : [1, 0];
    const results: RunResult[] = [];
    for (const i of order) results[i] = builds[i].build.runScenario(builds[i].scenario, { seed, trace: 'off' });
    const ms = results.map(({ stats }) => (options.checks ? stats.wallMs : stats.wallMs - stats.checkMs));
    results.forEach(({ stats }, i) => {
      totals[i].ms += ms[i];
      totals[i].events += stats.events;
    });
    ratios.push(ms[0] / ms[1]);
    if (behaviourOf(results[0]) !== behaviourOf(results[1])) differingSeeds.push(seed);
  }
  ratios.sort((a, b) => a - b);
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))];
  const rate = (i: number) => (totals[i].events / totals[i].ms) * 1000;
  return {
    scenario: options.scenario,
    raftAlone: options.raftAlone,
    seeds: options.seeds,
    median: at(0.5),
    lowerQuartile: at(0.25),
    upperQuartile: at(0.75),
    baseEventsPerSecond: rate(0),
    currentEventsPerSecond: rate(1),
    differingSeeds,
  };
}

function scenarioOf(build: SimulatorBuild, options: CompareOptions): Scenario {
  const scenario = build.findScenario(options.scenario);
  if (!scenario) throw new Error(`no scenario ${options.scenario} in one of the builds`);
  return options.raftAlone ? build.defineScenario({ ...scenario, name: `${scenario.name}-raft-alone`, workload: { type: 'proposals' } }) : scenario;
}

/** What a run did, wall times left out. */
function behaviourOf({ ok, violations, stats }: RunResult): string {
  const { wallMs: _wallMs, checkMs: _checkMs, ...rest } = stats;
  return JSON.stringify({ ok, violations, rest });
}
