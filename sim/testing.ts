import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultScheduleArbitrary } from './arbitraries.js';
import { defineScenario, type FaultAction, type Scenario, type ScenarioInput, type WorkloadConfig } from './scenario.js';
import { runScenario, type RunResult } from './simulation.js';

export { faultActionArbitrary, faultScheduleArbitrary, nodeRefArbitrary, workloadArbitrary } from './arbitraries.js';
export { defineScenario } from './scenario.js';
export { runScenario } from './simulation.js';
export type { RunResult } from './simulation.js';
export type { Scenario, ScenarioInput } from './scenario.js';

/** One generated case: the seed, the fault schedule and the workload, before it is a scenario. */
export interface ClusterCase {
  readonly seed: number;
  readonly faults: FaultAction[];
  readonly workload: WorkloadConfig;
}

export interface ClusterPropertyOptions {
  /** Everything about the cluster that is not generated (name, nodes, durationMs, timing…). */
  readonly scenario: ScenarioInput;
  /** Fault schedules to try; default: up to 12 random faults over the run. */
  readonly faults?: fc.Arbitrary<FaultAction[]>;
  /** Workloads to try; default: the scenario's own workload, always. */
  readonly workload?: fc.Arbitrary<WorkloadConfig>;
  /**
   * What must hold of every run. Return false or throw (an `expect`) to fail it; the
   * default asks that every invariant and every end-of-run check held.
   */
  readonly check?: (result: RunResult, scenario: Scenario) => boolean | void;
  readonly numRuns?: number;
  /** Where the repro scenario of a failure is written (default: the system's temp dir). */
  readonly reproDir?: string;
  /** fast-check's own seed, for replaying the property itself. */
  readonly propertySeed?: number;
}

/** The default check: the run held every invariant, liveness and the checks of its history. */
export function everyCheckHolds(result: RunResult): boolean {
  return result.ok;
}

/**
 * Asserts a property over generated cluster runs, in a few lines inside a vitest `it`:
 *
 *     clusterProperty({ scenario: { name: 'mine', nodes: 5, durationMs: 4000 } });
 *
 * fast-check draws a seed, a fault schedule and a workload, runs the simulation and
 * shrinks a failure to a small schedule. The thrown error names the failing case,
 * writes it as a scenario file and prints the `raftsim run` command that replays it.
 */
export function clusterProperty(options: ClusterPropertyOptions): void {
  const base = defineScenario(options.scenario);
  const check = options.check ?? everyCheckHolds;
  const caseArbitrary = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    faults: options.faults ?? faultScheduleArbitrary(base.nodes, base.durationMs),
    workload: options.workload ?? fc.constant(base.workload),
  });
  const details = fc.check(
    fc.property(caseArbitrary, (generated) => {
      const scenario = scenarioOf(base, generated);
      const outcome = check(runScenario(scenario, { seed: generated.seed, trace: 'off' }), scenario);
      return outcome !== false;
    }),
    { numRuns: options.numRuns ?? 50, ...(options.propertySeed === undefined ? {} : { seed: options.propertySeed }) },
  );
  if (!details.failed || details.counterexample === null) {
    if (details.interrupted) throw new Error('clusterProperty: interrupted before it could finish');
    return;
  }
  const [generated] = details.counterexample;
  const scenario = scenarioOf(base, generated);
  const file = writeRepro(scenario, generated.seed, options.reproDir ?? tmpdir());
  const result = runScenario(scenario, { seed: generated.seed, trace: 'off' });
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : 'the check returned false';
  const violations = result.violations.map((v) => `  ${v.invariant} at ${v.time} ms: ${v.message}`).join('\n');
  throw new Error(
    [
      `cluster property failed after ${details.numRuns} runs (shrunk ${details.numShrinks} times): seed ${generated.seed}, ${generated.faults.length} faults, ${generated.workload.type} workload`,
      cause,
      ...(violations ? [violations] : []),
      `replay it: raftsim run ${file} --seed ${generated.seed} --trace failure.json`,
      `property seed ${details.seed} (propertySeed) replays the whole property`,
    ].join('\n'),
  );
}

function scenarioOf(base: Scenario, generated: ClusterCase): Scenario {
  return { ...base, faults: generated.faults.filter((fault) => fault.at <= base.durationMs), workload: generated.workload };
}

function writeRepro(scenario: Scenario, seed: number, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `raftsim-property-${scenario.name}-seed-${seed}.json`);
  writeFileSync(file, `${JSON.stringify(scenario, null, 2)}\n`);
  return file;
}
