import type { Entry } from './types.js';

/**
 * The in-memory Raft log. Indices start at 1. A prefix may be compacted away: the log then
 * starts after `compactedIndex`, whose term it still knows (etcd keeps the same dummy entry),
 * so an append right after the prefix can still be matched. Entries at or below
 * `compactedIndex` are gone; a snapshot stands for them.
 * `stable` is the last index handed to the driver for persisting, so the driver
 * only ever sees each entry once unless a conflict rewrites it.
 */
export class RaftLog {
  /** entries[i] has index compactedIndex + 1 + i. */
  private entries: Entry[];
  /** The last index no longer held; 0 while nothing has been compacted. */
  private compacted: number;
  private compactedTerm: number;
  committed: number;
  /** The lowest index rewritten since the driver last persisted; entries from here on are unstable. */
  private unstableFrom: number;

  constructor(entries: readonly Entry[], committed: number, compactedIndex = 0, compactedTerm = 0) {
    this.entries = entries.slice();
    this.compacted = compactedIndex;
    this.compactedTerm = compactedTerm;
    for (let i = 0; i < this.entries.length; i++) {
      const expected = compactedIndex + 1 + i;
      if (this.entries[i].index !== expected) throw new Error(`log entry at position ${i} has index ${this.entries[i].index}, expected ${expected}`);
    }
    this.committed = Math.max(committed, compactedIndex);
    this.unstableFrom = this.lastIndex() + 1;
  }

  /** The last compacted index: entries up to it are gone, its term is still known. */
  get compactedIndex(): number {
    return this.compacted;
  }

  /** The first index the log still holds (or would hold next). */
  firstIndex(): number {
    return this.compacted + 1;
  }

  lastIndex(): number {
    return this.compacted + this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.lastIndex());
  }

  /** The term at `index`: 0 for index 0, beyond the end, or compacted away (below compactedIndex). */
  termAt(index: number): number {
    if (index === this.compacted) return this.compactedTerm;
    if (index < this.compacted || index > this.lastIndex()) return 0;
    return this.entries[index - this.compacted - 1].term;
  }

  entryAt(index: number): Entry {
    return this.entries[index - this.compacted - 1];
  }

  matchTerm(index: number, term: number): boolean {
    if (index < this.compacted) return false;
    if (index === this.compacted) return term === this.compactedTerm;
    return index <= this.lastIndex() && this.entries[index - this.compacted - 1].term === term;
  }

  /**
   * Entries in [from, to], inclusive, at most `max` of them and, when `maxBytes` > 0, no more
   * payload than that (but always at least one entry, as etcd's limitSize); `from` must not
   * be compacted.
   */
  slice(from: number, to: number, max = Infinity, maxBytes = 0): Entry[] {
    if (from <= this.compacted) throw new Error(`slice from ${from}: entries up to ${this.compacted} are compacted`);
    let end = Math.min(to, from + max - 1, this.lastIndex());
    if (maxBytes > 0 && from <= end) end = this.lastWithin(from, end, maxBytes);
    return from > end ? [] : this.entries.slice(from - this.compacted - 1, end - this.compacted);
  }

  /** The last index in [from, end] such that the payloads from `from` on fit in `maxBytes`, at least `from`. */
  private lastWithin(from: number, end: number, maxBytes: number): number {
    let bytes = payloadBytes(this.entryAt(from));
    let last = from;
    while (last < end) {
      bytes += payloadBytes(this.entryAt(last + 1));
      if (bytes > maxBytes) break;
      last++;
    }
    return last;
  }

  /** The candidate's log is at least as up to date as ours (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  append(entry: Entry): void {
    this.entries.push(entry);
  }

  /**
   * Appends entries that follow a matched prefix, skipping those already present and
   * truncating only at the first entry whose term conflicts (§5.3). Returns the index
   * of the first conflict, or 0 when nothing had to be rewritten. `truncateAlways` is the
   * planted bug `truncate-on-every-append`: it rewrites from the first new entry, dropping
   * whatever followed the append even where it matched.
   */
  appendAfterMatch(entries: readonly Entry[], truncateAlways = false): number {
    const first = truncateAlways && entries.length > 0 ? entries[0].index : this.firstConflict(entries);
    if (first === 0) return 0;
    if (first <= this.committed) {
      throw new Error(`refusing to truncate committed entry ${first} (committed ${this.committed})`);
    }
    this.entries.length = first - this.compacted - 1;
    for (const entry of entries) if (entry.index >= first) this.entries.push(entry);
    this.unstableFrom = Math.min(this.unstableFrom, first);
    return first;
  }

  private firstConflict(entries: readonly Entry[]): number {
    for (const entry of entries) if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    return 0;
  }

  /**
   * The largest index at or below `index` whose term is at most `term`: where a log
   * that has `term` at some point could first agree with ours (etcd's findConflictByTerm).
   * It stops at the compacted index, below which terms are unknown.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.compacted && this.termAt(i) > term) i--;
    return i;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.lastIndex()) throw new Error(`commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  /**
   * Forgets the entries up to `index`, which must be applied (so committed) and held;
   * the driver already keeps a snapshot covering them.
   */
  compact(index: number): void {
    if (index <= this.compacted) return;
    if (index > this.committed) throw new Error(`cannot compact uncommitted index ${index} (committed ${this.committed})`);
    if (index > this.stableIndex()) throw new Error(`cannot compact unpersisted index ${index} (stable ${this.stableIndex()})`);
    this.compactedTerm = this.termAt(index);
    this.entries.splice(0, index - this.compacted);
    this.compacted = index;
  }

  /** Replaces the whole log with a snapshot's: everything up to `index` (of `term`) is the snapshot. */
  restore(index: number, term: number): void {
    this.entries = [];
    this.compacted = index;
    this.compactedTerm = term;
    this.committed = index;
    this.unstableFrom = index + 1;
  }

  unstableEntries(): Entry[] {
    return this.unstableFrom > this.lastIndex() ? [] : this.slice(this.unstableFrom, this.lastIndex());
  }

  /** The driver persisted everything up to `last`; ignored if a conflict has since replaced it. */
  stableTo(last: Entry): void {
    if (this.termAt(last.index) === last.term && last.index >= this.unstableFrom - 1) this.unstableFrom = last.index + 1;
  }

  /** The last index the driver has persisted. */
  stableIndex(): number {
    return this.unstableFrom - 1;
  }
}

/** An entry's payload size for flow control: its data's length (the simulator's payloads are ASCII JSON). */
export function payloadBytes(entry: Entry): number {
  return entry.data === null ? 0 : entry.data.length;
}
