import type { BugName } from '../../src/bugs.js';
import type { Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import { toTraceFile, type TraceFile } from '../../sim/trace-file.js';
import { experimentScenario, type Experiment } from './experiment.js';

export interface ExperimentRun {
  readonly scenario: Scenario;
  readonly trace: TraceFile;
  /** Wall time of the run in this page (it decides nothing). */
  readonly wallMs: number;
}

/** The very simulator `raftsim run` runs, here in the page: same scenario and seed, same trace hash. */
export function runExperiment(base: Scenario, experiment: Experiment, bug?: BugName): ExperimentRun {
  const scenario = experimentScenario(base, experiment);
  const result = runScenario(scenario, { seed: experiment.seed, trace: 'full', ...(bug ? { bug } : {}) });
  return { scenario, trace: toTraceFile(scenario, result), wallMs: result.stats.wallMs };
}
