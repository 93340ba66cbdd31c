import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, writeSync, existsSync } from 'node:fs';
import type { Entry, HardState } from '../raft/types.js';
import { decodeRecord, encodeRecord } from '../storage/record.js';
import { writeFileDurably } from './fs-util.js';
import { parseClusterBirth, type ClusterBirth } from './member-table.js';
import { FSYNC_BUCKETS, Histogram } from './metrics.js';

/**
 * The real server's write-ahead log: one append-only file of checksummed records
 * (src/storage/record.ts), the on-disk twin of sim/disk.ts. The first record names the
 * format, so a foreign file is refused; then come `entries` records (which replace any
 * stored entries from their first index on, as a follower's log truncation does) and
 * `hardState` records (the last one wins).
 *
 * Compaction rewrites the file rather than segmenting it: after a snapshot the member
 * writes a new WAL (header, a `snapshot` record naming the index and term the log now
 * starts after, the hard state, the entries after that index) under a temporary name,
 * fsyncs it and renames it over the old one, so a crash leaves the old or the new file
 * whole, and recovery (torn tails, mid-file corruption) stays that of one file.
 * Version 2 added the `snapshot` record; version 3 the header's `cluster` (the cluster the
 * member was born into); files of versions 1 and 2 still open.
 */

export const WAL_FORMAT = 'raftsim-wal';
export const WAL_VERSION = 3;
const READABLE_VERSIONS: readonly number[] = [1, 2, 3];
/** Entries per record in a rewritten WAL, so no single record (and checksum) grows without bound. */
const ENTRIES_PER_RECORD = 1000;

type WalRecord =
  | ({ readonly kind: 'header'; readonly format: string; readonly version: number } & WalIdentity)
  | { readonly kind: 'snapshot'; readonly index: number; readonly term: number }
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState };

/** The snapshot a WAL's log starts after: its entries begin at `index + 1`. {0, 0} for a log never compacted. */
export interface WalStart {
  readonly index: number;
  readonly term: number;
}

/** Whose log this is: a member of a cluster. A WAL of another member or cluster is refused. */
export interface WalIdentity {
  readonly member: number;
  readonly name: string;
  readonly clusterId: string;
  /** The cluster as this member first booted into it (absent in files before version 3). */
  readonly cluster?: ClusterBirth;
}


export interface WalState {
  readonly hardState: HardState;
  /** The entries after `start.index`, in order, without gaps. */
  readonly entries: readonly Entry[];
  readonly start: WalStart;
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
  let start: WalStart = { index: 0, term: 0 };
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
      return { state: { hardState, entries, start }, recovery: { records, tornBytes: buf.length - offset, tornOffset: offset }, identity };
    }
    const record = parseRecord(decoded.payload, file, offset);
    if (records === 0) {
      if (record.kind !== 'header' || record.format !== WAL_FORMAT) throw new WalError(`${file}: not a raftsim write-ahead log`);
      if (!READABLE_VERSIONS.includes(record.version)) throw new WalError(`${file}: WAL version ${record.version} is not supported (expected ${WAL_VERSION})`);
      identity = identityOf(record, file);
    } else if (record.kind === 'snapshot') {
      // Only a rewrite puts it there, right after the header: anywhere else it is not ours.
      if (records !== 1) throw new WalError(`${file}: a snapshot record at byte ${offset}, not right after the header`);
      start = { index: record.index, term: record.term };
    } else if (record.kind === 'entries') {
      const first = record.entries[0]?.index;
      if (first === undefined || first > start.index + entries.length + 1) throw new WalError(`${file}: entries record at byte ${offset} leaves a gap in the log`);
      if (first <= start.index) throw new WalError(`${file}: entries record at byte ${offset} starts at ${first}, inside the snapshot the log starts after (${start.index})`);
      entries.length = first - start.index - 1;
      for (const entry of record.entries) entries.push(entry);
    } else if (record.kind === 'hardState') {
      hardState = record.hardState;
    } else {
      throw new WalError(`${file}: a second header record at byte ${offset}`);
    }
    records++;
    offset = decoded.end;
  }
  return { state: { hardState, entries, start }, recovery: { records, tornBytes: 0, tornOffset: buf.length }, identity };
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
  if (record.kind === 'snapshot' && Number.isInteger((value as { index?: unknown }).index) && Number.isInteger((value as { term?: unknown }).term)) return value as WalRecord;
  if (record.kind === 'entries' && Array.isArray(record.entries)) return value as WalRecord;
  if (record.kind === 'hardState' && typeof record.hardState === 'object' && record.hardState !== null) return value as WalRecord;
  throw new WalError(`${file}: record at byte ${offset} has an unknown kind`);
}

function identityOf(header: WalIdentity, file: string): WalIdentity {
  const { member, name, clusterId, cluster } = header;
  return { member, name, clusterId, ...(cluster ? { cluster: parseBirth(cluster, file) } : {}) };
}

function parseBirth(value: unknown, file: string): ClusterBirth {
  const parsed = parseClusterBirth(value);
  if (!parsed.ok) throw new WalError(`${file}: the header's cluster is damaged${parsed.field === 'voters' ? ' (voters)' : `: ${parsed.reason}`}`);
  return parsed.birth;
}

