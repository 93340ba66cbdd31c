import type { NodeId } from './types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * The leader's view of one follower, as in etcd's tracker: `probe` sends one append
 * at a time until the follower's match is found; `replicate` streams appends
 * optimistically, bounded by `maxInflight` unacknowledged messages; `snapshot` sends
 * nothing while the follower installs the snapshot it was sent.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append is outstanding, wait for its answer or the next heartbeat. */
  paused = false;
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot = 0;
  /** Heartbeat answers heard while waiting for the snapshot's acknowledgement. */
  private snapshotWait = 0;
  /** The follower answered since the leader's last CheckQuorum test (see election.ts). */
  recentActive = false;
  /** Last indices of the appends in flight, oldest first (replicate state). */
  private inflight: number[] = [];

  /**
   * `snapshotRetryRounds`: after this many heartbeat answers with no acknowledgement of a
   * snapshot, it counts as lost and the follower is probed again. etcd learns that from
   * its transport (MsgSnapStatus); a simulated network drops messages silently.
   */
  constructor(
    readonly id: NodeId,
    next: number,
    private readonly maxInflight: number,
    private readonly snapshotRetryRounds = 10,
  ) {
    this.next = next;
  }

  isPaused(): boolean {
    if (this.state === 'snapshot') return true;
    return this.state === 'probe' ? this.paused : this.inflight.length >= this.maxInflight;
  }

  /** A snapshot up to `index` is on its way: nothing more is sent until the follower answers. */
  becomeSnapshot(index: number): void {
    this.state = 'snapshot';
    this.pendingSnapshot = index;
    this.snapshotWait = 0;
    this.inflight.length = 0;
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
    if (this.state === 'probe' || (this.state === 'snapshot' && index >= this.pendingSnapshot)) this.becomeReplicate();
    return true;
  }

  /**
   * A rejection of the append whose prevIndex was `rejected`; `probeFrom` is where the
   * hint says the logs could match. Returns false for a stale rejection, which is ignored.
   * A rejection of the append that found the follower lagging, heard while its snapshot
   * is on the way, means the follower has not got it: back to probing.
   */
  reject(rejected: number, probeFrom: number): boolean {
    if (this.state === 'snapshot') {
      if (this.next - 1 !== rejected) return false;
      this.state = 'probe';
    }
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

  /** Leaving snapshot state, the probe starts after the snapshot, as etcd's does: it has most likely arrived. */
  becomeProbe(): void {
    const afterSnapshot = this.state === 'snapshot' ? this.pendingSnapshot + 1 : 0;
    this.state = 'probe';
    this.paused = false;
    this.inflight.length = 0;
    this.next = Math.max(this.match + 1, afterSnapshot);
  }

  private becomeReplicate(): void {
    this.state = 'replicate';
    this.inflight.length = 0;
    this.next = this.match + 1;
  }

  /**
   * A heartbeat answer: the follower is reachable, so a paused probe may try again, and a
   * snapshot unacknowledged for `snapshotRetryRounds` answers is taken as lost.
   */
  heard(): void {
    if (this.state === 'snapshot') {
      if (++this.snapshotWait >= this.snapshotRetryRounds) this.becomeProbe();
      return;
    }
    this.paused = false;
  }
}
