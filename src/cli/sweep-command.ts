import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serializeReproFile, toReproFile } from '../../sim/repro-file.js';
import type { Scenario } from '../../sim/scenario.js';
import { parseShard, shardRange, type SeedRange } from '../../sim/shard.js';
import { reproOfFailure } from '../../sim/shrink.js';
import { runScenario } from '../../sim/simulation.js';
import { defaultWorkers, SEEDS_PER_WORKER, sweepSeeds, type SeedOutcome } from '../../sim/sweep.js';
import { serializeTraceFile, toTraceFile } from '../../sim/trace-file.js';
import type { BugName } from '../bugs.js';
import { resolveBug } from './bugs-command.js';
import { EXIT, UsageError } from './errors.js';
import { countOf, formatCount, replayCommand } from './format.js';
import { guardOutput, writeFailurePages, type Output } from './run-commands.js';
import { junitReport } from './junit.js';
import { loadScenario } from './scenario-source.js';
import { parseDuration } from '../check/cli.js';

export interface SweepFlags {
  seeds: SeedRange;
  json: boolean;
  trace?: string;
  /** A JUnit XML report for CI: one test case per seed. */
  junit?: string;
  htmlDir?: string;
  reproDir: string;
  /** commander's --no-repros */
  repros: boolean;
  bug?: string;
  workers?: number;
  shard?: string;
  /** A time budget ("10m"): seeds are handed out until it is spent, the ones running finish. */
  for?: string;
}

/** Failing seeds grouped by the check that caught them, in the order first seen. */
function failuresByCheck(failures: readonly SeedOutcome[]): { check: string; seeds: number[] }[] {
  const groups = new Map<string, number[]>();
  for (const failure of failures) {
    const check = failure.violations[0].invariant;
    groups.set(check, [...(groups.get(check) ?? []), failure.seed]);
  }
  return [...groups].map(([check, seeds]) => ({ check, seeds }));
}

/**
 * Below this a time-boxed sweep runs on one thread: on two cores 100 nemesis seeds (about 6 s)
 * take as long on one thread as on two, fewer are faster on one (see SEEDS_PER_WORKER).
 */
const SHORT_BUDGET_MS = 6000;

function parseBudget(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error('expected a positive duration');
    return ms;
  } catch (error) {
    throw new UsageError(`--for: ${(error as Error).message}`);
  }
}

function progressBar(done: number, total: number, failed: number, startedAt: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const perSecond = done / Math.max(0.001, (performance.now() - startedAt) / 1000);
  return `\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} seeds, ${failed} failed, ${perSecond.toFixed(1)} seeds/s\x1b[K`;
}

