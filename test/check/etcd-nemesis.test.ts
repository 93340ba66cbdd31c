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
 * before it (176 ops; 24k steps). And clock-skew seed 110753 (1014 ops): ten unknown writes
 * that must all fill the revisions of a leaderless stretch, where the first op's reachability
 * test gave up at its bounds on every visit (1.6M steps, 4 s, before reach.ts stopped exploring
 * such an op after eight give-ups; 67k steps now). All one part: txns join the keys. Budgets are in search steps, so the test is
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

const check = (events: readonly RawEvent[]) => checkHistory(events, { model: 'etcd', maxSteps: 10_000_000 });

/** Each history, what it is, how many ops it has, and the steps it must be decided within. */
const histories: readonly { readonly file: string; readonly what: string; readonly ops: number; readonly steps: number }[] = [
  { file: 'etcd-nemesis-4.jsonl', what: 'nemesis seed history 4 (106 ops, 48 info)', ops: 106, steps: 10_000 },
  { file: 'etcd-nemesis-97.jsonl', what: 'nemesis seed 97 (139 ops, 50 info)', ops: 139, steps: 10_000 },
  { file: 'etcd-nemesis-45.jsonl', what: 'nemesis seed 45 (378 ops, 29 info)', ops: 378, steps: 30_000 },
  { file: 'etcd-nemesis-20s-4.jsonl', what: 'nemesis seed 4 run for 20 s (191 ops, 109 info writes)', ops: 191, steps: 10_000 },
  { file: 'etcd-nemesis-40s-4.jsonl', what: 'nemesis seed 4 run for 40 s (311 ops, 210 info writes)', ops: 311, steps: 10_000 },
  { file: 'etcd-nemesis-194.jsonl', what: 'nemesis seed 194 (176 ops)', ops: 176, steps: 5_000 },
  { file: 'etcd-nemesis-6.jsonl', what: 'nemesis seed history 6 (1648 ops)', ops: 1648, steps: 50_000 },
  { file: 'etcd-clock-skew-110753.jsonl', what: 'clock-skew seed 110753 (1014 ops; ten unknown writes fill a leaderless gap exactly)', ops: 1014, steps: 100_000 },
];

describe('info-heavy nemesis histories', () => {
  it.each(histories)('$what is linearizable within $steps steps', ({ file, ops, steps }) => {
    const result = check(load(file));
    expect(result).toMatchObject({ verdict: 'linearizable', ops, parts: 1 });
    expect(result.steps).toBeLessThan(steps);
  });
});

describe('the step budget bounds the work', () => {
  it('nemesis seed 80926 (132 ops, 55 info): the model transitions computed stay within the budget', () => {
    // Ordering candidates computed ~90 transitions per candidate tried: with only candidates
    // counted, a 2M-step budget took 210 s here. Now transitions count as steps too.
    const budget = 20_000;
    const result = checkHistory(load('etcd-nemesis-80926.jsonl'), { model: 'etcd', maxSteps: budget });
    expect(result).toMatchObject({ verdict: 'unknown', ops: 132, parts: 1 });
    const [part] = result.partResults;
    expect(part.steps).toBeLessThanOrEqual(budget + 2_000);
    // Plus what the guards compute before the search starts (about 6,000 here); counting candidates alone, 597,000.
    expect(part.transitions).toBeLessThanOrEqual(budget + 10_000);
  });
});
