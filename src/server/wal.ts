import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Entry, HardState } from '../raft/types.js';
import { decodeRecord, encodeRecord } from '../storage/record.js';
import { FSYNC_BUCKETS, Histogram } from './metrics.js';

/**
 * The real server's write-ahead log: one append-only file of checksummed records
 * (src/storage/record.ts), the on-disk twin of sim/disk.ts. The first record names the
 * format, so a foreign file is refused; then come `entries` records (which replace any
 * stored entries from their first index on, as a follower's log truncation does) and
 * `hardState` records (the last one wins).
 */

export const WAL_FORMAT = 'raftsim-wal';
export const WAL_VERSION = 1;

type WalRecord =
  | ({ readonly kind: 'header'; readonly format: string; readonly version: number } & WalIdentity)
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState };

/** Whose log this is: a member of a cluster. A WAL of another member or cluster is refused. */
export interface WalIdentity {
  readonly member: number;
  readonly name: string;
  readonly clusterId: string;
}

export interface WalState {
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
}

/** What recovery found at the end of the file. */
export interface WalRecovery {
  readonly records: number;
  /** Bytes cut off the end: a record a crash left half written (0 when the tail was clean). */
  readonly tornBytes: number;
  readonly tornOffset: number;
}

/** The log cannot be trusted: damage before the last record, or not our file at all. Exit 2. */
export class WalError extends Error {}

const EMPTY_HARD_STATE: HardState = { term: 0, vote: 0, commit: 0 };
/** A record header is `<hex length>:<hex crc32>:`, at most 8 hex digits each. */
const MAX_HEADER_BYTES = 18;

/** Decodes the record at byte `offset`; `end` is the byte offset of the next one. */
export function decodeRecordAt(buf: Buffer, offset: number): { ok: true; payload: string; end: number } | { ok: false; reason: string } {
  const first = buf.indexOf(0x3a, offset);
  const second = first < 0 ? -1 : buf.indexOf(0x3a, first + 1);
  if (second < 0 || second - offset > MAX_HEADER_BYTES) return { ok: false, reason: 'incomplete header' };
  const lengthText = buf.toString('latin1', offset, first);
  if (!/^[0-9a-f]{1,8}$/.test(lengthText)) return { ok: false, reason: 'malformed header' };
  const end = second + 1 + parseInt(lengthText, 16) + 1;
  if (end > buf.length) return { ok: false, reason: 'incomplete payload' };
  // Only this record's bytes go to the codec, so recovery stays linear in the file size.
  const decoded = decodeRecord(buf.toString('utf8', offset, end));
  return decoded.ok ? { ok: true, payload: decoded.payload, end } : decoded;
}

/**
 * Reads a WAL file's bytes. A record that fails its length or checksum is a torn tail
 * when no whole record follows it and it looks like a write a crash cut short (see
 * isTornWrite); anything else is corruption and throws.
 */
export function replayWal(buf: Buffer, file = 'wal'): { state: WalState; recovery: WalRecovery; identity: WalIdentity | undefined } {
  let hardState = EMPTY_HARD_STATE;
  const entries: Entry[] = [];
  let offset = 0;
  let records = 0;
  let identity: WalIdentity | undefined;
  while (offset < buf.length) {
    const decoded = decodeRecordAt(buf, offset);
    if (!decoded.ok) {
      if (records === 0) throw new WalError(`${file}: not a raftsim write-ahead log (${decoded.reason} at byte 0)`);
      if (wholeRecordAfter(buf, offset)) {
        throw new WalError(`${file}: corrupt record at byte ${offset} (${decoded.reason}) with valid records after it; refusing to start`);
      }
      if (!isTornWrite(buf, offset)) {
        throw new WalError(`${file}: the last record, at byte ${offset}, is whole but damaged (${decoded.reason}), not a torn write; refusing to start`);
      }
      return { state: { hardState, entries }, recovery: { records, tornBytes: buf.length - offset, tornOffset: offset }, identity };
    }
    const record = parseRecord(decoded.payload, file, offset);
    if (records === 0) {
      if (record.kind !== 'header' || record.format !== WAL_FORMAT) throw new WalError(`${file}: not a raftsim write-ahead log`);
      if (record.version !== WAL_VERSION) throw new WalError(`${file}: WAL version ${record.version} is not supported (expected ${WAL_VERSION})`);
      identity = { member: record.member, name: record.name, clusterId: record.clusterId };
    } else if (record.kind === 'entries') {
      const first = record.entries[0]?.index;
      if (first === undefined || first > entries.length + 1) throw new WalError(`${file}: entries record at byte ${offset} leaves a gap in the log`);
      entries.length = first - 1;
      for (const entry of record.entries) entries.push(entry);
    } else if (record.kind === 'hardState') {
      hardState = record.hardState;
    } else {
      throw new WalError(`${file}: a second header record at byte ${offset}`);
    }
    records++;
    offset = decoded.end;
  }
  return { state: { hardState, entries }, recovery: { records, tornBytes: 0, tornOffset: buf.length }, identity };
}

const SECTOR_BYTES = 512;

/**
 * Whether the bad record at `offset`, the last in the file, is what a crash leaves of a
 * write: cut short (the file ends inside it), or with a sector that never reached the disk
 * (all zeros, as etcd's WAL checks too). A record that is all there and still fails its
 * checksum was damaged after it was written, and may have been acknowledged.
 */
