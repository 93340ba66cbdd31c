import type { Entry } from './types.js';

/**
 * The in-memory Raft log. Indices start at 1; index 0 is the empty prefix with term 0.
 * `stable` is the last index handed to the driver for persisting, so the driver
 * only ever sees each entry once unless a conflict rewrites it.
 */
export class RaftLog {
  private entries: Entry[];
  committed: number;
  /** The lowest index rewritten since the driver last persisted; entries from here on are unstable. */
  private unstableFrom: number;

  constructor(entries: readonly Entry[], committed: number) {
    this.entries = entries.slice();
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].index !== i + 1) throw new Error(`log entry at position ${i} has index ${this.entries[i].index}`);
    }
    this.committed = committed;
    this.unstableFrom = this.entries.length + 1;
  }

  lastIndex(): number {
    return this.entries.length;
  }

  lastTerm(): number {
    return this.termAt(this.entries.length);
  }

  /** The term at `index`, 0 for index 0 or beyond the end. */
  termAt(index: number): number {
    if (index <= 0 || index > this.entries.length) return 0;
    return this.entries[index - 1].term;
  }

  entryAt(index: number): Entry {
    return this.entries[index - 1];
  }

  matchTerm(index: number, term: number): boolean {
    if (index === 0) return term === 0;
    return index <= this.entries.length && this.entries[index - 1].term === term;
  }

  /** Entries in [from, to], inclusive, at most `max` of them. */
  slice(from: number, to: number, max = Infinity): Entry[] {
    const end = Math.min(to, from + max - 1, this.entries.length);
    return from > end ? [] : this.entries.slice(from - 1, end);
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
    this.entries.length = first - 1;
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
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.entries.length);
    while (i > 0 && this.termAt(i) > term) i--;
    return i;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.entries.length) throw new Error(`commit ${index} beyond last index ${this.entries.length}`);
    this.committed = index;
    return true;
  }

  unstableEntries(): Entry[] {
    return this.slice(this.unstableFrom, this.entries.length);
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
