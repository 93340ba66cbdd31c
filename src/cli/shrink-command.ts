import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseReproFile, ReproFileError, serializeReproFile, toReproFile, type ReproFile } from '../../sim/repro-file.js';
import { NothingToShrink, shrink, type RunSize } from '../../sim/shrink.js';
import { runScenario } from '../../sim/simulation.js';
import { EXIT, UsageError } from './errors.js';
import { countOf, formatCount, shellArg } from './format.js';
import type { Output } from './run-commands.js';
import { resolveBug } from './bugs-command.js';
import { loadScenario } from './scenario-source.js';

export interface ShrinkFlags {
  seed: number;
  bug?: string;
  output?: string;
  force: boolean;
  json: boolean;
  maxRuns: number;
  keepSeed: boolean;
}

export function shrinkCommand(scenarioArg: string, flags: ShrinkFlags, io: Output): number {
  const scenario = loadScenario(scenarioArg);
  const bug = resolveBug(flags.bug);
  const output = flags.output ?? `${scenario.name}-seed-${flags.seed}.repro.json`;
  if (resolve(output) === resolve(scenarioArg)) throw new UsageError(`refusing to write ${output}: it is the scenario file`);
  if (existsSync(output) && !flags.force) throw new UsageError(`refusing to overwrite ${output}: give -o another path, or --force`);
  let result;
  try {
    result = shrink(scenario, {
      seed: flags.seed,
      run: bug ? { bug } : {},
      maxRuns: flags.maxRuns,
      reseed: !flags.keepSeed,
      onRun: (runs, best) => io.progress?.(`\r  ${runs} runs, now ${describeSize(best)}\x1b[K`),
    });
  } catch (error) {
    if (error instanceof NothingToShrink) throw new UsageError(error.message);
    throw error;
  }
  io.progress?.('\r\x1b[K');
  const repro = toReproFile(scenario.name, result, bug);
  writeFileSync(output, serializeReproFile(repro));
  if (flags.json) {
    io.out(JSON.stringify({ file: output, check: result.check, seed: result.seed, before: result.before, after: result.after, runs: result.runs, complete: result.complete, traceHash: result.traceHash }));
  } else {
    io.out(`${scenario.name}  seed ${flags.seed}${bug ? `  bug ${bug}` : ''}  fails ${result.check}: shrunk in ${formatCount(result.runs)} runs${result.complete ? '' : ' (run budget spent: --max-runs for more)'}`);
    io.out(`  before: ${describeSize(result.before)}`);
    io.out(`  after:  ${describeSize(result.after)}`);
    if (result.seed !== flags.seed) io.out(`  seed:   ${flags.seed} → ${result.seed} (the failure hangs on timing: a smaller schedule failed under another seed; --keep-seed stays on ${flags.seed})`);
    io.out(`  ✗ ${result.message}`);
    const file = shellArg(output);
    io.out(`  repro written to ${output}; replay it: raftsim replay ${file}`);
    io.out(`  watch it: raftsim view ${file}; read it: raftsim story ${file}`);
  }
  return EXIT.failed;
}

function describeSize(size: RunSize): string {
  if (size.clients === 0) return `${countOf(size.faults, 'fault')}, ${formatCount(size.durationMs)} ms, no clients`;
  return `${countOf(size.faults, 'fault')}, ${countOf(size.ops, 'op')}, ${formatCount(size.durationMs)} ms, ${countOf(size.clients, 'client')}`;
}

/** Repro files start with their format field (see serializeReproFile). */
export function isReproText(text: string): boolean {
  return /^\{\s*"format"\s*:\s*"raftsim-repro"/.test(text.slice(0, 200));
}

/** A repro file's contents; a bad one is a usage error naming the file and the field. */
export function readRepro(text: string, path: string): ReproFile {
  try {
    return parseReproFile(text, path);
  } catch (error) {
    if (error instanceof ReproFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** `raftsim replay repro.json`: the same failure, with the identical trace hash. */
export function replayRepro(text: string, path: string, flags: { json: boolean }, io: Output): number {
  const repro = readRepro(text, path);
  const result = runScenario(repro.scenario, { seed: repro.seed, trace: 'hash', ...(repro.bug ? { bug: repro.bug } : {}) });
  const identical = result.traceHash === repro.traceHash;
  const first = result.violations[0];
  const sameCheck = first?.invariant === repro.check;
  if (flags.json) {
    io.out(JSON.stringify({ file: path, seed: repro.seed, identical, recordedHash: repro.traceHash, replayedHash: result.traceHash, check: repro.check, reproduced: sameCheck, violations: result.violations }));
  } else {
    const verdict = identical ? 'identical trace' : `trace DIVERGED (recorded ${repro.traceHash}, replayed ${result.traceHash})`;
    io.out(`${path}: replayed seed ${repro.seed}: ${verdict} (hash ${result.traceHash})`);
    if (first) io.out(`  ✗ ${first.invariant} at ${first.time} ms: ${first.message}`);
    if (!sameCheck) io.out(`  the recorded failure (${repro.check}) did not happen`);
  }
  return identical ? EXIT.ok : EXIT.failed;
}
