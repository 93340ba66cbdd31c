import type { NodeId } from './types.js';

interface PendingRead {
  readonly context: string;
  readonly index: number;
  /** Who asked: the leader itself, or the follower to answer. */
  readonly requester: NodeId;
  readonly acks: Set<NodeId>;
}

/**
 * ReadIndex bookkeeping on the leader (§6.4 of the Raft thesis): a read records the
 * commit index, then waits for a heartbeat round in which a majority still follows
 * this leader. An ack for a later request also confirms every earlier one.
 */
export class ReadOnlyQueue {
  private pending: PendingRead[] = [];

  add(context: string, index: number, requester: NodeId, self: NodeId): void {
    this.pending.push({ context, index, requester, acks: new Set([self]) });
  }

  lastContext(): string {
    return this.pending.length === 0 ? '' : this.pending[this.pending.length - 1].context;
  }

  /** Records `from`'s ack of `context`; returns the reads now confirmed by a quorum (`hasQuorum` of the acks), oldest first. */
  acknowledge(context: string, from: NodeId, hasQuorum: (acks: ReadonlySet<NodeId>) => boolean): PendingRead[] {
    const at = this.pending.findIndex((read) => read.context === context);
    if (at < 0) return [];
    const read = this.pending[at];
    read.acks.add(from);
    if (!hasQuorum(read.acks)) return [];
    return this.pending.splice(0, at + 1);
  }

  /** Releases everything at once (a single-node cluster needs no round). */
  drain(): PendingRead[] {
    return this.pending.splice(0, this.pending.length);
  }

  clear(): void {
    this.pending.length = 0;
  }
}
