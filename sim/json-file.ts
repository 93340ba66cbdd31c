import type { z } from 'zod';
import { formatIssue } from './scenario.js';

/**
 * The files users hand us (scenarios, traces, repro files) are parsed and validated the
 * same way: a syntax error names its line and column, a schema error the field, and
 * either becomes one line prefixed by the file's name, raised as the caller's error type.
 */
export function parseJson(text: string, source: string, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`${source}: ${jsonErrorLocation(text, error)}`);
  }
}

export function validateJson<Schema extends z.ZodType>(schema: Schema, data: unknown, source: string, fail: (message: string) => Error): z.output<Schema> {
  const result = schema.safeParse(data);
  if (!result.success) throw fail(`${source}: ${formatIssue(result.error.issues[0])}`);
  return result.data;
}

/** Turns JSON.parse's complaint into "line L, column C: message". */
function jsonErrorLocation(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (!match) return `invalid JSON: ${message}`;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: invalid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`;
}
