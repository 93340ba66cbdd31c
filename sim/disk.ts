import type { Entry, HardState } from '../src/raft/types.js';

type PendingWrite =
  | { readonly kind: 'entries'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState };

export interface DurableState {
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
}

/**
 * A node's simulated disk: writes stay pending (in the page cache) until `sync`;
 * a crash loses whatever was pending. Only synced state survives a restart.
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
    for (const write of this.pending) {
      if (write.kind === 'hardState') this.hardState = write.hardState;
      else {
        this.entries.length = Math.min(this.entries.length, write.entries[0].index - 1);
        for (const entry of write.entries) this.entries.push(entry);
      }
    }
    this.pending = [];
  }

  /** Loses every unsynced write; returns how many were lost. */
  crash(): number {
    const lost = this.pending.length;
    this.pending = [];
    return lost;
  }

  /** What a restarting node reads back. */
  read(): DurableState {
    return { hardState: this.hardState, entries: this.entries.slice() };
  }

  /** The durable term at `index`, or 0 when the disk does not hold it. */
  durableTermAt(index: number): number {
    return index >= 1 && index <= this.entries.length ? this.entries[index - 1].term : 0;
  }
}
