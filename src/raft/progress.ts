import type { NodeId } from './types.js';

/**
 * The leader's view of one follower, as in etcd's tracker: `probe` sends one append
 * at a time until the follower's match is found; `replicate` streams appends
 * optimistically, bounded by `maxInflight` unacknowledged messages.
 */
export class Progress {
  match = 0;
  next: number;
  state: 'probe' | 'replicate' = 'probe';
  /** In probe state: an append is outstanding, wait for its answer or the next heartbeat. */
  paused = false;
  /** The follower answered since the leader's last CheckQuorum test (see election.ts). */
  recentActive = false;
  /** Last indices of the appends in flight, oldest first (replicate state). */
  private inflight: number[] = [];

  constructor(
    readonly id: NodeId,
    next: number,
    private readonly maxInflight: number,
  ) {
    this.next = next;
  }

  isPaused(): boolean {
    return this.state === 'probe' ? this.paused : this.inflight.length >= this.maxInflight;
  }

  /** Records an append carrying entries up to `lastIndex` (or none). */
  sent(lastIndex: number, carriedEntries: boolean): void {
    if (this.state === 'replicate') {
      if (carriedEntries) {
        this.next = lastIndex + 1;
        this.inflight.push(lastIndex);
      }
    } else {
      this.paused = true;
    }
  }

  /**
   * A successful answer up to `index`. Returns whether the match moved. A stale answer (a
   * duplicate, or one overtaken by a later one) changes nothing: were it to unpause a
   * probe, every duplicated answer would send another append, whose answer is duplicated
   * in turn, and a lossy, duplicating network would breed a message storm.
   */
  acknowledge(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.paused = false;
    let freed = 0;
    while (freed < this.inflight.length && this.inflight[freed] <= index) freed++;
    if (freed > 0) this.inflight.splice(0, freed);
    if (this.state === 'probe') this.becomeReplicate();
    return true;
  }

  /**
   * A rejection of the append whose prevIndex was `rejected`; `probeFrom` is where the
   * hint says the logs could match. Returns false for a stale rejection, which is ignored.
   */
  reject(rejected: number, probeFrom: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.becomeProbe();
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, probeFrom + 1), this.match + 1);
    this.paused = false;
    return true;
  }

  becomeProbe(): void {
    this.state = 'probe';
    this.paused = false;
    this.inflight.length = 0;
    this.next = this.match + 1;
  }

  private becomeReplicate(): void {
    this.state = 'replicate';
    this.inflight.length = 0;
    this.next = this.match + 1;
  }

  /** A heartbeat answer: the follower is reachable, so a paused probe may try again. */
  heard(): void {
    this.paused = false;
  }
}

/** The largest index stored on a majority of `matches`. */
export function quorumIndex(matches: readonly number[]): number {
  const sorted = matches.slice().sort((a, b) => b - a);
  return sorted[Math.floor(sorted.length / 2)];
}
