/**
 * Planted-bug benchmark: for each bug, sweep the default `nemesis` scenario from seed 1
 * until the first failure (at most BENCH_BUG_SEEDS seeds, default 500), and, for the bugs
 * the nemesis does not reach, the test scenario that does (test/bugs/scenarios.ts).
 * Prints a markdown table: seeds needed, wall time, the check that caught the bug.
 *
 *   npm run bench:bugs
 */
import { PLANTED_BUGS, type BugName } from '../src/bugs.js';
import nemesis from '../scenarios/nemesis.js';
import { huntBug, type BugHunt } from '../sim/bug-hunt.js';
import type { Scenario } from '../sim/scenario.js';
import { crashStorm, readsAcrossElections, watchNemesis } from '../test/bugs/scenarios.js';

const maxSeeds = Number(process.env.BENCH_BUG_SEEDS ?? 500);
const fallbacks: Partial<Record<BugName, Scenario>> = {
  'vote-before-persist': crashStorm,
  'early-read-index': readsAcrossElections,
  'watch-skips-on-leader-change': watchNemesis,
};

function row(hunt: BugHunt): string {
  const seeds = hunt.seed === null ? `not caught in ${hunt.seedsRun}` : String(hunt.seedsRun);
  const wall = `${(hunt.wallMs / 1000).toFixed(1)} s`;
  return `| \`${hunt.bug}\` | ${hunt.scenario} | ${seeds} | ${wall} | ${hunt.caughtBy ?? '–'} | – |`;
}

console.log('| bug | scenario | seeds to first failure | wall | caught by | shrunk repro |');
console.log('|---|---|---:|---:|---|---|');
for (const bug of PLANTED_BUGS) {
  console.log(row(huntBug(nemesis, bug.name, maxSeeds)));
  const fallback = fallbacks[bug.name];
  if (fallback) console.log(row(huntBug(fallback, bug.name, maxSeeds)));
}
