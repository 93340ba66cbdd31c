/**
 * Jepsen `history.edn`: a sequence of maps, usually one per line, sometimes
 * wrapped in a vector or pretty-printed over several lines. edn-data parses a
 * form but is lenient about broken input and does not know line numbers, so we
 * first split the text into top-level forms ourselves (which also catches
 * unbalanced brackets and unterminated strings), then parse each form.
 */
import { parseEDNString } from 'edn-data';
import { FieldError, HistoryError } from './errors.js';

export interface Form {
  readonly text: string;
  readonly line: number;
}

const OPEN = '([{';
const CLOSE = ')]}';

/**
 * Top-level forms of `text`. If the whole file is a single vector, its elements
 * are returned instead (a history written as one big vector).
 */
export function splitForms(text: string, file: string): Form[] {
  const top: { start: number; line: number; end: number }[] = [];
  const inner: { start: number; line: number; end: number }[] = [];
  const stack: { char: string; line: number }[] = [];
  let line = 1;
  let current: { start: number; line: number; end: number } | undefined;
  let element: { start: number; line: number; end: number } | undefined;
  const delimiter = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || OPEN.includes(c) || CLOSE.includes(c) || c === '"' || c === ';';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === ',') continue;
    if (c === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (stack.length === 0 && current === undefined) current = { start: i, line, end: -1 };
    if (stack.length === 1 && stack[0].char === '[' && element === undefined && !CLOSE.includes(c)) element = { start: i, line, end: -1 };
    if (c === '"') {
      const startLine = line;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
        i++;
      }
      if (i >= text.length) throw new HistoryError(file, startLine, 'invalid EDN: unterminated string');
    } else if (c === '\\') {
      i++; // a character literal: the next char is data, even a bracket
    } else if (OPEN.includes(c)) {
      stack.push({ char: c, line });
    } else if (CLOSE.includes(c)) {
      const open = stack.pop();
      if (open === undefined) throw new HistoryError(file, line, `invalid EDN: unexpected "${c}"`);
      if (OPEN.indexOf(open.char) !== CLOSE.indexOf(c)) {
        throw new HistoryError(file, line, `invalid EDN: "${c}" does not close "${open.char}" from line ${open.line}`);
      }
    } else {
      // An atom: skip to its end. A `#tag` or `#` (set) prefix belongs to the next form.
      const start = i;
      while (i + 1 < text.length && !delimiter(text[i + 1])) i++;
      if (text[start] === '#') continue;
    }
    if (element !== undefined && stack.length === 1) {
      element.end = i + 1;
      inner.push(element);
      element = undefined;
    }
    if (stack.length === 0 && current !== undefined) {
      current.end = i + 1;
      top.push(current);
      current = undefined;
      element = undefined;
    }
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new HistoryError(file, open.line, `invalid EDN: "${open.char}" is never closed`);
  }
  const singleVector = top.length === 1 && text[top[0].start] === '[';
  const chosen = singleVector ? inner : top;
  return chosen.map((f) => ({ text: text.slice(f.start, f.end), line: f.line }));
}

/** Converts edn-data output to plain JSON-like values Jepsen histories need. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    // A tagged literal such as #jepsen.history.Op{...}: keep the payload.
    if (typeof o.tag === 'string' && 'val' in o && Object.keys(o).length === 2) return plain(o.val);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = plain(v);
    return out;
  }
  return value;
}

export function parseEdnForm(form: Form, file: string): unknown {
  let value: unknown;
  try {
    value = parseEDNString(form.text, {
      mapAs: 'object',
      keywordAs: 'string',
      listAs: 'array',
      setAs: 'array',
      charAs: 'string',
      symbolAs: 'string',
    });
  } catch (e) {
    throw new HistoryError(file, form.line, `invalid EDN: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (value === null && form.text.trim() !== 'nil') {
    throw new HistoryError(file, form.line, 'invalid EDN: could not parse form');
  }
  return plain(value);
}

export { FieldError };
