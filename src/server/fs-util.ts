import { closeSync, fdatasyncSync, openSync } from 'node:fs';

/** A new file's name is durable only once its directory is synced. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fdatasyncSync(fd);
  } catch {
    // Some file systems refuse to sync a directory; the rename is then as durable as they allow.
  } finally {
    closeSync(fd);
  }
}
