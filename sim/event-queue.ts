/**
 * The simulator's agenda: a binary min-heap ordered by (time, insertion sequence), so
 * events at the same virtual time run in the order they were scheduled, on every machine.
 * Times, sequence numbers and items live in three parallel arrays rather than one object
 * per event: every simulated message and tick passes through here, and a wrapper object
 * per push was the loop's largest allocation.
 */
export class EventQueue<T> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;
  private popped = 0;

  get size(): number {
    return this.items.length;
  }

  /** The time of the item the last `pop` returned. */
  get poppedTime(): number {
    return this.popped;
  }

  push(time: number, item: T): void {
    const { times, seqs, items } = this;
    const seq = this.nextSeq++;
    let i = items.length;
    times.push(time);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent];
      if (parentTime < time || (parentTime === time && seqs[parent] < seq)) break;
      times[i] = parentTime;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  peekTime(): number {
    return this.items.length === 0 ? Infinity : this.times[0];
  }

  /** Removes and returns the earliest item (its time is then `poppedTime`). */
  pop(): T | undefined {
    const { times, seqs, items } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    this.popped = times[0];
    const lastTime = times.pop()!;
    const lastSeq = seqs.pop()!;
    const lastItem = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n && (times[right] < times[child] || (times[right] === times[child] && seqs[right] < seqs[child]))) child = right;
        const childTime = times[child];
        if (lastTime < childTime || (lastTime === childTime && lastSeq < seqs[child])) break;
        times[i] = childTime;
        seqs[i] = seqs[child];
        items[i] = items[child];
        i = child;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      items[i] = lastItem;
    }
    return top;
  }
}
