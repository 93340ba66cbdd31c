import { describe, expect, it } from 'vitest';
import { RandomStream, RandomStreams } from '../../sim/random.js';

describe('random streams', () => {
  it('gives the same draws for the same seed and concern', () => {
    const a = new RandomStream(42, 'network');
    const b = new RandomStream(42, 'network');
    expect(Array.from({ length: 20 }, () => a.float())).toEqual(Array.from({ length: 20 }, () => b.float()));
  });

  it('gives different draws for different seeds and different concerns', () => {
    const first = (seed: number, concern: string) => new RandomStream(seed, concern).float();
    expect(first(1, 'network')).not.toBe(first(2, 'network'));
    expect(first(1, 'network')).not.toBe(first(1, 'nemesis'));
  });

  it('keeps concerns independent: drawing from one never shifts another', () => {
    const quiet = new RandomStreams(7);
    const busy = new RandomStreams(7);
    for (let i = 0; i < 1000; i++) busy.workload.float();
    busy.node(3).float();
    expect([quiet.network.float(), quiet.nemesis.float(), quiet.node(1).float()]).toEqual([
      busy.network.float(),
      busy.nemesis.float(),
      busy.node(1).float(),
    ]);
  });

  it('keeps a node stream across lookups, so a restart continues it', () => {
    const streams = new RandomStreams(3);
    const first = streams.node(2).float();
    expect(streams.node(2).float()).not.toBe(first);
    expect(new RandomStreams(3).node(2).float()).toBe(first);
  });

  it('draws integers within inclusive bounds', () => {
    const stream = new RandomStream(5, 'x');
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(stream.int(2, 4));
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });
});
