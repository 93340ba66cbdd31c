import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Scenario } from './scenario.js';
import { runScenario, type RunOptions, type RunResult } from './simulation.js';
import type { SeedRange } from './shard.js';

/**
 * A simulation allocates short-lived objects by the million (messages, readies, MVCC
 * revisions): with a young generation larger than V8's default most of them die young
 * instead of being copied and promoted, and nothing else about a run changes. Measured:
 * `sweep nemesis --seeds 1..300` on two workers 12-13% faster, in three alternating runs
 * against the default. The benchmark's threads run with the same limits.
 */
export const SIMULATION_THREAD_LIMITS = { maxYoungGenerationSizeMb: 192 } as const;

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
  /** Among the first seeds its thread ran, whose wall times also paid for the JIT's warm-up. */
  readonly cold: boolean;
  /** The linearizability check ran out of its step budget: the history was neither passed nor failed. */
  readonly undecided: boolean;
}

export interface SweepJob {
  readonly scenario: Scenario;
  /** Everything else each run takes (a planted bug, the check budget); plain data, sent to workers. */
  readonly run?: Omit<RunOptions, 'seed' | 'trace'>;
}

export interface SweepOptions {
  /** Worker threads; 1 runs in this thread. Default: defaultWorkers(the number of seeds). */
  readonly workers?: number;
  /** Called as each seed finishes (in any order), for progress. */
  readonly onOutcome?: (outcome: SeedOutcome, done: number) => void;
  /** The bundled worker script (dist/sweep-worker.js); needed when workers > 1. */
  readonly workerUrl?: URL;
  /**
   * Asked before each seed is handed out: true ends the sweep there (seeds already running
   * finish). Seeds go out in order, so the ones that ran are always the first of the range.
   * The caller owns the clock (a time budget); the simulator reads none.
   */
  readonly shouldStop?: () => boolean;
}

/**
 * A fresh worker thread spends its first 15 to 25 seeds warming up (see COLD_SEEDS), and on
 * two cores two warming threads slow each other down: a thread pays for itself once it has
 * some SEEDS_PER_WORKER seeds to run. Measured here (two cores, nemesis): 50 seeds take 4.3 s
 * on one thread and 5.4 s on two, 100 about the same on both, 400 1.4x faster on two.
 */
export const SEEDS_PER_WORKER = 60;

/** Worker threads for a sweep of `seeds` seeds: one per SEEDS_PER_WORKER seeds, at most one per core. */
export function defaultWorkers(seeds: number): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(seeds / SEEDS_PER_WORKER)));
}

/**
 * A thread runs its first seeds several times slower while V8 compiles the simulator
 * (on two cores, nemesis seeds run 4-6x slower over the first five, and are at full speed
 * after 15 to 25): seeds among a thread's first COLD_SEEDS are marked cold.
 */
export const COLD_SEEDS = 10;

/** Seeds this thread has run (wall times only; it decides nothing a run does). */
let threadSeeds = 0;

export function runSeed(job: SweepJob, seed: number): SeedOutcome {
  const result = runScenario(job.scenario, { ...job.run, seed, trace: 'off' });
  const cold = threadSeeds++ < COLD_SEEDS;
  const { events, simulatedMs, wallMs, checkMs } = result.stats;
  const undecided = result.linearizability?.verdict === 'unknown';
  return { seed, ok: result.ok, violations: result.violations, events, simulatedMs, wallMs, checkMs, cold, undecided };
}

/**
 * Runs every seed of the range and returns the outcomes in seed order. With several
 * workers each thread takes the next seed as it finishes one, so slow seeds do not hold
 * up a batch; every run is deterministic, so the outcomes do not depend on the count.
 */
export async function sweepSeeds(job: SweepJob, range: SeedRange, options: SweepOptions = {}): Promise<SeedOutcome[]> {
  const seeds = Array.from({ length: Math.max(0, range.to - range.from + 1) }, (_, i) => range.from + i);
  const workers = Math.max(1, Math.min(options.workers ?? defaultWorkers(seeds.length), seeds.length));
  const outcomes: SeedOutcome[] = [];
  const record = (outcome: SeedOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome, outcomes.length);
  };
  const stop = options.shouldStop ?? (() => false);
  if (workers === 1 || !options.workerUrl) {
    for (const seed of seeds) {
      if (stop()) break;
      record(runSeed(job, seed));
    }
  } else {
    await runOnWorkers(job, seeds, workers, options.workerUrl, record, stop);
  }
  return outcomes.sort((a, b) => a.seed - b.seed);
}

/** Messages between the sweep and its workers. */
export type ToWorker = { readonly kind: 'job'; readonly job: SweepJob } | { readonly kind: 'seed'; readonly seed: number } | { readonly kind: 'stop' };
export type FromWorker = { readonly kind: 'outcome'; readonly outcome: SeedOutcome } | { readonly kind: 'error'; readonly seed: number; readonly message: string };

function runOnWorkers(job: SweepJob, seeds: readonly number[], count: number, url: URL, record: (outcome: SeedOutcome) => void, stop: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let running = count;
    const threads: Worker[] = [];
    const fail = (error: Error) => {
      for (const thread of threads) void thread.terminate();
      reject(error);
    };
    const feed = (thread: Worker) => {
      if (next < seeds.length && !stop()) thread.postMessage({ kind: 'seed', seed: seeds[next++] } satisfies ToWorker);
      else {
        thread.postMessage({ kind: 'stop' } satisfies ToWorker);
        if (--running === 0) resolve();
      }
    };
    for (let i = 0; i < count; i++) {
      const thread = new Worker(url, { resourceLimits: SIMULATION_THREAD_LIMITS });
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
