import { z } from 'zod';
import { BUG_NAMES, type BugName } from '../src/bugs.js';
import { parseJson, validateJson } from './json-file.js';
import { scenarioSchema, type Scenario } from './scenario.js';
import type { LinearizabilityReport } from './kv-checks.js';
import type { RunResult } from './simulation.js';
import type { FaultProfile } from './swarm.js';
import type { TraceEvent } from './trace.js';

/**
 * The trace file: a run's scenario, seed and verdict, and every event. Version 1.
 * `raftsim replay` re-runs it; `raftsim view` draws it. Documented in the README.
 */
export const TRACE_FORMAT = 'raftsim-trace';
export const TRACE_VERSION = 1;

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly scenario: Scenario;
  readonly seed: number;
  /** The planted bug the run had switched on (absent: none), so `replay` switches it on again. */
  readonly bug?: BugName;
  readonly ok: boolean;
  readonly violations: RunResult['violations'];
  /** The run's statistics without its wall times, so the same seed writes the same bytes. */
  readonly stats: Omit<RunResult['stats'], 'wallMs' | 'checkMs'>;
  readonly traceHash: string;
  /** The checker's verdict on the clients' history, when the workload has a model. */
  readonly linearizability?: Omit<LinearizabilityReport, 'wallMs'>;
  /** The nemesis's fault profile (drawn per seed under swarm testing). */
  readonly profile?: FaultProfile;
  readonly events: readonly TraceEvent[];
}

export function toTraceFile(scenario: Scenario, result: RunResult): TraceFile {
  const { wallMs: _wallMs, checkMs: _checkMs, ...stats } = result.stats;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    scenario,
    seed: result.seed,
    ...(result.bug ? { bug: result.bug } : {}),
    ok: result.ok,
    violations: result.violations,
    stats,
    traceHash: result.traceHash,
    ...(result.linearizability ? { linearizability: withoutWallTime(result.linearizability) } : {}),
    ...(result.profile ? { profile: result.profile } : {}),
    events: result.events,
  };
}

function withoutWallTime({ wallMs: _wallMs, ...rest }: LinearizabilityReport): Omit<LinearizabilityReport, 'wallMs'> {
  return rest;
}

/** One event per line inside the array, so a trace diffs and greps well. */
export function serializeTraceFile(file: TraceFile): string {
  const { events, ...header } = file;
  const head = JSON.stringify(header);
  const body = events.map((event) => JSON.stringify(event)).join(',\n');
  return `${head.slice(0, -1)},"events":[\n${body}\n]}\n`;
}

const traceHeaderSchema = z.looseObject({
  format: z.literal(TRACE_FORMAT),
  version: z.literal(TRACE_VERSION),
  scenario: scenarioSchema,
  seed: z.number().int(),
  bug: z.enum(BUG_NAMES).optional(),
  traceHash: z.string(),
  events: z.array(z.looseObject({ t: z.number(), k: z.string() })),
});

export class TraceFileError extends Error {}

/** Parses and validates a trace file; errors name the file and the field. */
export function parseTraceFile(text: string, source: string): TraceFile {
  const fail = (message: string) => new TraceFileError(message);
  const data = parseJson(text, source, fail);
  validateJson(traceHeaderSchema, data, source, fail);
  // What was validated, as the file has it (the schema's copy would cost a large trace twice).
  return data as TraceFile;
}
