import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/event-queue.js';

describe('event queue', () => {
  it('pops in time order, and in insertion order among equal times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const queue = new EventQueue<number>();
        times.forEach((time, i) => queue.push(time, i));
        const popped: number[] = [];
        while (queue.size > 0) popped.push(queue.pop()!);
        const expected = times.map((time, i) => ({ time, i })).sort((a, b) => a.time - b.time || a.i - b.i).map((e) => e.i);
        expect(popped).toEqual(expected);
      }),
    );
  });

  it('reports the next time without removing it', () => {
    const queue = new EventQueue<string>();
    expect(queue.peekTime()).toBe(Infinity);
    queue.push(5, 'b');
    queue.push(3, 'a');
    expect(queue.peekTime()).toBe(3);
    expect(queue.size).toBe(2);
  });
});
