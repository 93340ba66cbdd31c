/**
 * What one row of the simulation benchmark measures, run in a fresh worker thread so no
 * row inherits another's JIT state (a sweep, too, runs one scenario per process), and
 * warmed on seeds it does not count, as a long sweep is.
 */
import { findScenario } from '../scenarios/index.js';
import { EventQueue } from '../sim/event-queue.js';
import { RandomStream } from '../sim/random.js';
import { defineScenario, type Scenario, type ScenarioInput } from '../sim/scenario.js';
import { runScenario } from '../sim/simulation.js';
import { sweepSeeds } from '../sim/sweep.js';
import type { TraceLevel } from '../sim/trace.js';

/** A built-in scenario, with some fields replaced (a variant such as "nemesis on 7 nodes"). */
export interface ScenarioRef {
  readonly name: string;
  readonly change?: Omit<Partial<ScenarioInput>, 'name'>;
}

export type Task =
  | { readonly kind: 'bare'; readonly events: number }
  | { readonly kind: 'runs'; readonly scenario: ScenarioRef; readonly seeds: number; readonly trace: TraceLevel }
  | { readonly kind: 'memory'; readonly scenario: ScenarioRef; readonly trace: TraceLevel }
  | { readonly kind: 'sweep'; readonly scenario: ScenarioRef; readonly seeds: number; readonly workers: number; readonly workerUrl: string };

export interface Runs {
  /** The bare loop in the same thread, just before and after the runs: the row's own ceiling, immune to drift between rows. */
  readonly bareEventsPerSecond: number;
  readonly events: number;
  readonly wallMs: number;
  /** Of `wallMs`, the end-of-run history checks. */
  readonly checkMs: number;
  readonly simulatedMs: number;
  readonly seeds: number;
}

export type TaskResult =
  | { readonly kind: 'bare'; readonly eventsPerSecond: number }
  | ({ readonly kind: 'runs' } & Runs)
  | { readonly kind: 'memory'; readonly heapMb: number }
  | { readonly kind: 'sweep'; readonly seedsPerSecond: number };

const BARE_EVENTS_PER_ROW = 2_000_000;

/** Seeds a row warms on before it counts: far from the counted ones, so none is measured cold. */
const WARM_UP_SEEDS = [1001, 1002, 1003];

export async function runTask(task: Task): Promise<TaskResult> {
  switch (task.kind) {
    case 'bare':
      return { kind: 'bare', eventsPerSecond: bareLoop(task.events) };
    case 'runs': {
      const scenario = resolve(task.scenario);
      for (const seed of WARM_UP_SEEDS) runScenario(scenario, { seed, trace: task.trace });
      const before = bareLoop(BARE_EVENTS_PER_ROW);
      const runs = measureRuns(scenario, task.seeds, task.trace);
      const after = bareLoop(BARE_EVENTS_PER_ROW);
      return { kind: 'runs', bareEventsPerSecond: (before + after) / 2, ...runs };
    }
    case 'memory':
      return { kind: 'memory', heapMb: memoryPerRun(resolve(task.scenario), task.trace) };
    case 'sweep': {
      const scenario = resolve(task.scenario);
      const started = performance.now();
      await sweepSeeds({ scenario }, { from: 1, to: task.seeds }, { workers: task.workers, workerUrl: new URL(task.workerUrl) });
      return { kind: 'sweep', seedsPerSecond: task.seeds / ((performance.now() - started) / 1000) };
    }
  }
}

function resolve(ref: ScenarioRef): Scenario {
  const scenario = findScenario(ref.name);
  if (!scenario) throw new Error(`no scenario ${ref.name}`);
  return ref.change ? defineScenario({ ...scenario, ...ref.change, name: `${ref.name}-variant` }) : scenario;
}

/** Events per second of a loop that does what the simulator's loop does, minus the simulation. */
function bareLoop(events: number): number {
  const queue = new EventQueue<{ node: number }>();
  const random = new RandomStream(1, 'bench');
  let sink = 0;
  const handle = (item: { node: number }) => {
    sink += item.node;
  };
  for (let node = 0; node < 64; node++) queue.push(random.int(0, 10), { node });
  const run = (count: number) => {
    for (let i = 0; i < count; i++) {
      const next = queue.pop()!;
      handle(next);
      queue.push(queue.poppedTime + 1 + random.int(0, 9), next);
    }
  };
  run(events / 10);
  const started = performance.now();
  run(events);
  const ms = performance.now() - started;
  if (sink < 0) console.log(sink);
  return events / (ms / 1000);
}

function measureRuns(scenario: Scenario, seeds: number, trace: TraceLevel): Omit<Runs, 'bareEventsPerSecond'> {
  let events = 0;
  let checkMs = 0;
  let simulatedMs = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const { stats } = runScenario(scenario, { seed, trace });
    events += stats.events;
    checkMs += stats.checkMs;
    simulatedMs += stats.simulatedMs;
  }
  return { events, wallMs: performance.now() - started, checkMs, simulatedMs, seeds };
}

function memoryPerRun(scenario: Scenario, trace: TraceLevel): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = runScenario(scenario, { seed: 1, trace });
  const after = process.memoryUsage().heapUsed;
  if (kept.events.length < 0) console.log(kept.traceHash);
  return (after - before) / 1e6;
}
