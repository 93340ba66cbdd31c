import type { Entry, HardState } from '../src/raft/types.js';
import { decodeRecord, encodeRecord } from '../src/storage/record.js';
import type { UnsyncedFate } from './scenario.js';

type PendingWrite =
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState };

export interface DurableState {
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
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
  private entries: Entry[] = [];
  private pending: PendingWrite[] = [];

  /** Stores entries, replacing any stored entries from `entries[0].index` on. */
  writeEntries(entries: readonly Entry[]): void {
    if (entries.length > 0) this.pending.push({ kind: 'entries', entries });
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
    return { hardState: this.hardState, entries: this.entries.slice() };
  }

  /** The durable term at `index`, or 0 when the disk does not hold it. */
  durableTermAt(index: number): number {
    return index >= 1 && index <= this.entries.length ? this.entries[index - 1].term : 0;
  }

  private persist(write: PendingWrite): void {
    if (write.kind === 'hardState') this.hardState = write.hardState;
    else {
      this.entries.length = Math.min(this.entries.length, write.entries[0].index - 1);
      for (const entry of write.entries) this.entries.push(entry);
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
