/**
 * A kv-workload history from the simulator with 32 info (timed-out) puts, deletes
 * and txns among 130 ops, all one part because txns join the keys. Before free
 * revisions, pinned info writes and the rank guard it ran out of a 10 s budget.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';

interface Event extends RawEvent {
  readonly op: number;
}

const fixture = new URL('./fixtures/etcd-info-heavy.jsonl', import.meta.url);
const load = (): Event[] =>
  readFileSync(fixture, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Event);

const check = (events: readonly RawEvent[]) => checkHistory(events, { model: 'etcd', maxSteps: 10_000_000 });

/** Pairs each ok completion with its invocation (the simulator's `op` ids). */
function okOps(events: readonly Event[]) {
  const invokes = new Map<number, number>();
  const ops: { invoke: number; done: number }[] = [];
  events.forEach((e, i) => {
    if (e.type === 'invoke') invokes.set(e.op, i);
    else if (e.type === 'ok') ops.push({ invoke: invokes.get(e.op) as number, done: i });
  });
  return ops;
}

describe('an info-heavy etcd history', () => {
  it('decides linearizable in a few hundred steps, in one part', () => {
    const events = load();
    expect(events.filter((e) => e.type === 'info')).toHaveLength(32);
    const result = check(events);
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 130, parts: 1 });
    // Quickly, counted in steps (204), not in time.
    expect(result.steps).toBeLessThan(5_000);
  });

  it('finds a stale get planted in it', () => {
    const events = load();
    const ops = okOps(events);
    // A get of k that returns mod m although a put of k with a larger revision
    // returned before the get began: revisions only grow, so no order explains it.
    let planted = -1;
    const gets = ops.filter((o) => events[o.done].f === 'get' && (events[o.done].value as { value: unknown }).value !== null);
    const mod = (o: { done: number }) => (events[o.done].value as { modRevision: number }).modRevision;
    for (const g of gets.slice().reverse()) {
      const key = events[g.done].key;
      const stale = gets.find((e) => e.done < g.invoke && events[e.done].key === key && ops.some((w) => events[w.done].f === 'put' && events[w.done].key === key && w.done < g.invoke && (events[w.done].value as { revision: number }).revision > mod(e)));
      if (stale === undefined) continue;
      events[g.done] = { ...events[g.done], value: events[stale.done].value };
      planted = g.done;
      break;
    }
    expect(planted).toBeGreaterThan(0);
    const result = check(events);
    expect(result.verdict).toBe('not-linearizable');
    // Refuting means exhausting every placement of the info ops before the get (~0.8 s alone).
    expect(result.wallMs).toBeLessThan(5000);
    expect(result.counterexample?.impossible.length).toBeGreaterThan(0);
  });

  it('finds a revision taken twice', () => {
    const events = load();
    const puts = okOps(events).filter((o) => events[o.done].f === 'put');
    const [a, b] = [puts[3], puts[puts.length - 4]];
    const rev = (events[a.done].value as { revision: number }).revision;
    events[b.done] = { ...events[b.done], value: { ...(events[b.done].value as object), revision: rev } };
    const result = check(events);
    expect(result.verdict).toBe('not-linearizable');
    expect(result.steps).toBeLessThan(5_000);
  });
});
