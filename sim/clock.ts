/**
 * A node's own clock: simulated time running at a rate the nemesis may change (clock
 * drift). The node's timers tick by it and its lessor reads it, so a fast clock times
 * out early and expires leases early, as a real drifting clock does.
 */
export class NodeClock {
  private rate = 1;
  private anchorTime = 0;
  private anchorLocal = 0;
  /** When the next tick is due, in simulated ms (fractional, rounded when scheduled). */
  private due = 0;

  constructor(private readonly now: () => number) {}

  /** The node's reading of the time, in ms. */
  local(): number {
    return this.anchorLocal + (this.now() - this.anchorTime) * this.rate;
  }

  get speed(): number {
    return this.rate;
  }

  setRate(rate: number): void {
    this.anchorLocal = this.local();
    this.anchorTime = this.now();
    this.rate = rate;
  }

  /** The first tick, at this simulated time. */
  startTicks(at: number): number {
    this.due = at;
    return at;
  }

  /** When the tick after the one due now comes: one tick interval on this clock later. */
  nextTick(tickMs: number): number {
    this.due = Math.max(this.due, this.now()) + tickMs / this.rate;
    return Math.round(this.due);
  }
}
