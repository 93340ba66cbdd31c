import type { Entry, NodeId, SnapshotMetadata } from '../src/raft/types.js';
import type { RaftLog } from '../src/raft/log.js';

export type InvariantName =
  | 'election-safety'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'commit-rule'
  | 'commit-monotonic'
  | 'apply-order'
  | 'durability'
  | 'snapshot'
  | 'liveness'
  | 'message-storm'
  | 'linearizability'
  | 'bank'
  | 'lease'
  | 'watch';

export interface Violation {
  readonly invariant: InvariantName;
  readonly message: string;
  readonly time: number;
}

/** What a disk keeps, as the durability checks ask it. */
export interface DurableLog {
  /** The entry at `index` of `term` survives a crash (stored, or folded into a durable snapshot). */
  durablyHolds(index: number, term: number): boolean;
}

interface EntryRecord {
  readonly data: string | null;
  readonly prevTerm: number;
}

/**
 * The Raft safety properties (Figure 3 of the paper), checked incrementally as the
 * cluster runs, so each check costs about as much as the event that triggers it.
 * Every hook returns nothing; violations accumulate in `violations`.
 */
export class InvariantChecker {
  readonly violations: Violation[] = [];
  private readonly leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) → the one entry any log may hold there, and the term before it. */
  private readonly entriesSeen = new Map<number, Map<number, EntryRecord>>();
  /** Per committed index: the entry's term and the term in which it was first known committed. */
  private readonly committedTerm: number[] = [0];
  private readonly committedInTerm: number[] = [0];
  private readonly appliedAt: (Entry | undefined)[] = [];
  private readonly commitOf = new Map<NodeId, number>();
  private readonly appliedOf = new Map<NodeId, number>();

  constructor(private readonly clock: { now(): number }) {}

  get ok(): boolean {
    return this.violations.length === 0;
  }

  fail(invariant: InvariantName, message: string): void {
    this.violations.push({ invariant, message, time: this.clock.now() });
  }

  /** Election safety: at most one leader per term (§5.2). Leader completeness (§5.4). */
  onBecomeLeader(node: NodeId, term: number, log: RaftLog): void {
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== node) {
      this.fail('election-safety', `nodes ${other} and ${node} are both leader of term ${term}`);
    }
    this.leaderOfTerm.set(term, node);
    // Below its compacted index the log holds a snapshot of committed entries (checked when taken).
    for (let index = Math.max(1, log.compactedIndex); index < this.committedTerm.length; index++) {
      if (this.committedInTerm[index] >= term) continue;
      if (log.termAt(index) !== this.committedTerm[index]) {
        this.fail(
          'leader-completeness',
          `node ${node} became leader of term ${term} without committed entry ${index} (term ${this.committedTerm[index]}); its log has term ${log.termAt(index)} there`,
        );
        return;
      }
    }
  }

  /** Log matching (§5.3): one entry per (index, term), always after the same term. */
  onAppend(node: NodeId, entries: readonly Entry[], log: RaftLog): void {
    for (const entry of entries) {
      const prevTerm = log.termAt(entry.index - 1);
      let byTerm = this.entriesSeen.get(entry.index);
      if (!byTerm) {
        byTerm = new Map();
        this.entriesSeen.set(entry.index, byTerm);
      }
      const seen = byTerm.get(entry.term);
      if (!seen) byTerm.set(entry.term, { data: entry.data, prevTerm });
      else if (seen.data !== entry.data || seen.prevTerm !== prevTerm) {
        this.fail(
          'log-matching',
          `node ${node} holds a different entry at index ${entry.index} term ${entry.term} (or a different term before it: ${prevTerm} vs ${seen.prevTerm})`,
        );
      }
    }
  }

  /** A live node's commit index never decreases; committed entries never change. */
  onCommit(node: NodeId, commit: number, term: number, log: RaftLog): void {
    const before = this.commitOf.get(node) ?? 0;
    if (commit < before) {
      this.fail('commit-monotonic', `node ${node} moved its commit index back from ${before} to ${commit}`);
    }
    this.commitOf.set(node, commit);
    // Below `before` this node's log cannot have changed: the log refuses to truncate there.
    for (let index = before + 1; index <= commit; index++) {
      if (index < log.compactedIndex) {
        // Compacted: the node got there through a snapshot, whose index onSnapshot checked was committed.
        if (index < this.committedTerm.length) continue;
        this.fail('snapshot', `node ${node} committed index ${index} through a snapshot, but nobody had committed it`);
        return;
      }
      const entryTerm = log.termAt(index);
      if (index >= this.committedTerm.length) {
        this.committedTerm.push(entryTerm);
        this.committedInTerm.push(term);
      } else if (this.committedTerm[index] !== entryTerm) {
        this.fail(
          'state-machine-safety',
          `node ${node} committed index ${index} with term ${entryTerm}, but term ${this.committedTerm[index]} was committed there before`,
        );
        return;
      }
    }
  }

  /**
   * The commit rule (§5.4.2, Figure 8): a leader counts replicas only for an entry of its
   * own term; earlier entries commit with it. A leader whose commit index lands on an
   * entry of an earlier term has counted replicas for it, which is unsafe even when no
   * rival is around yet to overwrite it.
   */
  onLeaderCommit(node: NodeId, commit: number, term: number, log: RaftLog): void {
    const entryTerm = log.termAt(commit);
    if (entryTerm !== term) {
      this.fail('commit-rule', `leader ${node} of term ${term} moved its commit index to ${commit}, an entry of term ${entryTerm}: only entries of its own term commit by counting`);
    }
  }

  /** State machine safety: no two nodes apply different entries at one index; each node applies in order. */
  onApply(node: NodeId, entry: Entry): void {
    const last = this.appliedOf.get(node) ?? 0;
    if (entry.index !== last + 1) {
      this.fail('apply-order', `node ${node} applied index ${entry.index} right after ${last}`);
    }
    this.appliedOf.set(node, entry.index);
    const first = this.appliedAt[entry.index];
    if (!first) this.appliedAt[entry.index] = entry;
    else if (first.term !== entry.term || first.data !== entry.data) {
      this.fail(
        'state-machine-safety',
        `node ${node} applied ${describe(entry)} at index ${entry.index}, another node applied ${describe(first)}`,
      );
    }
  }

  /**
   * A snapshot, taken by the node (`restored` false) or installed from the leader (true),
   * covers only committed entries, and its last one is the committed one there. An installed
   * one moves the node's state machine forward to its index, never back.
   */
  onSnapshot(node: NodeId, metadata: SnapshotMetadata, restored: boolean): void {
    const { index, term } = metadata;
    if (index >= this.committedTerm.length || this.committedTerm[index] !== term) {
      const known = index < this.committedTerm.length ? `term ${this.committedTerm[index]} was committed there` : `only ${this.committedTerm.length - 1} entries are committed`;
      this.fail('snapshot', `node ${node} ${restored ? 'installed' : 'took'} a snapshot at index ${index} (term ${term}), but ${known}`);
      return;
    }
    if (!restored) return;
    const last = this.appliedOf.get(node) ?? 0;
    if (index < last) this.fail('apply-order', `node ${node} installed a snapshot at ${index} after applying up to ${last}`);
    this.appliedOf.set(node, index);
  }

  /** A crash forgets volatile state; the node's applied entries must all be on its disk. */
  onCrash(node: NodeId, disk: DurableLog): void {
    const applied = this.appliedOf.get(node) ?? 0;
    for (let index = 1; index <= applied; index++) {
      const entry = this.appliedAt[index];
      if (entry && !disk.durablyHolds(index, entry.term)) {
        this.fail('durability', `node ${node} crashed and lost applied entry ${index} (term ${entry.term}) from its disk`);
        break;
      }
    }
    this.commitOf.delete(node);
    this.appliedOf.delete(node);
  }

  /** Committed entries are on the disks of a majority, whatever crashes next. */
  checkCommittedDurable(disks: readonly DurableLog[], quorum: number): void {
    for (let index = 1; index < this.committedTerm.length; index++) {
      let copies = 0;
      for (const disk of disks) if (disk.durablyHolds(index, this.committedTerm[index])) copies++;
      if (copies < quorum) {
        this.fail('durability', `committed entry ${index} (term ${this.committedTerm[index]}) is durable on only ${copies} of the ${quorum} disks a majority needs`);
        return;
      }
    }
  }

  committedCount(): number {
    return this.committedTerm.length - 1;
  }
}

function describe(entry: Entry): string {
  return `term ${entry.term} ${entry.data === null ? '(empty)' : JSON.stringify(entry.data.slice(0, 40))}`;
}
