/**
 * Sorted key index and per-key MVCC history.
 *
 * Keys are compared with plain JS `<` (UTF-16 code unit order). The index keeps
 * every key that has any retained history (including keys whose latest entry
 * is a tombstone) in a sorted array (binary search, splice on insert) plus a
 * Map for O(1) point lookups. Compaction removes keys with no retained history.
 */
import type { KeyValue, Revision } from './types.js';

/** Sentinel range end meaning "all keys >= key". */
export const ALL_KEYS_END = '\0';

/**
 * The range end that makes [prefix, prefixEnd(prefix)) cover every key that
 * starts with `prefix` (etcd's GetPrefixRangeEnd, on UTF-16 code units).
 * Returns "\0" (all keys >= prefix) when no such end exists (empty prefix or
 * a prefix made only of U+FFFF code units).
 */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return ALL_KEYS_END;
}

/** True when `k` is selected by (key, rangeEnd) with etcd's range_end rules. */
export function keyInRange(k: string, key: string, rangeEnd: string | undefined): boolean {
  if (rangeEnd === undefined || rangeEnd === '') return k === key;
  if (rangeEnd === ALL_KEYS_END) return k >= key;
  return k >= key && k < rangeEnd;
}

/** One retained MVCC entry of a key: a put (kv) or a tombstone (kv = null). */
export interface HistoryEntry {
  readonly rev: Revision;
  /** Sub-revision: position of the change inside its revision. */
  readonly sub: number;
  readonly kv: KeyValue | null;
}

export class KeyHistory {
  /** Ascending by rev; at most one entry per revision. */
  entries: HistoryEntry[] = [];

  constructor(readonly key: string) {}

  /** Current value (null when deleted / never existed). */
  latest(): KeyValue | null {
    const n = this.entries.length;
    return n === 0 ? null : this.entries[n - 1].kv;
  }

  /** Index of the last entry with rev <= `rev`, or -1. */
  private indexAt(rev: Revision): number {
    const e = this.entries;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid].rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Value as of revision `rev` (null if absent at that revision). */
  at(rev: Revision): KeyValue | null {
    const n = this.entries.length;
    if (n > 0 && this.entries[n - 1].rev <= rev) return this.entries[n - 1].kv;
    const i = this.indexAt(rev);
    return i < 0 ? null : this.entries[i].kv;
  }

  append(entry: HistoryEntry): void {
    this.entries.push(entry);
  }

  /**
   * Drop history not needed for reads at revisions >= `rev`: keep the last
   * entry <= rev only if it is a put, and everything after it.
   * Returns true when nothing is retained.
   */
  compact(rev: Revision): boolean {
    const i = this.indexAt(rev);
    if (i >= 0) {
      const keepFrom = this.entries[i].kv === null ? i + 1 : i;
      if (keepFrom > 0) this.entries = this.entries.slice(keepFrom);
    }
    return this.entries.length === 0;
  }
}

export class KeyIndex {
  private keys: string[] = [];
  /** hs[i] is the history of keys[i] (parallel array: range scans avoid Map lookups). */
  private hs: KeyHistory[] = [];
  private readonly byKey = new Map<string, KeyHistory>();

  get size(): number {
    return this.keys.length;
  }

  get(key: string): KeyHistory | undefined {
    return this.byKey.get(key);
  }

  getOrCreate(key: string): KeyHistory {
    let h = this.byKey.get(key);
    if (h !== undefined) return h;
    h = new KeyHistory(key);
    this.byKey.set(key, h);
    const keys = this.keys;
    const n = keys.length;
    if (n === 0 || keys[n - 1] < key) {
      keys.push(key);
      this.hs.push(h);
    } else {
      const i = this.lowerBound(key);
      keys.splice(i, 0, key);
      this.hs.splice(i, 0, h);
    }
    return h;
  }

  /** First index i with keys[i] >= key. */
  lowerBound(key: string): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Visit the histories of keys selected by (key, rangeEnd), in sorted key
   * order. The visitor returns false to stop early.
   */
  forRange(key: string, rangeEnd: string | undefined, visit: (h: KeyHistory) => boolean | void): void {
    if (rangeEnd === undefined || rangeEnd === '') {
      const h = this.byKey.get(key);
      if (h !== undefined) visit(h);
      return;
    }
    const keys = this.keys;
    const hs = this.hs;
    const all = rangeEnd === ALL_KEYS_END;
    if (!all && rangeEnd <= key) return;
    for (let i = this.lowerBound(key); i < keys.length; i++) {
      if (!all && keys[i] >= rangeEnd) break;
      if (visit(hs[i]) === false) return;
    }
  }

  /** All histories in sorted key order. */
  histories(): readonly KeyHistory[] {
    return this.hs;
  }

  /** Compact every key's history at `rev`, dropping keys with nothing retained. */
  compact(rev: Revision): void {
    const keys: string[] = [];
    const hs: KeyHistory[] = [];
    for (const h of this.hs) {
      if (h.compact(rev)) {
        this.byKey.delete(h.key);
      } else {
        keys.push(h.key);
        hs.push(h);
      }
    }
    this.keys = keys;
    this.hs = hs;
  }
}
