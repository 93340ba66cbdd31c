import seedrandom from 'seedrandom';

/** A seeded stream of numbers in [0, 1) with the helpers the simulator draws from. */
export class RandomStream {
  private readonly next: () => number;

  constructor(seed: number, concern: string) {
    // Each concern hashes its own name into the seed, so drawing more numbers in one
    // concern never shifts another concern's draws.
    this.next = seedrandom.alea(`raftsim:${seed}:${concern}`);
  }

  float(): number {
    return this.next();
  }

  /** An integer in [min, max], inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * A key index in [0, keys): the hot key 0 with probability `hotShare` (a skewed, Jepsen-style
   * hot spot), otherwise uniform. With no hot share it draws exactly what int(0, keys - 1) does.
   */
  keyIndex(keys: number, hotShare: number): number {
    return this.chance(hotShare) ? 0 : this.int(0, keys - 1);
  }

  /** A Fisher–Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = items.slice();
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** A function drawing from this stream, for code that wants a bare `() => number`. */
  asFunction(): () => number {
    return this.next;
  }
}

/** The streams of one run: one per concern, plus one per node for its timers. */
export class RandomStreams {
  readonly network: RandomStream;
  readonly nemesis: RandomStream;
  readonly workload: RandomStream;
  private readonly nodeStreams = new Map<number, RandomStream>();

  constructor(private readonly seed: number) {
    this.network = new RandomStream(seed, 'network');
    this.nemesis = new RandomStream(seed, 'nemesis');
    this.workload = new RandomStream(seed, 'workload');
  }

  /** A node's timer stream; it lives across the node's restarts. */
  node(id: number): RandomStream {
    let stream = this.nodeStreams.get(id);
    if (!stream) {
      stream = new RandomStream(this.seed, `node:${id}`);
      this.nodeStreams.set(id, stream);
    }
    return stream;
  }

  /** A stream for any further concern (a client, a fault profile). */
  named(concern: string): RandomStream {
    return new RandomStream(this.seed, concern);
  }
}
