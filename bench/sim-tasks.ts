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
import { recordTraffic, replayTraffic } from './floor.js';

/** A built-in scenario, with some fields replaced (a variant such as "nemesis on 7 nodes"). */
export interface ScenarioRef {
  readonly name: string;
  readonly change?: Omit<Partial<ScenarioInput>, 'name'>;
}

export type Task =
  | { readonly kind: 'bare'; readonly events: number }
  | { readonly kind: 'runs'; readonly scenario: ScenarioRef; readonly seeds: number; readonly trace: TraceLevel }
  | { readonly kind: 'memory'; readonly scenario: ScenarioRef; readonly trace: TraceLevel }
  | { readonly kind: 'floor'; readonly scenario: ScenarioRef; readonly seeds: number }
  | { readonly kind: 'sweep'; readonly scenario: ScenarioRef; readonly seeds: number; readonly workers: number; readonly workerUrl: string };

/** How a row's thread warmed up: the seeds it took, and the simulating speed of its first warm-up block. */
export interface WarmUp {
  readonly seeds: number;
  readonly firstBlockEventsPerSecond: number;
}

export interface Runs {
  /** The bare loop in the same thread, just before and after the runs: the row's own ceiling, immune to drift between rows. */
  readonly bareEventsPerSecond: number;
  /** Per block of the counted seeds, its simulating time against the bare loop timed around it. */
  readonly simulatingRatios: readonly number[];
  readonly warmUp: WarmUp;
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
  | { readonly kind: 'floor'; readonly ratio: number; readonly eventsPerSecond: number }
  | { readonly kind: 'sweep'; readonly seedsPerSecond: number };

const BARE_EVENTS_PER_ROW = 2_000_000;
const COUNTED_BLOCKS = 4;
const FLOOR_PASSES = 6;

/**
 * A fresh thread runs its first seeds several times slower than later ones, while V8
 * compiles and recompiles the simulator (on this machine it takes 15 to 25 nemesis seeds),
 * and a long sweep spends nearly all its time warm. So a row warms up on seeds it does not
 * count (from 1001, far from the counted ones), in blocks, until a block is no faster than
 * the one before, within bounds of blocks and time.
 */
const WARM_UP = { blockSeeds: 5, minBlocks: 2, maxBlocks: 12, maxMs: 10_000, gain: 1.05 };

export async function runTask(task: Task): Promise<TaskResult> {
  switch (task.kind) {
    case 'bare':
      return { kind: 'bare', eventsPerSecond: bareLoop(task.events) };
    case 'runs': {
      const scenario = resolve(task.scenario);
      const warmUp = warmUntilSteady(scenario, task.trace);
      return { kind: 'runs', warmUp, ...measureAgainstBareLoop(scenario, task.seeds, task.trace) };
    }
    case 'memory':
      return { kind: 'memory', heapMb: memoryPerRun(resolve(task.scenario), task.trace) };
    case 'floor':
      return { kind: 'floor', ...floorAgainstBareLoop(resolve(task.scenario), task.seeds) };
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

/**
 * The counted seeds in COUNTED_BLOCKS blocks, the bare loop timed before the first and after
 * each: every block gets its own ratio to the loop around it, so the spread of the ratios
 * shows how much the machine moved during the row.
 */
function measureAgainstBareLoop(scenario: Scenario, seeds: number, trace: TraceLevel): Omit<Runs, 'warmUp'> {
  const blocks = Math.min(COUNTED_BLOCKS, seeds);
  const total = { events: 0, wallMs: 0, checkMs: 0, simulatedMs: 0, seeds: 0 };
  const bare = [bareLoop(BARE_EVENTS_PER_ROW)];
  const simulatingRatios: number[] = [];
  let from = 1;
  for (let block = 0; block < blocks; block++) {
    const count = Math.floor((seeds * (block + 1)) / blocks) - (from - 1);
    const runs = measureRuns(scenario, from, count, trace);
    from += count;
    bare.push(bareLoop(BARE_EVENTS_PER_ROW));
    simulatingRatios.push((bare[block] + bare[block + 1]) / 2 / simulatingRate(runs));
    for (const field of ['events', 'wallMs', 'checkMs', 'simulatedMs', 'seeds'] as const) total[field] += runs[field];
  }
  return { bareEventsPerSecond: bare.reduce((sum, rate) => sum + rate, 0) / bare.length, simulatingRatios, ...total };
}

/** Runs warm-up blocks until one is no faster than the one before (see WARM_UP). */
function warmUntilSteady(scenario: Scenario, trace: TraceLevel): WarmUp {
  const started = performance.now();
  const rates: number[] = [];
  let seed = 1001;
  for (;;) {
    rates.push(simulatingRate(measureRuns(scenario, seed, WARM_UP.blockSeeds, trace)));
    seed += WARM_UP.blockSeeds;
    const blocks = rates.length;
    const steady = blocks >= WARM_UP.minBlocks && rates[blocks - 1] < rates[blocks - 2] * WARM_UP.gain;
    if (steady || blocks === WARM_UP.maxBlocks || performance.now() - started > WARM_UP.maxMs) {
      return { seeds: seed - 1001, firstBlockEventsPerSecond: rates[0] };
    }
  }
}

/** Events per second while simulating (the end-of-run history checks left out). */
export function simulatingRate(runs: Pick<Runs, 'events' | 'wallMs' | 'checkMs'>): number {
  return runs.events / ((runs.wallMs - runs.checkMs) / 1000);
}

function measureRuns(scenario: Scenario, from: number, seeds: number, trace: TraceLevel): Omit<Runs, 'bareEventsPerSecond' | 'simulatingRatios' | 'warmUp'> {
  let events = 0;
  let checkMs = 0;
  let simulatedMs = 0;
  const started = performance.now();
  for (let seed = from; seed < from + seeds; seed++) {
    const { stats } = runScenario(scenario, { seed, trace });
    events += stats.events;
    checkMs += stats.checkMs;
    simulatedMs += stats.simulatedMs;
  }
  return { events, wallMs: performance.now() - started, checkMs, simulatedMs, seeds };
}

/**
 * The queue and network alone on the counted seeds' own traffic (see floor.ts), against the
 * bare loop around it. The replay runs FLOOR_PASSES times (the first ones warm it up) and its
 * fastest pass counts, which favours the floor: it is a lower bound.
 */
function floorAgainstBareLoop(scenario: Scenario, seeds: number): { ratio: number; eventsPerSecond: number } {
  const traffic = recordTraffic(scenario, 1, seeds);
  const before = bareLoop(BARE_EVENTS_PER_ROW);
  let fastest = 0;
  for (let pass = 0; pass < FLOOR_PASSES; pass++) {
    const { events, ms } = replayTraffic(scenario, traffic);
    fastest = Math.max(fastest, events / (ms / 1000));
  }
  const bare = (before + bareLoop(BARE_EVENTS_PER_ROW)) / 2;
  return { ratio: bare / fastest, eventsPerSecond: fastest };
}

function memoryPerRun(scenario: Scenario, trace: TraceLevel): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = runScenario(scenario, { seed: 1, trace });
  // What the run's result holds (trace, history), not the garbage a young generation still has room for.
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.events.length < 0) console.log(kept.traceHash);
  return (after - before) / 1e6;
}
