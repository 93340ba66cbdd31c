import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../raft/types.js';
import { encodeRecord } from '../storage/record.js';
import { syncDirectory, writeFileDurably } from './fs-util.js';
import { decodeRecordAt } from './wal.js';

/**
 * Raft snapshots as files, as etcd's snapshotter keeps them: `snap/<term>-<index>.snap`
 * (16 hex digits each), written under a temporary name, fsynced, renamed and the directory
 * fsynced, so a crash leaves either the whole file or none. A file holds two checksummed
 * records (src/storage/record.ts): a JSON header with the metadata, then the state
 * machine's data as it is, so a large store is not escaped into a JSON string a second time.
 * A file that fails its checks is renamed `<name>.broken` (etcd does the same) and skipped.
 */

export const SNAP_DIR = 'snap';
export const SNAP_FORMAT = 'raftsim-snap';
export const SNAP_VERSION = 1;
const NAME = /^([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

export interface SnapFile {
  readonly name: string;
  readonly path: string;
  readonly term: number;
  readonly index: number;
}

interface SnapHeader {
  readonly format: string;
  readonly version: number;
  readonly clusterId: string;
  readonly metadata: Snapshot['metadata'];
}

/** A snapshot file that cannot be used; `reason` says why, for the log line. */
export class SnapError extends Error {}

export const snapName = (term: number, index: number): string =>
  `${term.toString(16).padStart(16, '0')}-${index.toString(16).padStart(16, '0')}.snap`;

export class Snapshotter {
  constructor(
    readonly dir: string,
    private readonly clusterId: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** The snapshot files, newest (highest index) first. Temporaries and broken files are not listed. */
  list(): SnapFile[] {
    const files: SnapFile[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = NAME.exec(name);
      if (match) files.push({ name, path: join(this.dir, name), term: parseInt(match[1], 16), index: parseInt(match[2], 16) });
    }
    return files.sort((a, b) => b.index - a.index || b.term - a.term);
  }

  /** Reads and checks one file; throws SnapError naming what is wrong with it. */
  load(file: SnapFile): Snapshot {
    const buf = readFileSync(file.path);
    const head = decodeRecordAt(buf, 0);
    if (!head.ok) throw new SnapError(`${file.path}: header record ${head.reason}`);
    let header: SnapHeader;
    try {
      header = JSON.parse(head.payload) as SnapHeader;
    } catch {
      throw new SnapError(`${file.path}: header passed its checksum but is not JSON`);
    }
    if (header.format !== SNAP_FORMAT) throw new SnapError(`${file.path}: not a raftsim snapshot`);
    if (header.version !== SNAP_VERSION) throw new SnapError(`${file.path}: snapshot version ${header.version} is not supported (expected ${SNAP_VERSION})`);
    if (header.clusterId !== this.clusterId) throw new SnapError(`${file.path}: belongs to another cluster`);
    const { metadata } = header;
    if (metadata?.index !== file.index || metadata.term !== file.term) throw new SnapError(`${file.path}: its metadata (index ${metadata?.index}, term ${metadata?.term}) does not match its name`);
    const body = decodeRecordAt(buf, head.end);
    if (!body.ok) throw new SnapError(`${file.path}: data record ${body.reason}`);
    if (body.end !== buf.length) throw new SnapError(`${file.path}: ${buf.length - body.end} bytes after the data record`);
    return { metadata, data: body.payload };
  }

  /** Moves a damaged file aside so it is never read again, but kept for a post-mortem. */
  quarantine(file: SnapFile): string {
    const broken = `${file.path}.broken`;
    renameSync(file.path, broken);
    syncDirectory(this.dir);
    return broken;
  }

  /** Writes `snapshot` durably; returns the file's path and size. */
  save(snapshot: Snapshot): { path: string; bytes: number } {
    const { index, term } = snapshot.metadata;
    const header: SnapHeader = { format: SNAP_FORMAT, version: SNAP_VERSION, clusterId: this.clusterId, metadata: snapshot.metadata };
    const bytes = Buffer.from(encodeRecord(JSON.stringify(header)) + encodeRecord(snapshot.data), 'utf8');
    const path = join(this.dir, snapName(term, index));
    writeFileDurably(path, bytes, `.${snapName(term, index)}.tmp`);
    return { path, bytes: bytes.length };
  }

  /**
   * Keeps the newest `keep` files. The WAL starts at the older of the two kept (see
   * Member), so either can start the member: a damaged newest one falls back to the other.
   */
  purge(keep = 2): string[] {
    const removed: string[] = [];
    for (const file of this.list().slice(keep)) {
      unlinkSync(file.path);
      removed.push(file.name);
    }
    for (const name of readdirSync(this.dir)) {
      // A temporary left by a crash mid-save is never complete: the rename did not happen.
      if (name.startsWith('.') && name.endsWith('.tmp')) unlinkSync(join(this.dir, name));
    }
    return removed;
  }
}
