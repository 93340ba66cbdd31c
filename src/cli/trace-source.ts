import { runScenario } from '../../sim/simulation.js';
import { parseTraceFile, toTraceFile, TraceFileError, type TraceFile } from '../../sim/trace-file.js';
import { readUserFile, UsageError } from './errors.js';
import { shellArg } from './format.js';
import { isReproText, readRepro } from './shrink-command.js';

/** A trace to show, read from a trace file or made by running a repro file again. */
export interface TraceSource {
  readonly trace: TraceFile;
  /** How to reproduce it when the trace itself does not say (a repro: `raftsim replay FILE`). */
  readonly command?: string;
  /** What the reader should know about where the trace came from. */
  readonly notes: readonly string[];
}

/** Reads `path` as a trace file or a repro file; anything wrong with it is one usage error naming it. */
export function loadTraceSource(path: string): TraceSource {
  const text = readUserFile(path);
  return isReproText(text) ? traceOfRepro(text, path) : { trace: readTrace(text, path), notes: [] };
}

function readTrace(text: string, path: string): TraceFile {
  try {
    return parseTraceFile(text, path);
  } catch (error) {
    if (error instanceof TraceFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** A repro file holds a scenario and a seed, not a trace: the run it makes is the trace. */
function traceOfRepro(text: string, path: string): TraceSource {
  const repro = readRepro(text, path);
  const result = runScenario(repro.scenario, { seed: repro.seed, trace: 'full', ...(repro.bug ? { bug: repro.bug } : {}) });
  const notes = [`the repro's scenario and seed, run again: trace hash ${result.traceHash}`];
  if (result.traceHash !== repro.traceHash) notes.push(`the run DIVERGED from the repro's recorded hash ${repro.traceHash}: what follows is the run as it goes now`);
  return { trace: toTraceFile(repro.scenario, result), command: `raftsim replay ${shellArg(path)}`, notes };
}
