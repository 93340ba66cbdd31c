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
 * such an op after eight give-ups; 67k steps now). Four that the simulator's 2M steps left `unknown` (700005 took 12.95M
 * steps to decide, the other three were still `unknown` at 20M):
 * nemesis seeds 700005 and nemesis-hardened 121208, where a key past a read's modRevision held the right version with
 * the wrong value (decided since the last-write guard compares values too), and nemesis-hardened 43 and nemesis 80926,
 * where a key's createRevision was a bound that could only have been revealed as a revision an ok write took (decided
 * since the guards reveal a bound only as a free revision). And nemesis-hardened 800654 (388 ops), where a timed-out
 * put of a key that two later reads saw missing was placed before them (`unknown` at 20M steps before absence.ts).
 * All one part: txns join the keys. Budgets are in search steps, so the test is deterministic; the timeout only keeps
 * a regression short.
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
  { file: 'etcd-nemesis-700005.jsonl', what: 'nemesis seed 700005 (121 ops, 52 info; a version right, its value wrong)', ops: 121, steps: 5_000 },
  { file: 'etcd-nemesis-hardened-121208.jsonl', what: 'nemesis-hardened seed 121208 (101 ops; a version right, its value wrong)', ops: 101, steps: 10_000 },
  { file: 'etcd-nemesis-hardened-43.jsonl', what: 'nemesis-hardened seed 43 (120 ops; a createRevision an ok write took)', ops: 120, steps: 10_000 },
  { file: 'etcd-nemesis-80926.jsonl', what: 'nemesis seed 80926 (132 ops, 55 info; a createRevision an ok write took)', ops: 132, steps: 5_000 },
  { file: 'etcd-nemesis-hardened-800654.jsonl', what: 'nemesis-hardened seed 800654 (388 ops; a put no delete can undo before reads of nothing)', ops: 388, steps: 10_000 },
];

describe('info-heavy nemesis histories', () => {
  it.each(histories)('$what is linearizable within $steps steps', ({ file, ops, steps }) => {
    const result = check(load(file));
    expect(result).toMatchObject({ verdict: 'linearizable', ops, parts: 1 });
    expect(result.steps).toBeLessThan(steps);
  });
});

/**
 * Thirty timed-out txns, each writing a key of its own once key a exists (the compare joins them all to a), two
 * timed-out puts of a, and a read of a at version 4: three writes after its creation, where only two can be. The
 * read is illegal until a has been written, and no single candidate makes it legal, so at every node the search
 * asks each of the ~30 candidates whether it would (a model transition each) and tries few: about 50 transitions per
 * candidate tried. The history is not linearizable, and nothing refutes it short of trying every subset of the txns.
 */
function transitionHeavy(): RawEvent[] {
  const events: RawEvent[] = [];
  let time = 0;
  const at = (e: Omit<RawEvent, 'time'>) => events.push({ ...e, time: time++ } as RawEvent);
  const key = (i: number) => `k${String(i).padStart(2, '0')}`;
  at({ process: 0, type: 'invoke', f: 'put', key: 'a', value: { value: 'x' } });
  at({ process: 0, type: 'ok', f: 'put', key: 'a', value: { value: 'x', revision: 2 } });
  for (let i = 0; i < 30; i++) {
    at({ process: 10 + i, type: 'invoke', f: 'txn', value: { compare: [{ key: 'a', target: 'version', op: '>', value: 0 }], success: [{ f: 'put', key: key(i), value: `v${i}` }], failure: [] } });
  }
  for (const process of [3, 4]) at({ process, type: 'invoke', f: 'put', key: 'a', value: { value: 'x' } });
  at({ process: 1, type: 'invoke', f: 'get', key: 'a', value: null });
  at({ process: 1, type: 'ok', f: 'get', key: 'a', value: { value: 'x', version: 4, createRevision: 2, modRevision: 40 } });
  for (let i = 0; i < 30; i++) at({ process: 10 + i, type: 'info', f: 'txn', value: null });
  for (const process of [3, 4]) at({ process, type: 'info', f: 'put', key: 'a', value: null });
  return events;
}

describe('the step budget bounds the work', () => {
  it('a history whose search computes ~50 model transitions per candidate tried stays within the budget', () => {
    // Counting candidates alone, the same budget computes about 98,000 transitions here (and took 210 s on
    // nemesis seed 80926, before its guards decided it). Transitions count as steps too.
    const budget = 20_000;
    const result = checkHistory(transitionHeavy(), { model: 'etcd', maxSteps: budget });
    expect(result).toMatchObject({ verdict: 'unknown', ops: 34, parts: 1 });
    const [part] = result.partResults;
    expect(part.steps).toBeLessThanOrEqual(budget + 2_000);
    // Plus what the guards compute before the search starts (about 1,200 here).
    expect(part.transitions).toBeLessThanOrEqual(budget + 5_000);
  });
});
