/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion sequence), so
 * events at the same virtual time run in the order they were scheduled, on every machine.
 *
 * Every simulated message and tick passes through here, so the heap is two flat arrays
 * rather than an object per event: items, and one number per item that packs its whole
 * order, `time * span + sequence`, with sequence numbers below `span` (2^26 unless a test
 * asks for fewer). Times are whole virtual milliseconds below MAX_TIME; both bounds keep
 * every key an exact integer of a double.
 */
export const MAX_TIME = 2 ** 27;

export class EventQueue<T> {
  private keys: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;
  private popped = 0;

  constructor(private readonly span = 2 ** 26) {}

  get size(): number {
    return this.items.length;
  }

  /** The time of the item the last `pop` returned. */
  get poppedTime(): number {
    return this.popped;
  }

  push(time: number, item: T): void {
    if (!(Number.isInteger(time) && time >= 0 && time < MAX_TIME)) throw new Error(`event time ${time} is not a whole number of ms in [0, ${MAX_TIME})`);
    if (this.nextSeq === this.span) this.renumber();
    const key = time * this.span + this.nextSeq++;
    const { keys, items } = this;
    let i = items.length;
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] < key) break;
      keys[i] = keys[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }

  peekTime(): number {
    return this.items.length === 0 ? Infinity : Math.floor(this.keys[0] / this.span);
  }

  /** Removes and returns the earliest item (its time is then `poppedTime`). */
  pop(): T | undefined {
    return this.popDueBy(Infinity);
  }

  /**
   * Removes and returns the earliest item if it is due at `limit` or before (its time is
   * then `poppedTime`); otherwise, or when empty, leaves the queue as it is. The
   * simulator's loop asks this once per event instead of peeking and then popping.
   */
  popDueBy(limit: number): T | undefined {
    const { keys, items } = this;
    if (items.length === 0) return undefined;
    const time = Math.floor(keys[0] / this.span);
    if (time > limit) return undefined;
    const top = items[0];
    this.popped = time;
    const lastKey = keys.pop()!;
    const lastItem = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && keys[child + 1] < keys[child]) child++;
        if (lastKey < keys[child]) break;
        keys[i] = keys[child];
        items[i] = items[child];
        i = child;
      }
      keys[i] = lastKey;
      items[i] = lastItem;
    }
    return top;
  }

  /**
   * Sequence numbers ran out (a run of 67 million pushes): the waiting items are numbered
   * again from 0 in their order, which keeps every comparison as it was.
   */
  private renumber(): void {
    if (this.items.length >= this.span) throw new Error(`${this.items.length} events waiting: more than ${this.span} sequence numbers can order`);
    const order = this.items.map((item, i) => ({ item, key: this.keys[i] })).sort((a, b) => a.key - b.key);
    this.keys = [];
    this.items = [];
    this.nextSeq = 0;
    for (const { item, key } of order) this.push(Math.floor(key / this.span), item);
  }
}
