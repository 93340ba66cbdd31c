import type { RaftLog } from './log.js';
import type { ConfState, Snapshot, SnapshotMetadata } from './types.js';

/**
 * What a follower does with a snapshot from its leader, as etcd's raft decides:
 * `stale` when it has already committed that far (nothing to learn); `fastForward` when
 * its log already holds the snapshot's last entry, so the log is kept and only the commit
 * index moves up to it; otherwise `restore`, which replaces the whole log.
 */
export function installDecision(log: RaftLog, metadata: SnapshotMetadata): 'stale' | 'fastForward' | 'restore' {
  if (metadata.index <= log.committed) return 'stale';
  if (log.matchTerm(metadata.index, metadata.term)) return 'fastForward';
  return 'restore';
}

/**
 * The snapshots a node knows about: the newest one (its own compaction or one it installed),
 * which a leader sends to followers that lag past its compacted prefix, and an installed one
 * still to be handed to the driver in a Ready.
 */
export class SnapshotKeeper {
  latest: Snapshot | null;
  unstable: Snapshot | null = null;

  constructor(restored: Snapshot | null) {
    this.latest = restored;
  }

  get latestIndex(): number {
    return this.latest?.metadata.index ?? 0;
  }

  /**
   * Records the snapshot `data` the driver took at applied index `index` and compacts `log`
   * up to `catchUpEntries` before it (never back from where it was compacted already).
   */
  take(log: RaftLog, index: number, data: string, conf: ConfState, catchUpEntries: number): Snapshot {
    if (index <= this.latestIndex) throw new Error(`cannot snapshot at ${index}: already have one at ${this.latestIndex}`);
    const snapshot: Snapshot = { metadata: { index, term: log.termAt(index), conf }, data };
    this.latest = snapshot;
    log.compact(Math.max(log.compactedIndex, index - catchUpEntries));
    return snapshot;
  }

  /**
   * A follower's answer to its leader's snapshot: restores `log` from it (handing it to the
   * driver next), fast-forwards the commit index, or ignores it (see `installDecision`).
   * Returns the index to acknowledge, which the follower's log now reaches.
   */
  receive(log: RaftLog, snapshot: Snapshot): number {
    const { metadata } = snapshot;
    const decision = installDecision(log, metadata);
    if (decision === 'fastForward') log.commitTo(metadata.index);
    if (decision !== 'restore') return log.committed;
    log.restore(metadata.index, metadata.term);
    this.latest = snapshot;
    this.unstable = snapshot;
    return metadata.index;
  }

  /** The driver persisted and applied `snapshot`. */
  stableTo(snapshot: Snapshot): void {
    if (this.unstable === snapshot) this.unstable = null;
  }
}
