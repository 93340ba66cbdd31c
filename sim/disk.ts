import type { Entry, HardState, Snapshot } from '../src/raft/types.js';
import { decodeRecord, encodeRecord } from '../src/storage/record.js';
import type { UnsyncedFate } from './scenario.js';

type PendingWrite =
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  /** `replaceLog`: an installed snapshot, which replaces every stored entry. */
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot; readonly replaceLog: boolean }
  | { readonly kind: 'compact'; readonly index: number };

export interface DurableState {
  readonly hardState: HardState;
  /** The stored entries; with a snapshot, the first may lie at or below its index. */
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
}

/** What a crash did to the writes that were not synced yet. */
export interface CrashOutcome {
  /** Unsynced writes that reached the disk whole after all. */
  readonly kept: number;
  /** Unsynced writes lost, the torn one included. */
  readonly lost: number;
  /** A write the crash cut short; recovery found it by its checksum and dropped it. */
  readonly torn: boolean;
}

/**
 * A node's simulated disk: writes stay pending (in the page cache) until `sync`. A crash
 * loses what was pending, or, as real disks may, lets the first few pending writes reach
 * the platter and tears the next one in half. Writes reach the disk in order.
 */
export class SimDisk {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  /** entries[i] has index entriesAfter + 1 + i. */
  private entries: Entry[] = [];
  private entriesAfter = 0;
  private snapshot: Snapshot | null = null;
  private pending: PendingWrite[] = [];

  /** Stores entries, replacing any stored entries from `entries[0].index` on. */
  writeEntries(entries: readonly Entry[]): void {
    if (entries.length > 0) this.pending.push({ kind: 'entries', entries });
  }

  /**
   * Stores a snapshot. One the node took itself leaves the entries alone (`compact` drops
   * them afterwards, as etcd saves the snapshot before it cuts the WAL, so a crash between
   * the two loses nothing); an installed one (`replaceLog`) replaces the stored log.
   */
  writeSnapshot(snapshot: Snapshot, replaceLog: boolean): void {
    this.pending.push({ kind: 'snapshot', snapshot, replaceLog });
  }

  /** Drops the stored entries up to `index`, which a snapshot written before covers. */
  compact(index: number): void {
    this.pending.push({ kind: 'compact', index });
  }

  writeHardState(hardState: HardState): void {
    this.pending.push({ kind: 'hardState', hardState });
  }

  get pendingWrites(): number {
    return this.pending.length;
  }

  sync(): void {
    for (const write of this.pending) this.persist(write);
    this.pending = [];
  }

  /**
   * The crash: `keep` pending writes (capped at what is pending) reach the disk whole
   * unless the fate is 'lose'; with 'tear' the next one is cut short, caught by its
   * checksum on recovery, and dropped. Everything later is lost.
   */
  crash(fate: UnsyncedFate = 'lose', keep = 0): CrashOutcome {
    const pending = this.pending;
    this.pending = [];
    const kept = fate === 'lose' ? 0 : Math.min(keep, pending.length);
    for (const write of pending.slice(0, kept)) this.persist(write);
    const torn = fate === 'tear' && kept < pending.length;
    if (torn) this.recoverTornWrite(pending[kept]);
    return { kept, lost: pending.length - kept, torn };
  }

  /** What a restarting node reads back. */
  read(): DurableState {
    return { hardState: this.hardState, entries: this.entries.slice(), ...(this.snapshot ? { snapshot: this.snapshot } : {}) };
  }

  /** The durable term at `index`: of the stored entry or the snapshot's last one; 0 when the disk holds neither. */
  durableTermAt(index: number): number {
    if (index > this.entriesAfter && index <= this.entriesAfter + this.entries.length) return this.entries[index - this.entriesAfter - 1].term;
    return this.snapshot !== null && index === this.snapshot.metadata.index ? this.snapshot.metadata.term : 0;
  }

  /**
   * The disk keeps the entry at `index` of `term`: stored, or folded into the durable
   * snapshot. A snapshot covers committed entries only (the invariants check that), and
   * there is one committed entry per index, so any committed entry below it is kept.
   */
  durablyHolds(index: number, term: number): boolean {
    return this.durableTermAt(index) === term || (this.snapshot !== null && index < this.snapshot.metadata.index);
  }

  private persist(write: PendingWrite): void {
    switch (write.kind) {
      case 'hardState':
        this.hardState = write.hardState;
        return;
      case 'entries': {
        const from = write.entries[0].index;
        if (from <= this.entriesAfter) throw new Error(`writing entries from ${from} below the compacted ${this.entriesAfter}`);
        this.entries.length = Math.min(this.entries.length, from - this.entriesAfter - 1);
        for (const entry of write.entries) this.entries.push(entry);
        return;
      }
      case 'snapshot':
        this.snapshot = write.snapshot;
        if (write.replaceLog) {
          this.entries = [];
          this.entriesAfter = write.snapshot.metadata.index;
        }
        return;
      case 'compact': {
        const drop = Math.min(write.index - this.entriesAfter, this.entries.length);
        if (drop <= 0) return;
        this.entries.splice(0, drop);
        this.entriesAfter += drop;
        return;
      }
    }
  }

  /**
   * Half of the record reached the disk: recovery must reject it. Encoding only happens
   * here, at the crash, so synced writes cost nothing on the hot path.
   */
  private recoverTornWrite(write: PendingWrite): void {
    const record = encodeRecord(JSON.stringify(write));
    const decoded = decodeRecord(record.slice(0, Math.floor(record.length / 2)));
    if (decoded.ok) throw new Error('a torn write was read back as a valid record');
  }
}
