/** Reading and checking history files (kept apart so the checker core has no parser dependency). */
import { readFileSync } from 'node:fs';

import { checkHistory, type CheckOptions, type CheckResult } from './checker.js';
import { HistoryError } from './errors.js';
import type { HistoryEvent } from './events.js';
import { parseHistory } from './parse.js';

/** Parses and checks the text of a history file. Throws HistoryError for bad input. */
export function checkText<S, I, O>(text: string, fileName: string, options: CheckOptions<S, I, O>): CheckResult {
  return checkHistory(parseHistory(text, fileName), { ...options, fileName });
}

/** Reads and parses a history file; an unreadable file is a HistoryError too. */
export function readHistoryFile(path: string): HistoryEvent[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new HistoryError(path, 0, `cannot read file (${code})`);
  }
  return parseHistory(text, path);
}

