/**
 * The set of linearized operations of one part, as a typed-array bitset with an
 * incrementally maintained Zobrist hash and a compact canonical encoding.
 *
 * Why the encoding: on a 100k-operation part a plain bitset is 12 KB, and the
 * memo table stores one per configuration. But the search linearizes roughly in
 * time order, so the set is "everything up to some point, a window of recent
 * ops, nothing after". We store only the window: the first word that is not all
 * ones to the last word that is not all zero. `info` ops get their own section
 * because one that never takes effect would otherwise pin the window open.
 */

const FULL = 0xffffffff | 0;

export class LinearizedSet {
  readonly words: Int32Array;
  /** Word offset where info ops start; ok op i is bit i, info op nOk+j is bit infoBase*32+j. */
  readonly infoBase: number;
  /** Per section [ok, info]: first word not all ones, one past the last word not all zero. */
  readonly lo = new Int32Array(2);
  readonly hi = new Int32Array(2);
  private readonly end = new Int32Array(2);
  private readonly z1: Int32Array;
  private readonly z2: Int32Array;
  h1 = 0;
  h2 = 0;

  constructor(
    readonly n: number,
    readonly nOk: number,
    seed: number,
  ) {
    this.infoBase = (nOk + 31) >>> 5;
    const infoWords = (n - nOk + 31) >>> 5;
    this.words = new Int32Array(this.infoBase + infoWords);
    this.lo[0] = 0;
    this.hi[0] = 0;
    this.end[0] = this.infoBase;
    this.lo[1] = this.infoBase;
    this.hi[1] = this.infoBase;
    this.end[1] = this.infoBase + infoWords;
    // Deterministic Zobrist keys (xorshift32) so verdicts never depend on chance.
    this.z1 = new Int32Array(n);
    this.z2 = new Int32Array(n);
    let x = seed | 0 || 0x2545f491;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.z1[i] = x;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.z2[i] = x;
    }
  }

  private bit(op: number): number {
    return op < this.nOk ? op : (this.infoBase << 5) + (op - this.nOk);
  }

  has(op: number): boolean {
    const b = this.bit(op);
    return (this.words[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  set(op: number): void {
    const b = this.bit(op);
    const w = b >>> 5;
    const words = this.words;
    words[w] |= 1 << (b & 31);
    this.h1 ^= this.z1[op];
    this.h2 ^= this.z2[op];
    const s = op < this.nOk ? 0 : 1;
    if (w + 1 > this.hi[s]) this.hi[s] = w + 1;
    if (w === this.lo[s]) {
      let lo = w;
      const end = this.end[s];
      while (lo < end && words[lo] === FULL) lo++;
      this.lo[s] = lo;
    }
  }

  clear(op: number): void {
    const b = this.bit(op);
    const w = b >>> 5;
    const words = this.words;
    words[w] &= ~(1 << (b & 31));
    this.h1 ^= this.z1[op];
    this.h2 ^= this.z2[op];
    const s = op < this.nOk ? 0 : 1;
    if (w < this.lo[s]) this.lo[s] = w;
    if (words[w] === 0 && w + 1 === this.hi[s]) {
      let hi = w;
      const start = s === 0 ? 0 : this.infoBase;
      while (hi > start && words[hi - 1] === 0) hi--;
      this.hi[s] = hi;
    }
  }

  /** Words the encoding of section s holds (the window). */
  span(s: number): number {
    const d = this.hi[s] - this.lo[s];
    return d > 0 ? d : 0;
  }

  /** Words needed to store the current encoding (without the state id). */
  encodedLength(): number {
    return 2 + this.span(0) + this.span(1);
  }
}
