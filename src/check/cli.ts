/**
 * `raftsim check <history...> --model register|kv|etcd [--json] [--timeout 30s] [--max-steps N]`
 * (the lead wires runCheck into commander).
 *
 * Exit codes: 1 if any history is not linearizable, else 2 if any input was bad,
 * else 3 if any verdict is unknown, else 0. A found bug outranks a broken file so
 * a sweep over a directory never hides it.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkHistory, operationsOf, type CheckResult, type Verdict } from './checker.js';
import { HistoryError, oneLine } from './errors.js';
import { readHistoryFile } from './file.js';
import { modelByName, MODEL_NAMES } from './models/index.js';
import { describeResult, type CheckBudget } from './report.js';
import { checkOperationRevisions, type RevisionViolation } from './revisions.js';
import { checkSerializableReads, type SerializableViolation } from './serializable.js';

export interface RunCheckOptions extends CheckBudget {
  readonly model: string;
  readonly json: boolean;
  /** etcd: the history holds every write to a store that began empty, so no revision may be skipped (as `raftsim run` checks). */
  readonly everyWrite?: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "500ms" | "30s" | "2m" | "1h" | "1.5s" -> milliseconds; a bare number means seconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (match === null) throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. 500ms, 30s, 2m)`);
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 's']);
}

const EXTENSIONS = ['.json', '.jsonl', '.edn'];

/** Files to check: directories expand to their .json/.jsonl/.edn files, sorted by name. */
export function expandPaths(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch {
      // Let reading the file report it.
    }
    if (!isDirectory) {
      files.push(path);
      continue;
    }
    const names = readdirSync(path)
      .filter((name) => EXTENSIONS.some((ext) => name.endsWith(ext)))
      .sort();
    for (const name of names) files.push(join(path, name));
  }
  return files;
}

interface FileOutcome {
  readonly verdict: Verdict | 'error';
}

function checkFile(file: string, options: RunCheckOptions, out: (line: string) => void, err: (line: string) => void): FileOutcome {
  let result: CheckResult;
  let revisions: RevisionViolation[] | undefined;
  let serializable: SerializableViolation[] | undefined;
  try {
    const events = readHistoryFile(file);
    result = checkHistory(events, { model: options.model, timeoutMs: options.timeoutMs, maxSteps: options.maxSteps, fileName: file });
    if (options.model === 'etcd') {
      const { ops } = operationsOf(events, 'etcd', file);
      revisions = checkOperationRevisions(ops, { contiguous: options.everyWrite === true }).violations;
      serializable = checkSerializableReads(ops);
    }
  } catch (e) {
    if (!(e instanceof HistoryError)) throw e;
    err(e.message);
    if (options.json) out(JSON.stringify({ file, verdict: 'error', error: e.message }));
    return { verdict: 'error' };
  }
  const inconsistent = (revisions?.length ?? 0) > 0 || (serializable?.length ?? 0) > 0;
  const verdict: Verdict = inconsistent ? 'not-linearizable' : result.verdict;
  if (options.json) {
    const line: Record<string, unknown> = {
      file,
      verdict,
      ops: result.ops,
      parts: result.parts,
      steps: result.steps,
      wallMs: result.wallMs,
      counterexample: result.counterexample ?? null,
    };
    if (result.ranOut !== undefined) line.ranOut = result.ranOut;
    if (revisions !== undefined) line.revisionViolations = revisions;
    if (serializable !== undefined) line.serializableViolations = serializable;
    out(JSON.stringify(line));
  } else {
    for (const line of describeResult(file, result, options, revisions, serializable)) out(line);
  }
  return { verdict };
}

export async function runCheck(paths: string[], options: RunCheckOptions, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  if (modelByName(options.model) === undefined) {
    err(`unknown model ${JSON.stringify(options.model)} (expected ${MODEL_NAMES.join(', ')})`);
    return 2;
  }
  if (paths.length === 0) {
    err('no history files given');
    return 2;
  }
  if (options.everyWrite && options.model !== 'etcd') {
    err(`--every-write is about etcd revisions: it needs --model etcd, not ${options.model}`);
    return 2;
  }
  const verdicts = new Set<FileOutcome['verdict']>();
  let files: string[];
  try {
    files = expandPaths(paths);
  } catch (e) {
    err(oneLine(e instanceof Error ? e.message : String(e)));
    return 2;
  }
  if (files.length === 0) {
    err(`no .json, .jsonl or .edn files in ${paths.join(', ')}`);
    return 2;
  }
  for (const file of files) {
    verdicts.add(checkFile(file, options, out, err).verdict);
    // Let output flush and signals arrive between files.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (verdicts.has('not-linearizable')) return 1;
  if (verdicts.has('error')) return 2;
  if (verdicts.has('unknown')) return 3;
  return 0;
}
