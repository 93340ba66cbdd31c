import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/event-queue.js';

/** Pushes and pops interleaved: `null` pops one, a number pushes an item at that time. */
const schedules = fc.array(fc.oneof({ arbitrary: fc.integer({ min: 0, max: 5 }), weight: 3 }, { arbitrary: fc.constant(null), weight: 2 }), {
  minLength: 20,
  maxLength: 300,
});

/** What a queue must pop: the earliest time first, the earliest pushed among equal times. */
function expectedOrder(steps: readonly (number | null)[]): number[] {
  const waiting: { time: number; id: number }[] = [];
  const popped: number[] = [];
  let id = 0;
  let now = 0;
  for (const step of steps) {
    if (step === null) {
      if (waiting.length === 0) continue;
      waiting.sort((a, b) => a.time - b.time || a.id - b.id);
      const next = waiting.shift()!;
      now = next.time;
      popped.push(next.id);
    } else waiting.push({ time: now + step, id: id++ });
  }
  return popped;
}

function peakWaiting(steps: readonly (number | null)[]): number {
  let waiting = 0;
  let peak = 0;
  for (const step of steps) {
    waiting = step === null ? Math.max(0, waiting - 1) : waiting + 1;
    peak = Math.max(peak, waiting);
  }
  return peak;
}

function actualOrder(queue: EventQueue<number>, steps: readonly (number | null)[]): number[] {
  const popped: number[] = [];
  let id = 0;
  let now = 0;
  for (const step of steps) {
    if (step === null) {
      if (queue.size === 0) continue;
      popped.push(queue.pop()!);
      now = queue.poppedTime;
    } else queue.push(now + step, id++);
  }
  return popped;
}

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

  it('keeps that order with pushes and pops interleaved, also when its sequence numbers run out and are renumbered', () => {
    fc.assert(
      fc.property(schedules, (steps) => {
        expect(actualOrder(new EventQueue<number>(), steps)).toEqual(expectedOrder(steps));
        // A span just above what ever waits at once forces a renumbering every few pushes.
        expect(actualOrder(new EventQueue<number>(peakWaiting(steps) + 1), steps)).toEqual(expectedOrder(steps));
      }),
    );
  });

  it('reports the time of what it popped', () => {
    const queue = new EventQueue<string>();
    queue.push(7, 'late');
    queue.push(2, 'early');
    expect(queue.pop()).toBe('early');
    expect(queue.poppedTime).toBe(2);
  });

  it('reports the next time without removing it', () => {
    const queue = new EventQueue<string>();
    expect(queue.peekTime()).toBe(Infinity);
    queue.push(5, 'b');
    queue.push(3, 'a');
    expect(queue.peekTime()).toBe(3);
    expect(queue.size).toBe(2);
  });

  it('pops only what is due by the limit, leaving later items waiting', () => {
    const queue = new EventQueue<string>();
    queue.push(4, 'later');
    queue.push(2, 'due');
    expect(queue.popDueBy(3)).toBe('due');
    expect(queue.poppedTime).toBe(2);
    expect(queue.popDueBy(3)).toBeUndefined();
    expect(queue.poppedTime).toBe(2);
    expect(queue.size).toBe(1);
    expect(queue.popDueBy(4)).toBe('later');
    expect(queue.popDueBy(Infinity)).toBeUndefined();
  });

  it('takes whole milliseconds only', () => {
    const queue = new EventQueue<string>();
    expect(() => queue.push(1.5, 'x')).toThrow(/whole number of ms/);
    expect(() => queue.push(-1, 'x')).toThrow(/whole number of ms/);
  });
});