export async function sweepCommand(scenarioArg: string, flags: SweepFlags, io: Output): Promise<number> {
  const scenario = loadScenario(scenarioArg);
  const bug = resolveBug(flags.bug);
  guardOutput(flags.trace, [scenarioArg]);
  guardOutput(flags.junit, [scenarioArg, ...(flags.trace ? [flags.trace] : [])]);
  let range = flags.seeds;
  if (flags.shard) {
    try {
      range = shardRange(flags.seeds, parseShard(flags.shard));
    } catch (error) {
      throw new UsageError(`--shard: ${(error as Error).message}`);
    }
  }
  const budgetMs = flags.for === undefined ? undefined : parseBudget(flags.for);
  const total = Math.max(0, range.to - range.from + 1);
  // A short time budget is all warm-up: it runs on one thread, as a short range does.
  const shortBudget = budgetMs !== undefined && budgetMs < SHORT_BUDGET_MS;
  const workers = flags.workers ?? (shortBudget ? 1 : defaultWorkers(total));
  const started = performance.now();
  let failed = 0;
  const outcomes = await sweepSeeds({ scenario, run: bug ? { bug } : {} }, range, {
    workers,
    workerUrl: pathToFileURL(join(import.meta.dirname, 'sweep-worker.js')),
    ...(budgetMs === undefined ? {} : { shouldStop: () => performance.now() - started >= budgetMs }),
    onOutcome: (outcome, done) => {
      if (!outcome.ok) failed++;
      io.progress?.(progressBar(done, total, failed, started));
    },
  });
  io.progress?.('\r\x1b[K');
  const wallMs = performance.now() - started;
  // A time budget may end the sweep early: what ran is the first seeds of the range.
  const runs = outcomes.length;
  const ran = { from: range.from, to: range.from + runs - 1 };
  const stoppedEarly = runs < total;
  const failures = outcomes.filter((outcome) => !outcome.ok);
  const undecided = outcomes.filter((outcome) => outcome.undecided).map((outcome) => outcome.seed);
  const events = outcomes.reduce((sum, o) => sum + o.events, 0);
  const simulatedMs = outcomes.reduce((sum, o) => sum + o.simulatedMs, 0);
  const runMs = outcomes.reduce((sum, o) => sum + o.wallMs, 0);
  const checkMs = outcomes.reduce((sum, o) => sum + o.checkMs, 0);
  // A thread's first seeds also pay for the JIT's warm-up: the slowest is looked for among the others when there are any.
  const warm = outcomes.some((o) => !o.cold) ? outcomes.filter((o) => !o.cold) : outcomes;
  const slowest = warm.reduce<SeedOutcome | undefined>((worst, o) => (!worst || o.wallMs > worst.wallMs ? o : worst), undefined);
  const traceSeed = failures.length > 0 ? failures[0].seed : ran.from;
  const pages = flags.htmlDir ? writeFailurePages(scenario, scenarioArg, failures.map((f) => f.seed), flags.htmlDir, bug) : [];
  const repros = flags.repros && failures.length > 0 ? writeRepros(scenario, failures.map((f) => f.seed), flags.reproDir, bug) : [];
  if (flags.trace && runs > 0) {
    const result = runScenario(scenario, { seed: traceSeed, trace: 'full', bug });
    writeFileSync(flags.trace, serializeTraceFile(toTraceFile(scenario, result)));
  }
  if (flags.junit) {
    const reproBySeed = new Map(failures.map((f, i) => [f.seed, repros[i]]));
    const replay = (seed: number) => replayCommand(scenarioArg, seed, '', bug);
    writeFileSync(flags.junit, junitReport({ scenario: scenario.name, bug, seeds: ran, outcomes, wallMs, replay, reproOf: (seed) => reproBySeed.get(seed) }));
  }
  const byCheck = failuresByCheck(failures);
  const seedsPerMinute = (runs / wallMs) * 60_000;
  const eventsPerSecond = events / (wallMs / 1000);
  if (flags.json) {
    io.out(JSON.stringify({
      scenario: scenario.name,
      ...(bug ? { bug } : {}),
      seeds: ran,
      ...(flags.shard ? { shard: flags.shard } : {}),
      runs,
      ...(budgetMs === undefined ? {} : { timeBudgetMs: budgetMs, requested: range, stoppedEarly }),
      workers,
      failures: failures.map(({ seed, violations }) => ({ seed, violations })),
      failuresByCheck: byCheck,
      undecided,
      stats: {
        events,
        simulatedMs,
        wallMs: Math.round(wallMs),
        checkMs: Math.round(checkMs),
        eventsPerSecond: Math.round(eventsPerSecond),
        seedsPerMinute: Math.round(seedsPerMinute),
        slowest: slowest ? { seed: slowest.seed, wallMs: Math.round(slowest.wallMs), checkMs: Math.round(slowest.checkMs) } : null,
      },
      trace: flags.trace && runs > 0 ? { file: flags.trace, seed: traceSeed } : null,
      junit: flags.junit ?? null,
      pages,
      repros,
    }));
  } else {
    const shard = flags.shard ? ` (shard ${flags.shard} of ${flags.seeds.from}..${flags.seeds.to})` : '';
    const budget = stoppedEarly ? ` (the ${flags.for} budget ran out; ${range.from}..${range.to} asked)` : '';
    io.out(`${scenario.name}  seeds ${ran.from}..${ran.to}${shard}${budget}${bug ? `  bug ${bug}` : ''}: ${countOf(runs, 'run')}, ${failures.length} failed`);
    const chosen = flags.workers !== undefined ? '' : shortBudget ? ` (by default one for a budget under ${SHORT_BUDGET_MS / 1000} s)` : ` (by default one per ${SEEDS_PER_WORKER} seeds)`;
    io.out(`  ${formatCount(wallMs)} ms wall on ${workers} worker${workers === 1 ? '' : 's'}${chosen}, ${formatCount(eventsPerSecond)} events/s, ${formatCount(seedsPerMinute)} seeds/minute, ${formatCount(simulatedMs / wallMs)}x real time`);
    if (slowest && runMs > 0) {
      const share = checkMs > 0 ? `; checking histories took ${Math.round((100 * checkMs) / runMs)}% of the run time` : '';
      io.out(`  slowest seed ${slowest.seed}: ${formatCount(slowest.wallMs)} ms (${formatCount(slowest.checkMs)} ms checking)${share}`);
    }
    if (byCheck.length > 0) {
      io.out('');
      io.out('  check                    failing seeds');
      for (const group of byCheck) io.out(`  ${group.check.padEnd(24)} ${String(group.seeds.length).padStart(5)}   first: ${group.seeds.slice(0, 5).join(', ')}${group.seeds.length > 5 ? ', …' : ''}`);
      io.out('');
    }
    if (undecided.length > 0) {
      const first = undecided.slice(0, 5).join(', ') + (undecided.length > 5 ? ', …' : '');
      io.out(`  ${undecided.length} seed${undecided.length === 1 ? '' : 's'} passed undecided: the linearizability check's step budget ran out (first: ${first}; raftsim run shows how to decide one)`);
    }
    const SHOWN = 20;
    for (const failure of failures.slice(0, SHOWN)) {
      const first = failure.violations[0];
      io.out(`  ✗ seed ${failure.seed}: ${first.invariant} at ${first.time} ms: ${first.message}`);
      io.out(`    ${replayCommand(scenarioArg, failure.seed, ' --trace failure.json', bug)}`);
    }
    if (failures.length > SHOWN) io.out(`  … and ${failures.length - SHOWN} more failing seeds (--json lists them all)`);
    if (failures.length > 0) io.out('  then `raftsim story failure.json --last 500` tells what led to it, `raftsim view failure.json` draws it');
    if (flags.trace && runs > 0) io.out(`  trace of seed ${traceSeed} written to ${flags.trace}`);
    if (flags.junit) io.out(`  JUnit report (${countOf(runs, 'test case')}) written to ${flags.junit}`);
    if (flags.htmlDir) io.out(`  ${pages.length} viewer page${pages.length === 1 ? '' : 's'} written to ${flags.htmlDir}`);
    if (repros.length > 0) io.out(`  ${repros.length} repro file${repros.length === 1 ? '' : 's'} written to ${flags.reproDir} (raftsim replay FILE; raftsim shrink to make one smaller)`);
  }
  return failures.length === 0 ? EXIT.ok : EXIT.failed;
}

/** A repro file per failing seed, the nemesis written down as an explicit schedule; never over an existing file. */
function writeRepros(scenario: Scenario, seeds: readonly number[], dir: string, bug?: BugName): string[] {
  mkdirSync(dir, { recursive: true });
  return seeds.map((seed) => {
    let path = join(dir, `${scenario.name}-seed-${seed}${bug ? `-${bug}` : ''}.repro.json`);
    for (let copy = 2; existsSync(path); copy++) path = join(dir, `${scenario.name}-seed-${seed}${bug ? `-${bug}` : ''}.${copy}.repro.json`);
    writeFileSync(path, serializeReproFile(toReproFile(scenario.name, reproOfFailure(scenario, seed, bug ? { bug } : {}), bug)));
    return path;
  });
}
