import { closeSync, fdatasyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

/**
 * Replaces `file` with `bytes` all or nothing: written whole under `tempName` beside it,
 * fsynced, renamed into place, and the directory fsynced. A crash leaves the old file or the new.
 */
export function writeFileDurably(file: string, bytes: Buffer, tempName: string): void {
  const temp = join(dirname(file), tempName);
  const fd = openSync(temp, 'w');
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  syncDirectory(dirname(file));
}
