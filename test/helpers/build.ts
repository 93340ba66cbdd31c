import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RAFTSIM = join(ROOT, 'dist', 'raftsim.js');

/** Tests that run the real command need the bundle; `npm test` builds it, this covers a bare `vitest`. */
export function ensureBuilt(): void {
  if (!existsSync(RAFTSIM) || statSync(RAFTSIM).size === 0) execFileSync('node', ['build.mjs'], { cwd: ROOT });
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `raftsim` command (in `cwd`, by default the current directory). */
export function runRaftsim(args: readonly string[], cwd?: string): CommandResult {
  const result = spawnSync('node', [RAFTSIM, ...args], { encoding: 'utf8', ...(cwd ? { cwd } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
