/**
 * Linearizability checker benchmark: seeded register histories of 1k, 10k and
 * 100k operations, few and many keys, linearizable and not; prints a markdown
 * table. Imports only src/check modules that need no packages, and node builtins.
 *
 *   npx esbuild bench/check.ts --bundle --platform=node --format=esm --packages=external --outfile=/tmp/bench-check.mjs && node /tmp/bench-check.mjs
 */
import { checkHistory } from '../src/check/checker.js';
import { generateRegisterHistory } from '../src/check/generate.js';
import { registerModel } from '../src/check/models/register.js';

interface Case {
  readonly ops: number;
  readonly processes: number;
  readonly keys: number;
  readonly corrupt: 'none' | 'stale-read' | 'bogus-read';
}

const cases: Case[] = [];
for (const ops of [1_000, 10_000, 100_000]) {
  for (const processes of [5, 50]) {
    for (const keys of [1, Math.max(10, ops / 100)]) {
      cases.push({ ops, processes, keys, corrupt: 'none' });
      cases.push({ ops, processes, keys, corrupt: 'stale-read' });
    }
  }
}

const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 60_000);
console.log('| ops | processes | keys | history | verdict | ms | steps | cache entries |');
console.log('|---:|---:|---:|---|---|---:|---:|---:|');
for (const c of cases) {
  const { events } = generateRegisterHistory({ seed: `bench-${c.ops}-${c.processes}-${c.keys}-${c.corrupt}`, ...c, infoRate: 0.005 });
  const result = checkHistory(events, { model: registerModel, timeoutMs });
  const kind = c.corrupt === 'none' ? 'linearizable' : c.corrupt;
  console.log(`| ${c.ops} | ${c.processes} | ${c.keys} | ${kind} | ${result.verdict} | ${result.wallMs.toFixed(1)} | ${result.steps} | ${result.cacheEntries} |`);
}
