/**
 * Lowe's memoization: the set of configurations (linearized set, model state)
 * already explored. Entries live in one growable Int32Array arena, indexed by an
 * open-addressing table; nothing is allocated per lookup.
 *
 * Memory is bounded by a CacheBudget shared by all parts. When the budget runs
 * out the cache stops growing: lookups still prune with what is stored, new
 * configurations are simply not remembered. Correctness is unaffected; only
 * repeated work can increase.
 */
import type { LinearizedSet } from './bitset.js';

export interface CacheBudget {
  /** 32-bit words still available to all caches together. */
  words: number;
}

/** 256 MB by default. */
export const DEFAULT_CACHE_WORDS = 64 * 1024 * 1024;

export class ConfigCache {
  private arena = new Int32Array(1024);
  private used = 0;
  private slots = new Int32Array(1024); // arena offset + 1; 0 = empty
  private checks = new Int32Array(1024);
  private homes = new Int32Array(1024); // the full hash, to rehash without the op list
  private mask = 1023;
  entries = 0;
  full = false;

  constructor(
    private readonly set: LinearizedSet,
    private readonly budget: CacheBudget,
  ) {
    budget.words -= this.arena.length + 3 * this.slots.length;
  }

  /**
   * Records configuration (current set, stateId). Returns false if it was
   * already there (explored before), true otherwise.
   */
  add(stateId: number): boolean {
    const set = this.set;
    const h = Math.imul(set.h1 ^ Math.imul(stateId, 0x9e3779b1), 0x85ebca6b);
    const check = set.h2 ^ stateId;
    const mask = this.mask;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) break;
      if (this.checks[i] === check && this.matches(slot - 1, stateId)) return false;
      i = (i + 1) & mask;
    }
    if (this.full) return true;
    const offset = this.store(stateId);
    if (offset < 0) return true;
    this.slots[i] = offset + 1;
    this.checks[i] = check;
    this.homes[i] = h;
    this.entries++;
    if (this.entries * 2 > mask) this.growTable();
    return true;
  }

  private matches(at: number, stateId: number): boolean {
    const a = this.arena;
    const set = this.set;
    if (a[at] !== stateId) return false;
    let p = at + 1;
    for (let s = 0; s < 2; s++) {
      const lo = set.lo[s];
      const span = set.span(s);
      if (a[p] !== lo || a[p + 1] !== span) return false;
      p += 2;
      const words = set.words;
      for (let w = 0; w < span; w++) if (a[p + w] !== words[lo + w]) return false;
      p += span;
    }
    return true;
  }

  /** Appends the encoding; returns its offset, or -1 when the budget is exhausted. */
  private store(stateId: number): number {
    const set = this.set;
    const need = 5 + set.span(0) + set.span(1);
    if (this.used + need > this.arena.length && !this.growArena(need)) return -1;
    const a = this.arena;
    const at = this.used;
    let p = at;
    a[p++] = stateId;
    for (let s = 0; s < 2; s++) {
      const lo = set.lo[s];
      const span = set.span(s);
      a[p++] = lo;
      a[p++] = span;
      a.set(set.words.subarray(lo, lo + span), p);
      p += span;
    }
    this.used = p;
    return at;
  }

  private growArena(need: number): boolean {
    const size = Math.max(this.arena.length * 2, this.used + need);
    const extra = size - this.arena.length;
    // Keep room for the table to double too.
    if (extra + 3 * this.slots.length > this.budget.words) {
      this.full = true;
      return false;
    }
    const next = new Int32Array(size);
    next.set(this.arena.subarray(0, this.used));
    this.arena = next;
    this.budget.words -= extra;
    return true;
  }

  private growTable(): void {
    const size = this.slots.length * 2;
    if (3 * this.slots.length > this.budget.words) {
      this.full = true;
      return;
    }
    this.budget.words -= 3 * this.slots.length;
    const slots = new Int32Array(size);
    const checks = new Int32Array(size);
    const homes = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i];
      if (slot === 0) continue;
      const h = this.homes[i];
      let j = (h ^ (h >>> 16)) & mask;
      while (slots[j] !== 0) j = (j + 1) & mask;
      slots[j] = slot;
      checks[j] = this.checks[i];
      homes[j] = h;
    }
    this.slots = slots;
    this.checks = checks;
    this.homes = homes;
    this.mask = mask;
  }

  /** Words of memory in use, for reporting. */
  get words(): number {
    return this.used + 3 * this.slots.length;
  }
}
