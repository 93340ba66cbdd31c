/**
 * Errors for malformed histories. The CLI prints `message` as-is, so it must
 * stay a single line that names the file, the line and the offending field.
 */

/** A problem with one field of one event, before we know which file/line it came from. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`field "${field}": ${detail}`);
    this.name = 'FieldError';
  }
}

/** A malformed history: `file:line: what is wrong`. */
export class HistoryError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}${line > 0 ? `:${line}` : ""}: ${oneLine(detail)}`);
    this.name = 'HistoryError';
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Short, single-line rendering of a value for error messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
