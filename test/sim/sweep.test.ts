import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { parseShard, shardRange } from '../../sim/shard.js';
import { sweepSeeds } from '../../sim/sweep.js';
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

describe('parallel sweeps', () => {
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
    // Each fresh thread's first seed, and only that one, also paid for warming up.
    expect(parallel.filter((o) => o.cold)).toHaveLength(2);
    expect(parallel.map((o) => o.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
