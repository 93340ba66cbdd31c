import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { parseShard, shardRange } from '../../sim/shard.js';
import { COLD_SEEDS, defaultWorkers, SEEDS_PER_WORKER, sweepSeeds } from '../../sim/sweep.js';
import { availableParallelism } from 'node:os';
import { ensureBuilt, ROOT } from '../helpers/build.js';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

describe('shards', () => {
  it('cover a seed range exactly once, in blocks that differ by at most one seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 64 }), (from, size, count) => {
        const range = { from, to: from + size - 1 };
        const blocks = Array.from({ length: count }, (_, index) => shardRange(range, { index, count }));
        const seeds = blocks.flatMap((b) => Array.from({ length: Math.max(0, b.to - b.from + 1) }, (_, i) => b.from + i));
        expect(seeds).toEqual(Array.from({ length: size }, (_, i) => from + i));
        const sizes = blocks.map((b) => b.to - b.from + 1);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('parse i/n counted from 0, as a CI matrix or a Kubernetes completion index gives them', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/shard 4 does not exist: with 4 shards they are 0..3/);
    expect(() => parseShard('1-4')).toThrow(/expected i\/n/);
    expect(() => parseShard('0/0')).toThrow(/at least 1/);
  });
});

describe('the default number of workers', () => {
  it('is one thread for a short sweep, one more per SEEDS_PER_WORKER seeds, and never more than the cores', () => {
    const cores = availableParallelism();
    expect(defaultWorkers(0)).toBe(1);
    expect(defaultWorkers(SEEDS_PER_WORKER * 2 - 1)).toBe(1);
    expect(defaultWorkers(SEEDS_PER_WORKER * 2)).toBe(Math.min(2, cores));
    expect(defaultWorkers(1_000_000)).toBe(cores);
  });
});

describe('parallel sweeps', () => {
  it('mark as cold each fresh thread\'s first seeds, and only those', async () => {
    ensureBuilt();
    const workerUrl = pathToFileURL(join(ROOT, 'dist', 'sweep-worker.js'));
    const outcomes = await sweepSeeds({ scenario: findScenario('lost-fsync')! }, { from: 1, to: 2 * COLD_SEEDS + 6 }, { workers: 2, workerUrl });
    // However the seeds split between the threads, each ran at most COLD_SEEDS cold, and one ran them all.
    const cold = outcomes.filter((o) => o.cold).length;
    expect(cold).toBeGreaterThanOrEqual(COLD_SEEDS);
    expect(cold).toBeLessThanOrEqual(2 * COLD_SEEDS);
  });

  it('give the same outcome for every seed on two worker threads as on one', async () => {
    ensureBuilt();
    const job = { scenario: findScenario('lost-fsync')! };
    const range = { from: 1, to: 8 };
    const workerUrl = pathToFileURL(join(ROOT, 'dist', 'sweep-worker.js'));
    const alone = await sweepSeeds(job, range, { workers: 1 });
    const seen: number[] = [];
    const parallel = await sweepSeeds(job, range, { workers: 2, workerUrl, onOutcome: (o) => seen.push(o.seed) });
    const strip = (outcomes: typeof alone) => outcomes.map(({ wallMs: _wallMs, checkMs: _checkMs, cold: _cold, ...rest }) => rest);
    expect(strip(parallel)).toEqual(strip(alone));
    // Two fresh threads, four seeds each at most: all within each thread's warm-up.
    expect(parallel.every((o) => o.cold)).toBe(true);
    expect(parallel.map((o) => o.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('undecided histories', () => {
  it('are marked, so a sweep can say which seeds passed without a verdict', async () => {
    const nemesis = findScenario('nemesis')!;
    const [starved] = await sweepSeeds({ scenario: nemesis, run: { checkSteps: 10 } }, { from: 6, to: 6 }, { workers: 1 });
    const [decided] = await sweepSeeds({ scenario: nemesis }, { from: 6, to: 6 }, { workers: 1 });
    expect(starved).toMatchObject({ ok: true, undecided: true });
    expect(decided).toMatchObject({ ok: true, undecided: false });
  });
});

describe('a sweep told to stop', () => {
  it('ends with the first seeds of its range, on one thread and on two', async () => {
    ensureBuilt();
    const job = { scenario: findScenario('happy')! };
    const workerUrl = pathToFileURL(join(ROOT, 'dist', 'sweep-worker.js'));
    for (const workers of [1, 2]) {
      let handedOut = 0;
      const outcomes = await sweepSeeds(job, { from: 10, to: 30 }, { workers, workerUrl, shouldStop: () => handedOut++ >= 5 });
      // Five seeds went out before the sixth question said stop; a thread may also have asked once more.
      expect(outcomes.map((o) => o.seed), `${workers} workers`).toEqual([10, 11, 12, 13, 14]);
    }
  });
});
