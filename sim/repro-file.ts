import { z } from 'zod';
import { BUG_NAMES, type BugName } from '../src/bugs.js';
import { defineScenario, scenarioSchema, ScenarioError, type Scenario } from './scenario.js';
import type { ShrinkResult } from './shrink.js';
import { parseJson, validateJson } from './json-file.js';

/**
 * The repro file `raftsim shrink` writes: a scenario with an explicit fault schedule and
 * the seed that fails it, the check it fails and the trace hash it must replay with.
 * Version 1, documented in the README.
 */
export const REPRO_FORMAT = 'raftsim-repro';
export const REPRO_VERSION = 1;

const sizeSchema = z.strictObject({
  faults: z.number().int().nonnegative(),
  ops: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  clients: z.number().int().nonnegative(),
});

const reproSchema = z.strictObject({
  format: z.literal(REPRO_FORMAT),
  version: z.literal(REPRO_VERSION),
  seed: z.number().int(),
  /** The planted bug the failure needs switched on, if any. */
  bug: z.enum(BUG_NAMES).optional(),
  check: z.string().min(1),
  message: z.string(),
  traceHash: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 hex digits'),
  shrunkFrom: z.strictObject({ scenario: z.string(), size: sizeSchema }),
  size: sizeSchema,
  scenario: scenarioSchema,
});

export type ReproFile = Omit<z.output<typeof reproSchema>, 'scenario'> & { readonly scenario: Scenario };

/** What a repro needs of a failure: shrunk, or just written down (see reproOfFailure). */
export type Failure = Pick<ShrinkResult, 'seed' | 'check' | 'message' | 'traceHash' | 'before' | 'after' | 'scenario'>;

export function toReproFile(originalName: string, shrunk: Failure, bug?: BugName): ReproFile {
  return {
    format: REPRO_FORMAT,
    version: REPRO_VERSION,
    seed: shrunk.seed,
    ...(bug ? { bug } : {}),
    check: shrunk.check,
    message: shrunk.message,
    traceHash: shrunk.traceHash,
    shrunkFrom: { scenario: originalName, size: shrunk.before },
    size: shrunk.after,
    scenario: withoutUndefined(shrunk.scenario),
  };
}

export function serializeReproFile(file: ReproFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export class ReproFileError extends Error {}

/** Parses and validates a repro file; errors name the file and the field. */
export function parseReproFile(text: string, source: string): ReproFile {
  const fail = (message: string) => new ReproFileError(message);
  const data = parseJson(text, source, fail);
  const repro = validateJson(reproSchema, data, source, fail);
  try {
    // The scenario's own cross-field rules (node ids, fault times), with paths inside it.
    const scenario = defineScenario((data as { scenario: Scenario }).scenario, `${source}: scenario`);
    return { ...repro, scenario };
  } catch (error) {
    if (error instanceof ScenarioError) throw new ReproFileError(error.message);
    throw error;
  }
}

/** JSON drops undefined fields anyway; dropping them here keeps the object what the file says. */
function withoutUndefined(scenario: Scenario): Scenario {
  return JSON.parse(JSON.stringify(scenario)) as Scenario;
}
