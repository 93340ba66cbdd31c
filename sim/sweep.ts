import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from './scenario.js';
import { runScenario, type RunOptions, type RunResult } from './simulation.js';
import type { SeedRange } from './shard.js';

/** What a sweep keeps of each run: enough to report it, little enough to send between threads. */
export interface SeedOutcome {
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: RunResult['violations'];
  readonly events: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  /** Of `wallMs`, the end-of-run checks of the history. */
  readonly checkMs: number;
  /** The first seed its thread ran: its wall time also paid for the JIT's warm-up. */
  readonly cold: boolean;
}

export interface SweepJob {
  readonly scenario: Scenario;
  /** Everything else each run takes (a planted bug, the check budget); plain data, sent to workers. */
  readonly run?: Omit<RunOptions, 'seed' | 'trace'>;
}

export interface SweepOptions {
  /** Worker threads; 1 runs in this thread. Default: the machine's cores. */
  readonly workers?: number;
  /** Called as each seed finishes (in any order), for progress. */
  readonly onOutcome?: (outcome: SeedOutcome, done: number) => void;
  /** The bundled worker script (dist/sweep-worker.js); needed when workers > 1. */
  readonly workerUrl?: URL;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Whether this thread has run a seed yet (wall times only; it decides nothing a run does). */
let threadWarm = false;

export function runSeed(job: SweepJob, seed: number): SeedOutcome {
  const result = runScenario(job.scenario, { ...job.run, seed, trace: 'off' });
  const cold = !threadWarm;
  threadWarm = true;
  const { events, simulatedMs, wallMs, checkMs } = result.stats;
  return { seed, ok: result.ok, violations: result.violations, events, simulatedMs, wallMs, checkMs, cold };
}

/**
 * Runs every seed of the range and returns the outcomes in seed order. With several
 * workers each thread takes the next seed as it finishes one, so slow seeds do not hold
 * up a batch; every run is deterministic, so the outcomes do not depend on the count.
 */
export async function sweepSeeds(job: SweepJob, range: SeedRange, options: SweepOptions = {}): Promise<SeedOutcome[]> {
  const seeds = Array.from({ length: Math.max(0, range.to - range.from + 1) }, (_, i) => range.from + i);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(), seeds.length));
  const outcomes: SeedOutcome[] = [];
  const record = (outcome: SeedOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome, outcomes.length);
  };
  if (workers === 1 || !options.workerUrl) {
    for (const seed of seeds) record(runSeed(job, seed));
  } else {
    await runOnWorkers(job, seeds, workers, options.workerUrl, record);
  }
  return outcomes.sort((a, b) => a.seed - b.seed);
}

/** Messages between the sweep and its workers. */
export type ToWorker = { readonly kind: 'job'; readonly job: SweepJob } | { readonly kind: 'seed'; readonly seed: number } | { readonly kind: 'stop' };
export type FromWorker = { readonly kind: 'outcome'; readonly outcome: SeedOutcome } | { readonly kind: 'error'; readonly seed: number; readonly message: string };

function runOnWorkers(job: SweepJob, seeds: readonly number[], count: number, url: URL, record: (outcome: SeedOutcome) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = count;
    const threads: Worker[] = [];
    const fail = (error: Error) => {
      for (const thread of threads) void thread.terminate();
      reject(error);
    };
    const feed = (thread: Worker) => {
      if (next < seeds.length) thread.postMessage({ kind: 'seed', seed: seeds[next++] } satisfies ToWorker);
      else {
        thread.postMessage({ kind: 'stop' } satisfies ToWorker);
        if (--running === 0) resolve();
      }
    };
    for (let i = 0; i < count; i++) {
      const thread = new Worker(url);
      threads.push(thread);
      thread.on('message', (message: FromWorker) => {
        if (message.kind === 'error') return fail(new Error(`seed ${message.seed}: ${message.message}`));
        record(message.outcome);
        feed(thread);
      });
      thread.on('error', fail);
      thread.postMessage({ kind: 'job', job } satisfies ToWorker);
      feed(thread);
    }
  });
}
