import type { ConfState, Entry, NodeId, SnapshotMetadata } from '../src/raft/types.js';
import type { RaftLog } from '../src/raft/log.js';

export type InvariantName =
  | 'election-safety'
  | 'leader-append-only'
  | 'log-matching'
  | 'leader-completeness'
  | 'state-machine-safety'
  | 'commit-rule'
  | 'commit-monotonic'
  | 'apply-order'
  | 'durability'
  | 'snapshot'
  | 'config-change'
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

/** What a leader's commit is judged by: its config, and whether each node's disk holds the entry. */
export interface CommitQuorum {
  readonly conf: ConfState;
  durablyHolds(node: NodeId, index: number, term: number): boolean;
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
  /**
   * (index, term) → the one entry any log may hold there, and the term before it: the
   * first term seen at each index in flat arrays (by index), any later terms there (a
   * leader overwrote an uncommitted tail) in `laterTermsSeen`.
   */
  private readonly firstTermSeen: number[] = [];
  private readonly firstSeen: EntryRecord[] = [];
  private readonly laterTermsSeen = new Map<number, Map<number, EntryRecord>>();
  /** Per committed index: the entry's term and the term in which it was first known committed. */
  private readonly committedTerm: number[] = [0];
  private readonly committedInTerm: number[] = [0];
  /** Per committed index: the config in force at the node that first reported it committed (the leader that counted). */
  private readonly committedConf: (ConfState | undefined)[] = [undefined];
  /** Per conf entry index: the config applying it led to, which every node must reach alike. */
  private readonly confAfter = new Map<number, ConfState>();
  private readonly appliedAt: (Entry | undefined)[] = [];
  private readonly commitOf = new Map<NodeId, number>();
  /** Per node while it leads: its term and the last index it had appended as leader. */
  private readonly leaderTail = new Map<NodeId, { readonly term: number; readonly last: number }>();
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

  /**
   * Leader append-only (Figure 3): a leader never overwrites or deletes entries in its log,
   * so in one term its appends start past the last index it had. Log matching (§5.3): one
   * entry per (index, term), always after the same term. `leaderTerm`: the node's term if it
   * leads, else 0.
   */
  onAppend(node: NodeId, entries: readonly Entry[], log: RaftLog, leaderTerm = 0): void {
    if (leaderTerm > 0) {
      const tail = this.leaderTail.get(node);
      if (tail !== undefined && tail.term === leaderTerm && entries[0].index <= tail.last) {
        this.fail('leader-append-only', `leader ${node} of term ${leaderTerm} rewrote its log from index ${entries[0].index}, at or below its last index ${tail.last}: a leader only appends`);
      }
      this.leaderTail.set(node, { term: leaderTerm, last: entries[entries.length - 1].index });
    }
    for (const entry of entries) {
      const prevTerm = log.termAt(entry.index - 1);
      const seen = this.seenAt(entry.index, entry.term, entry.data, prevTerm);
      if (seen.data !== entry.data || seen.prevTerm !== prevTerm) {
        this.fail(
          'log-matching',
          `node ${node} holds a different entry at index ${entry.index} term ${entry.term} (or a different term before it: ${prevTerm} vs ${seen.prevTerm})`,
        );
      }
    }
  }

  /** The entry first seen at (index, term); this one, if none was. */
  private seenAt(index: number, term: number, data: string | null, prevTerm: number): EntryRecord {
    const firstTerm = this.firstTermSeen[index];
    if (firstTerm === undefined) {
      this.firstTermSeen[index] = term;
      return (this.firstSeen[index] = { data, prevTerm });
    }
    if (firstTerm === term) return this.firstSeen[index];
    let byTerm = this.laterTermsSeen.get(index);
    if (!byTerm) this.laterTermsSeen.set(index, (byTerm = new Map()));
    let seen = byTerm.get(term);
    if (!seen) byTerm.set(term, (seen = { data, prevTerm }));
    return seen;
  }

