/**
 * Reading history files: JSON array, JSON Lines, or Jepsen EDN, detected by
 * content first (the extension only breaks ties, e.g. for an empty file).
 */
import { parseEdnForm, splitForms } from './edn.js';
import { FieldError, HistoryError } from './errors.js';
import { toEvent, type HistoryEvent } from './events.js';

export type HistoryFormat = 'json' | 'jsonl' | 'edn';

function extension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function firstNonSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s|,/.test(text[i])) i++;
  return i;
}

export function detectFormat(text: string, fileName: string): HistoryFormat {
  const i = firstNonSpace(text, 0);
  const c = text[i];
  if (c === '[') {
    const next = text[firstNonSpace(text, i + 1)];
    if (next === '{') {
      const after = text[firstNonSpace(text, firstNonSpace(text, i + 1) + 1)];
      return after === ':' ? 'edn' : 'json';
    }
    if (next === ']' || next === undefined) return extension(fileName) === 'edn' ? 'edn' : 'json';
    return extension(fileName) === 'edn' ? 'edn' : 'json';
  }
  if (c === '{') {
    const next = text[firstNonSpace(text, i + 1)];
    if (next === ':') return 'edn';
    if (next === '"' || next === '}') return 'jsonl';
  }
  if (c === ';' || c === '#') return 'edn';
  const ext = extension(fileName);
  if (ext === 'edn') return 'edn';
  if (ext === 'json') return 'json';
  return 'jsonl';
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON.parse reports "position N"; turn that into a line number when present. */
function jsonErrorLine(text: string, error: unknown, baseLine: number): number {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  return match ? baseLine + lineAt(text, Number(match[1])) - 1 : baseLine;
}

function jsonMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `invalid JSON: ${message.split('\n')[0]}`;
}

function event(raw: unknown, index: number, line: number, file: string): HistoryEvent {
  try {
    return toEvent(raw, index, line);
  } catch (e) {
    if (e instanceof FieldError) throw new HistoryError(file, line, e.message);
    throw e;
  }
}

/** Start lines of the elements of a top-level JSON array (text is valid JSON). */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    else if (c === '"') {
      if (depth === 1 && expectElement) {
        lines.push(line);
        expectElement = false;
      }
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '[' || c === '{') {
      if (depth === 1 && expectElement) {
        lines.push(line);
        expectElement = false;
      }
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
    else if (depth === 1 && expectElement && !/\s/.test(c)) {
      lines.push(line);
      expectElement = false;
    }
  }
  return lines;
}

function parseJsonArray(text: string, file: string): HistoryEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HistoryError(file, jsonErrorLine(text, e, 1), jsonMessage(e));
  }
  if (!Array.isArray(data)) throw new HistoryError(file, 1, 'expected a JSON array of events');
  const lines = arrayElementLines(text);
  return data.map((raw, i) => event(raw, i, lines[i] ?? 1, file));
}

function parseJsonLines(text: string, file: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const source = lines[n].trim();
    if (source === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(source);
    } catch (e) {
      throw new HistoryError(file, n + 1, jsonMessage(e));
    }
    events.push(event(raw, events.length, n + 1, file));
  }
  return events;
}

function parseEdn(text: string, file: string): HistoryEvent[] {
  return splitForms(text, file).map((form, i) => event(parseEdnForm(form, file), i, form.line, file));
}

/** Parses a history file's text. Throws HistoryError (one line: file:line: problem). */
export function parseHistory(text: string, fileName: string, format?: HistoryFormat): HistoryEvent[] {
  switch (format ?? detectFormat(text, fileName)) {
    case 'json':
      return parseJsonArray(text, fileName);
    case 'jsonl':
      return parseJsonLines(text, fileName);
    case 'edn':
      return parseEdn(text, fileName);
  }
}
