/**
 * Dead-state pruning by a monotone rank (Model.rank / Model.rankLimit).
 *
 * Ranks never decrease along a linearization, and an ok op is only legal in a
 * state whose rank is at most its limit. So once the rank passes the smallest
 * limit among the ok ops still unlinearized, that op can never be placed: the
 * state is dead, whatever comes next. For etcd the rank is a lower bound on the
 * store revision and an ok put with revision R has limit R - 1: an info write
 * linearized where no revision is free for it overshoots the next ok write and
 * is rejected at once instead of after a long search.
 *
 * Bookkeeping is O(1) amortized per linearize/undo: the ok ops with a finite
 * limit sorted by limit, and a cursor at the first one not yet linearized.
 */
export class RankGuard {
  private readonly sorted: Int32Array;
  private readonly pos: Int32Array;
  private readonly done: Uint8Array;
  private low = 0;

  /** `limits[op]`: the op's rankLimit (Infinity for info ops and unbounded ones). */
  constructor(private readonly limits: Float64Array) {
    const n = limits.length;
    const bounded: number[] = [];
    for (let op = 0; op < n; op++) if (Number.isFinite(limits[op])) bounded.push(op);
    bounded.sort((a, b) => limits[a] - limits[b] || a - b);
    this.sorted = Int32Array.from(bounded);
    this.pos = new Int32Array(n).fill(-1);
    bounded.forEach((op, i) => {
      this.pos[op] = i;
    });
    this.done = new Uint8Array(n);
  }

  /** Op was linearized. */
  add(op: number): void {
    this.done[op] = 1;
    const sorted = this.sorted;
    if (this.pos[op] === this.low) {
      let low = this.low;
      while (low < sorted.length && this.done[sorted[low]] === 1) low++;
      this.low = low;
    }
  }

  /** Op's linearization was undone. */
  remove(op: number): void {
    this.done[op] = 0;
    const p = this.pos[op];
    if (p >= 0 && p < this.low) this.low = p;
  }

  /**
   * Can a state of rank `rank`, reached by linearizing `op`, still place every
   * remaining ok op (as far as ranks tell)?
   */
  alive(rank: number, op: number): boolean {
    const sorted = this.sorted;
    const done = this.done;
    let i = this.low;
    while (i < sorted.length && (done[sorted[i]] === 1 || sorted[i] === op)) i++;
    return i === sorted.length || rank <= this.limits[sorted[i]];
  }
}
