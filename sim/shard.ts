/**
 * Splitting a seed range across the jobs of a CI matrix or a Kubernetes Indexed Job:
 * `--shard i/n` with i counted from 0, the way both number their jobs
 * (`strategy.matrix` values you choose, `JOB_COMPLETION_INDEX`). Shard i takes one
 * contiguous block; the blocks cover the range exactly once and differ in size by at
 * most one seed.
 */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface SeedRange {
  readonly from: number;
  readonly to: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`expected i/n, like 0/4 (shards are counted from 0), not ${JSON.stringify(text)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new Error('the shard count must be at least 1');
  if (index >= count) throw new Error(`shard ${index} does not exist: with ${count} shards they are 0..${count - 1}`);
  return { index, count };
}

/** The seeds of one shard: empty (from > to) when there are more shards than seeds. */
export function shardRange(range: SeedRange, shard: Shard): SeedRange {
  const size = range.to - range.from + 1;
  const start = (i: number) => range.from + Math.floor((size * i) / shard.count);
  return { from: start(shard.index), to: start(shard.index + 1) - 1 };
}
