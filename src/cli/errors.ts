import { readFileSync } from 'node:fs';

/** Bad usage or bad input: the CLI prints the one-line message and exits 2. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2, unknown: 3 } as const;

/** The text of a file the user named; one that cannot be read is a usage error saying why, in words. */
export function readUserFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: ${unreadable(error)}`);
  }
}

function unreadable(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
      return 'permission denied';
    default:
      return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
  }
}
