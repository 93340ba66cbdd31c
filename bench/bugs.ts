/**
 * Planted-bug benchmark: for each bug, sweep the default `nemesis` scenario from seed 1
 * until the first failure (at most BENCH_BUG_SEEDS seeds, default 500), then shrink the
 * failing seed.
 * Prints a markdown table: seeds needed, wall time, the check that caught the bug, and
 * the size of the shrunk repro.
 *
 *   npm run bench:bugs
 */
import { PLANTED_BUGS } from '../src/bugs.js';
import nemesis from '../scenarios/nemesis.js';
import { huntBug, type BugHunt } from '../sim/bug-hunt.js';
import type { Scenario } from '../sim/scenario.js';
import { shrink, type RunSize } from '../sim/shrink.js';

const maxSeeds = Number(process.env.BENCH_BUG_SEEDS ?? 500);
const shrinkRuns = Number(process.env.BENCH_SHRINK_RUNS ?? 150);

/** `0 faults, no clients, 0.1 s` for a repro whose workload the shrinker replaced by plain proposals. */
const size = (s: RunSize) => `${s.faults} fault${s.faults === 1 ? '' : 's'}, ${s.clients === 0 ? 'no clients' : `${s.ops} ops`}, ${(s.durationMs / 1000).toFixed(1)} s`;

function shrunk(scenario: Scenario, hunt: BugHunt): string {
  if (hunt.seed === null) return '–';
  const result = shrink(scenario, { seed: hunt.seed, run: { bug: hunt.bug }, maxRuns: shrinkRuns });
  return `${size(result.before)} → ${size(result.after)} (${result.runs} runs${result.complete ? '' : ', budget spent'})`;
}

function row(scenario: Scenario, hunt: BugHunt): string {
  const seeds = hunt.seed === null ? `not caught in ${hunt.seedsRun}` : String(hunt.seedsRun);
  const wall = `${(hunt.wallMs / 1000).toFixed(1)} s`;
  return `| \`${hunt.bug}\` | ${hunt.scenario} | ${seeds} | ${wall} | ${hunt.caughtBy ?? '–'} | ${shrunk(scenario, hunt)} |`;
}

console.log('| bug | scenario | seeds to first failure | wall | caught by | shrunk repro (before → after) |');
console.log('|---|---|---:|---:|---|---|');
for (const bug of PLANTED_BUGS) {
  console.log(row(nemesis, huntBug(nemesis, bug.name, maxSeeds)));
}
