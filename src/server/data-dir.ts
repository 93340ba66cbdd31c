import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SNAP_DIR } from './snap.js';

/**
 * A member's data directory holds `raftsim.wal`, whose header record names the member and
 * its cluster (src/server/wal.ts), and `snap/`, its snapshot files (src/server/snap.ts). A directory that holds anything else, or a
 * path that is a plain file, is not ours and is refused rather than written into.
 */

export const WAL_FILE = 'raftsim.wal';

/** The data directory cannot be used: one line, exit 2. */
export class DataDirError extends Error {}

/** Returns the WAL's path, creating the directory when it does not exist. */
export function openDataDir(dir: string): string {
  const walFile = checkDataDir(dir);
  mkdirSync(dir, { recursive: true });
  return walFile;
}

/** Returns the WAL's path if `dir` is ours or does not exist yet; creates nothing. */
export function checkDataDir(dir: string): string {
  if (!existsSync(dir)) return join(dir, WAL_FILE);
  if (!statSync(dir).isDirectory()) throw new DataDirError(`--data-dir ${dir}: exists and is not a directory`);
  // Dot files are the WAL's own temporaries (and editors' litter): never someone's data.
  const foreign = readdirSync(dir).filter((name) => name !== WAL_FILE && name !== SNAP_DIR && !name.startsWith('.'));
  if (foreign.length > 0) {
    const listed = `${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}`;
    throw new DataDirError(`--data-dir ${dir}: not a raftsim data directory (it holds ${listed})`);
  }
  return join(dir, WAL_FILE);
}