function isTornWrite(buf: Buffer, offset: number): boolean {
  const first = buf.indexOf(0x3a, offset);
  const second = first < 0 ? -1 : buf.indexOf(0x3a, first + 1);
  if (second < 0) return buf.length - offset <= MAX_HEADER_BYTES || isZero(buf, offset, buf.length);
  const lengthText = buf.toString('latin1', offset, first);
  if (second - offset > MAX_HEADER_BYTES || !/^[0-9a-f]{1,8}$/.test(lengthText)) return isZero(buf, offset, buf.length);
  const end = second + 1 + parseInt(lengthText, 16) + 1;
  if (end > buf.length) return true;
  for (let sector = Math.floor(offset / SECTOR_BYTES) * SECTOR_BYTES; sector < end; sector += SECTOR_BYTES) {
    if (isZero(buf, Math.max(sector, offset), Math.min(sector + SECTOR_BYTES, end))) return true;
  }
  return false;
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Whether some whole, valid record starts after a line end past `offset`. */
function wholeRecordAfter(buf: Buffer, offset: number): boolean {
  for (let newline = buf.indexOf(0x0a, offset); newline >= 0 && newline + 1 < buf.length; newline = buf.indexOf(0x0a, newline + 1)) {
    if (decodeRecordAt(buf, newline + 1).ok) return true;
  }
  return false;
}

function parseRecord(payload: string, file: string, offset: number): WalRecord {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    throw new WalError(`${file}: record at byte ${offset} passed its checksum but is not JSON`);
  }
  if (typeof value !== 'object' || value === null || !('kind' in value)) throw new WalError(`${file}: record at byte ${offset} has no kind`);
  const record = value as { kind: unknown; entries?: unknown; hardState?: unknown };
  if (record.kind === 'header') return value as WalRecord;
  if (record.kind === 'entries' && Array.isArray(record.entries)) return value as WalRecord;
  if (record.kind === 'hardState' && typeof record.hardState === 'object' && record.hardState !== null) return value as WalRecord;
  throw new WalError(`${file}: record at byte ${offset} has an unknown kind`);
}

function recordBytes(record: WalRecord): Buffer {
  return Buffer.from(encodeRecord(JSON.stringify(record)), 'utf8');
}


/**
 * An open WAL. `append*` only write (into the page cache); `sync` is the fsync that
 * makes them durable. The driver syncs before it sends the messages of the same ready.
 */
export class Wal {
  /** fsync durations, for /metrics (etcd_disk_wal_fsync_duration_seconds). */
  readonly fsyncSeconds = new Histogram(FSYNC_BUCKETS);
  private pending: Buffer[] = [];

  private constructor(
    private readonly fd: number,
    readonly file: string,
    /** The file's size: where the next write goes. */
    public bytes: number,
  ) {}

  /**
   * Opens (or creates) the WAL at `file` for `member`, repairing a torn tail. A new file is
   * written under a temporary name and renamed, so a crash never leaves a half header.
   */
  static open(file: string, self: WalIdentity): { wal: Wal; state: WalState; recovery: WalRecovery } {
    if (!existsSync(file)) {
      const temp = join(dirname(file), '.raftsim.wal.tmp');
      const fd = openSync(temp, 'w');
      writeSync(fd, recordBytes({ kind: 'header', format: WAL_FORMAT, version: WAL_VERSION, ...self }));
      fdatasyncSync(fd);
      closeSync(fd);
      renameSync(temp, file);
      syncDirectory(dirname(file));
    }
    const { state, recovery, identity } = replayWal(readFileSync(file), file);
    if (identity?.name !== self.name || identity.member !== self.member) {
      throw new WalError(`${file}: belongs to member "${identity?.name}" (id ${identity?.member}), not "${self.name}" (id ${self.member})`);
    }
    if (identity.clusterId !== self.clusterId) {
      throw new WalError(`${file}: belongs to another cluster; start it with the --initial-cluster and --initial-cluster-token it was created with`);
    }
    const fd = openSync(file, 'r+');
    if (recovery.tornBytes > 0) {
      ftruncateSync(fd, recovery.tornOffset);
      fdatasyncSync(fd);
    }
    return { wal: new Wal(fd, file, fstatSync(fd).size), state, recovery };
  }

  appendEntries(entries: readonly Entry[]): void {
    if (entries.length > 0) this.pending.push(recordBytes({ kind: 'entries', entries }));
  }

  appendHardState(hardState: HardState): void {
    this.pending.push(recordBytes({ kind: 'hardState', hardState }));
  }

  /** Writes what is pending; with `durable` also fsyncs, so it survives a power cut. */
  flush(durable: boolean): void {
    this.write();
    if (durable) {
      const started = process.hrtime.bigint();
      fdatasyncSync(this.fd);
      this.fsyncSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** Writes what is pending (into the page cache: a process crash keeps it, a power cut may not). */
  write(): void {
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written, this.bytes + written);
    this.bytes += bytes.length;
  }

  /**
   * fsyncs on libuv's thread pool, so the member keeps taking requests and messages while
   * the disk works; they go into the next write. `done` runs once the data is durable.
   */
  sync(done: (error: Error | null) => void): void {
    const started = process.hrtime.bigint();
    fdatasync(this.fd, (error) => {
      if (!error) this.fsyncSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      done(error);
    });
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A new file's name is durable only once its directory is synced. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fdatasyncSync(fd);
  } catch {
    // Some file systems refuse to sync a directory; the rename is then as durable as they allow.
  } finally {
    closeSync(fd);
  }
}
