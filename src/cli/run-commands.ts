import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scenarios } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';
import { firstDivergence } from '../../sim/trace.js';
import { parseTraceFile, serializeTraceFile, toTraceFile, TraceFileError } from '../../sim/trace-file.js';
import { historyToJsonLines } from '../../sim/history.js';
import type { Scenario } from '../../sim/scenario.js';
import type { BugName } from '../bugs.js';
import { writeViewerHtml } from './view.js';
import { EXIT, readUserFile, UsageError } from './errors.js';
import { formatCount, formatRun, replayCommand, runJson } from './format.js';
import { loadScenario } from './scenario-source.js';
import { resolveBug } from './bugs-command.js';
import { isReproText, replayRepro } from './shrink-command.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Progress goes to a terminal only; CI logs stay clean. */
  progress?(line: string): void;
}

export function listCommand(io: Output): number {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const scenario of scenarios) io.out(`${scenario.name.padEnd(width)}  ${scenario.description}`);
  return EXIT.ok;
}

export interface RunFlags {
  seed: number;
  json: boolean;
  trace?: string;
  history?: string;
  html?: string;
  /** A planted bug to switch on (`raftsim bugs` lists them). */
  bug?: string;
}

export function runCommand(scenarioArg: string, flags: RunFlags, io: Output): number {
  const scenario = loadScenario(scenarioArg);
  const bug = resolveBug(flags.bug);
  guardOutput(flags.trace, [scenarioArg]);
  guardOutput(flags.history, [scenarioArg, ...(flags.trace ? [flags.trace] : [])]);
  guardOutput(flags.html, [scenarioArg, ...(flags.trace ? [flags.trace] : []), ...(flags.history ? [flags.history] : [])]);
  const result = runScenario(scenario, { seed: flags.seed, trace: flags.trace || flags.html ? 'full' : 'hash', bug });
  const traceFile = toTraceFile(scenario, result);
  if (flags.trace) writeFileSync(flags.trace, serializeTraceFile(traceFile));
  if (flags.html) writeViewerHtml(flags.html, traceFile, { command: replayCommand(scenarioArg, result.seed, '', bug) });
  if (flags.history) writeFileSync(flags.history, historyToJsonLines(result.history));
  if (flags.json) io.out(JSON.stringify(runJson(result)));
  else {
    for (const line of formatRun(result, scenarioArg)) io.out(line);
    if (flags.trace) io.out(`  trace written to ${flags.trace}`);
    if (flags.history) io.out(`  history (${formatCount(result.history.length)} events) written to ${flags.history}`);
    if (flags.html) io.out(`  viewer page written to ${flags.html}`);
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

export function replayCommandRun(tracePath: string, flags: { json: boolean }, io: Output): number {
  const text = readUserFile(tracePath);
  if (isReproText(text)) return replayRepro(text, tracePath, flags, io);
  let recorded;
  try {
    recorded = parseTraceFile(text, tracePath);
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
  const result = runScenario(recorded.scenario, { seed: recorded.seed, trace: 'full', bug: recorded.bug });
  const identical = result.traceHash === recorded.traceHash;
  const divergence = identical ? -1 : firstDivergence(recorded.events, result.events);
  if (flags.json) {
    io.out(JSON.stringify({
      file: tracePath,
      scenario: recorded.scenario.name,
      seed: recorded.seed,
      ...(recorded.bug ? { bug: recorded.bug } : {}),
      identical,
      recordedHash: recorded.traceHash,
      replayedHash: result.traceHash,
      firstDivergence: divergence < 0 ? null : { index: divergence, recorded: recorded.events[divergence] ?? null, replayed: result.events[divergence] ?? null },
      ok: result.ok,
    }));
  } else if (identical) {
    io.out(`${tracePath}: replayed ${recorded.scenario.name} seed ${recorded.seed}${recorded.bug ? ` bug ${recorded.bug}` : ''}: identical trace (${formatCount(result.events.length)} events, hash ${result.traceHash})`);
    for (const v of result.violations) io.out(`  ✗ ${v.invariant} at ${v.time} ms: ${v.message}`);
  } else {
    io.out(`${tracePath}: replay DIVERGED: recorded hash ${recorded.traceHash}, replayed ${result.traceHash}`);
    io.out(`  first divergent event #${divergence}:`);
    io.out(`    recorded: ${JSON.stringify(recorded.events[divergence] ?? '(end of trace)')}`);
    io.out(`    replayed: ${JSON.stringify(result.events[divergence] ?? '(end of trace)')}`);
  }
  return identical ? EXIT.ok : EXIT.failed;
}

/** Re-runs each failing seed with the trace on and writes its viewer page; returns the paths. */
export function writeFailurePages(scenario: Scenario, scenarioArg: string, seeds: readonly number[], dir: string, bug?: BugName): string[] {
  mkdirSync(dir, { recursive: true });
  return seeds.map((seed) => {
    const result = runScenario(scenario, { seed, trace: 'full', bug });
    const path = join(dir, `${scenario.name}-seed-${seed}.html`);
    writeViewerHtml(path, toTraceFile(scenario, result), { command: replayCommand(scenarioArg, seed, '', bug) });
    return path;
  });
}

/** Refuses to write an output over one of the user's inputs. */
export function guardOutput(output: string | undefined, inputs: readonly string[]): void {
  if (!output) return;
  for (const input of inputs) {
    if (resolve(output) === resolve(input)) throw new UsageError(`refusing to write ${output}: it is also ${input}, an input or another output`);
  }
}
