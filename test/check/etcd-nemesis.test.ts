/**
 * Histories of `raftsim sweep nemesis` (the default nemesis, kv workload) that
 * used to end `unknown` after the simulator's 3 s check budget, or came close: 106
 * ops with 48 info ones (decided in 10.9M steps, 19.6 s, before the lifetime
 * guards; 112k steps before twins), 1648 ops (unknown at 3 s), seed 97's 139 ops
 * with 50 info ones, from a leaderless stretch (unknown after 60 s before twins,
 * twins.ts; 282k steps with them, 1.5k with the write capacity guard, capacity.ts),
 * and seed 45's 378 ops (1.2M steps, 1.9 s before twins). Seed 4 run for 20 s
 * (191 ops, 109 info writes; linearizable in 1.0M steps, 9 s, before the
 * pending-write guard, pending.ts) and for 40 s (311 ops, 210 info writes; unknown
 * after 60 s before it), and seed 194, the costliest of seeds 1..300 to check
 * before it (176 ops; 24k steps). All one part: txns join the keys. Budgets are in search steps, so the test is
 * deterministic; the timeout only keeps a regression short.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';

const load = (name: string): RawEvent[] =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RawEvent);

const check = (events: readonly RawEvent[]) => checkHistory(events, { model: 'etcd', timeoutMs: 60_000 });

describe('info-heavy nemesis histories', () => {
  it('nemesis seed history 4 (106 ops, 48 info) is linearizable within 10k steps', () => {
    const result = check(load('etcd-nemesis-4.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 106, parts: 1 });
    expect(result.steps).toBeLessThan(10_000);
  });

  it('nemesis seed 97 (139 ops, 50 info) is linearizable within 10k steps', () => {
    const result = check(load('etcd-nemesis-97.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 139, parts: 1 });
    expect(result.steps).toBeLessThan(10_000);
  });

  it('nemesis seed 45 (378 ops, 29 info) is linearizable within 30k steps', () => {
    const result = check(load('etcd-nemesis-45.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 378, parts: 1 });
    expect(result.steps).toBeLessThan(30_000);
  });

  it('nemesis seed 4 run for 20 s (191 ops, 109 info writes) is linearizable within 10k steps', () => {
    const result = check(load('etcd-nemesis-20s-4.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 191, parts: 1 });
    expect(result.steps).toBeLessThan(10_000);
  });

  it('nemesis seed 4 run for 40 s (311 ops, 210 info writes) is linearizable within 10k steps', () => {
    const result = check(load('etcd-nemesis-40s-4.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 311, parts: 1 });
    expect(result.steps).toBeLessThan(10_000);
  });

  it('nemesis seed 194 (176 ops) is linearizable within 5k steps', () => {
    const result = check(load('etcd-nemesis-194.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 176, parts: 1 });
    expect(result.steps).toBeLessThan(5_000);
  });

  it('nemesis seed history 6 (1648 ops) is linearizable within 50k steps', () => {
    const result = check(load('etcd-nemesis-6.jsonl'));
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 1648, parts: 1 });
    expect(result.steps).toBeLessThan(50_000);
  });
});