/** The identity a WAL's header records, without opening it for writing; undefined when there is no file. */
export function readWalIdentity(file: string): WalIdentity | undefined {
  if (!existsSync(file)) return undefined;
  const buf = readFileSync(file);
  const decoded = decodeRecordAt(buf, 0);
  if (!decoded.ok) throw new WalError(`${file}: not a raftsim write-ahead log (${decoded.reason} at byte 0)`);
  const record = parseRecord(decoded.payload, file, 0);
  if (record.kind !== 'header' || record.format !== WAL_FORMAT) throw new WalError(`${file}: not a raftsim write-ahead log`);
  return identityOf(record, file);
}

function recordBytes(record: WalRecord): Buffer {
  return Buffer.from(encodeRecord(JSON.stringify(record)), 'utf8');
}


/**
 * An open WAL. `append*` only write (into the page cache); `sync` is the fsync that
 * makes them durable. The driver syncs before it sends the messages of the same ready.
 * It mirrors what the file holds (the entries after `start`, the last hard state) so a
 * compaction can rewrite the file without reading it back; the entry objects are the
 * Raft log's own, so the mirror costs an array of references.
 */
export class Wal {
  /** fsync durations, for /metrics (etcd_disk_wal_fsync_duration_seconds). */
  readonly fsyncSeconds = new Histogram(FSYNC_BUCKETS);
  /** Rewrites after a snapshot, for /metrics. */
  rewrites = 0;
  private pending: Buffer[] = [];
  private entries: Entry[];
  private hardState: HardState;
  private begin: WalStart;

  private constructor(
    private fd: number,
    readonly file: string,
    private readonly self: WalIdentity,
    state: WalState,
    /** The file's size: where the next write goes. */
    public bytes: number,
  ) {
    this.entries = state.entries.slice();
    this.hardState = state.hardState;
    this.begin = state.start;
  }

  /**
   * Opens (or creates) the WAL at `file` for `member`, repairing a torn tail. A new file is
   * written under a temporary name and renamed, so a crash never leaves a half header.
   */
  static open(file: string, self: WalIdentity): { wal: Wal; state: WalState; recovery: WalRecovery } {
    if (!existsSync(file)) writeWhole(file, [recordBytes(headerOf(self))]);
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
    return { wal: new Wal(fd, file, self, state, fstatSync(fd).size), state, recovery };
  }

  /** The snapshot the file's log starts after. */
  get start(): WalStart {
    return this.begin;
  }

  /** How many entries the file holds (after `start`). */
  get entryCount(): number {
    return this.entries.length;
  }

  appendEntries(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first <= this.begin.index || first > this.begin.index + this.entries.length + 1) {
      throw new Error(`WAL append from ${first} does not follow the log (after ${this.begin.index}, ${this.entries.length} entries)`);
    }
    this.entries.length = first - this.begin.index - 1;
    for (const entry of entries) this.entries.push(entry);
    this.pending.push(recordBytes({ kind: 'entries', entries }));
  }

  appendHardState(hardState: HardState): void {
    this.hardState = hardState;
    this.pending.push(recordBytes({ kind: 'hardState', hardState }));
  }

  /**
   * Drops the entries up to `index` (of `term`), which a durable snapshot covers, by
   * rewriting the file. Returns false when the log already starts at or after it.
   */
  compactTo(index: number, term: number): boolean {
    if (index <= this.begin.index) return false;
    this.entries.splice(0, Math.min(index - this.begin.index, this.entries.length));
    this.begin = { index, term };
    this.rewrite();
    return true;
  }

  /** An installed snapshot replaces the whole log: the file is rewritten to start after it, with no entries. */
  resetTo(index: number, term: number): void {
    this.entries = [];
    this.begin = { index, term };
    this.rewrite();
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

  /**
   * Replaces the file with header, start, hard state and entries, durably. What was pending
   * is in the mirror, so it goes into the new file (synced, which is more than it needed).
   * The caller must not have a `sync` in flight: it would fsync the old file's descriptor.
   */
  private rewrite(): void {
    this.pending = [];
    const records = [recordBytes(headerOf(this.self)), recordBytes({ kind: 'snapshot', ...this.begin }), recordBytes({ kind: 'hardState', hardState: this.hardState })];
    for (let i = 0; i < this.entries.length; i += ENTRIES_PER_RECORD) {
      records.push(recordBytes({ kind: 'entries', entries: this.entries.slice(i, i + ENTRIES_PER_RECORD) }));
    }
    writeWhole(this.file, records);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'r+');
    this.bytes = fstatSync(this.fd).size;
    this.rewrites++;
  }
}

function headerOf(self: WalIdentity): WalRecord {
  return { kind: 'header', format: WAL_FORMAT, version: WAL_VERSION, ...self };
}

/** Writes `file` whole under a temporary name, fsyncs, renames it into place and fsyncs the directory. */
function writeWhole(file: string, records: readonly Buffer[]): void {
  writeFileDurably(file, Buffer.concat(records), '.raftsim.wal.tmp');
}