  /** A live node's commit index never decreases; committed entries never change. */
  onCommit(node: NodeId, commit: number, term: number, log: RaftLog, conf?: ConfState): void {
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
        this.committedConf.push(conf);
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
  onLeaderCommit(node: NodeId, commit: number, term: number, log: RaftLog, quorum?: CommitQuorum): void {
    const entryTerm = log.termAt(commit);
    if (entryTerm !== term) {
      this.fail('commit-rule', `leader ${node} of term ${term} moved its commit index to ${commit}, an entry of term ${entryTerm}: only entries of its own term commit by counting`);
      return;
    }
    if (quorum) this.checkCommitQuorum(node, commit, entryTerm, quorum);
  }

  /**
   * A leader commits only what a majority of ITS config holds durably, of both halves when
   * joint: the voters it counted are the ones that config names, not every node there is.
   */
  private checkCommitQuorum(node: NodeId, commit: number, entryTerm: number, { conf, durablyHolds }: CommitQuorum): void {
    for (const voters of [conf.voters, conf.votersOutgoing]) {
      if (voters.length === 0) continue;
      const copies = voters.filter((id) => durablyHolds(id, commit, entryTerm)).length;
      const needed = Math.floor(voters.length / 2) + 1;
      if (copies < needed) {
        this.fail('durability', `leader ${node} committed index ${commit} (term ${entryTerm}), durable on only ${copies} of voters ${voters.join(',')} (a majority is ${needed})`);
        return;
      }
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

  /**
   * Committed entries are on the disks of a majority, whatever crashes next: a majority
   * of the voters of the config that committed them (of both halves when joint), or of
   * all `disks` (node i + 1's at i) when no config was reported.
   */
  checkCommittedDurable(disks: readonly DurableLog[], quorum: number): void {
    const everyone: (readonly NodeId[])[] = [disks.map((_, i) => i + 1)];
    // Runs of indices share one config object: its halves are worked out once per run.
    let halvesOf: ConfState | undefined;
    let halves = everyone;
    for (let index = 1; index < this.committedTerm.length; index++) {
      const term = this.committedTerm[index];
      const conf = this.committedConf[index];
      if (!conf) halves = everyone;
      else if (conf !== halvesOf) {
        halvesOf = conf;
        halves = [conf.voters, conf.votersOutgoing].filter((half) => half.length > 0);
      }
      for (const voters of halves) {
        const needed = conf ? Math.floor(voters.length / 2) + 1 : quorum;
        let copies = 0;
        for (let i = 0; i < voters.length && copies < needed; i++) if (disks[voters[i] - 1]?.durablyHolds(index, term)) copies++;
        if (copies < needed) {
          const of = halves.length > 1 ? ` (voters ${voters.join(',')} of the joint config)` : '';
          this.fail('durability', `committed entry ${index} (term ${term}) is durable on only ${copies} of the ${needed} disks a majority needs${of}`);
          return;
        }
      }
    }
  }

  /**
   * Every node that applies the conf entry at `index` reaches the same config, and every
   * step is one the rules allow: between two simple configs at most one voter differs
   * (so any majority of one meets any majority of the other); entering joint keeps the
   * old voters as the outgoing half; leaving keeps the incoming half.
   */
  onConfApplied(node: NodeId, index: number, before: ConfState, after: ConfState): void {
    const seen = this.confAfter.get(index);
    if (!seen) this.confAfter.set(index, after);
    else if (JSON.stringify(seen) !== JSON.stringify(after)) {
      this.fail('config-change', `node ${node} applied conf entry ${index} and reached ${describeConf(after)}, another node ${describeConf(seen)}`);
      return;
    }
    const wasJoint = before.votersOutgoing.length > 0;
    const isJoint = after.votersOutgoing.length > 0;
    let broken = '';
    if (!wasJoint && !isJoint && symmetricDifference(before.voters, after.voters) > 1) broken = 'more than one voter changed without joint consensus';
    else if (!wasJoint && isJoint && !sameIds(after.votersOutgoing, before.voters)) broken = 'the outgoing half is not the old voters';
    else if (wasJoint && !isJoint && !sameIds(after.voters, before.voters)) broken = 'leaving joint consensus changed the incoming voters';
    else if (wasJoint && isJoint && JSON.stringify(before) !== JSON.stringify(after)) broken = 'a joint config changed without being left';
    if (broken) this.fail('config-change', `node ${node} applied conf entry ${index}: ${describeConf(before)} → ${describeConf(after)}: ${broken}`);
  }

  committedCount(): number {
    return this.committedTerm.length - 1;
  }
}

function symmetricDifference(a: readonly NodeId[], b: readonly NodeId[]): number {
  return a.filter((id) => !b.includes(id)).length + b.filter((id) => !a.includes(id)).length;
}

function sameIds(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return symmetricDifference(a, b) === 0;
}

function describeConf(conf: ConfState): string {
  const joint = conf.votersOutgoing.length > 0 ? ` && voters ${conf.votersOutgoing.join(',')}` : '';
  const learners = conf.learners.length > 0 ? ` learners ${conf.learners.join(',')}` : '';
  return `voters ${conf.voters.join(',')}${joint}${learners}`;
}

function describe(entry: Entry): string {
  return `term ${entry.term} ${entry.data === null ? '(empty)' : JSON.stringify(entry.data.slice(0, 40))}`;
}
