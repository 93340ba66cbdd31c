import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../src/raft/log.js';
import type { Entry } from '../../src/raft/types.js';
import { InvariantChecker } from '../../sim/invariants.js';

const clock = { now: () => 1234 };
const e = (index: number, term: number, data: string | null = `d${index}`): Entry => ({ index, term, data });
const logOf = (entries: Entry[], committed = 0) => new RaftLog(entries, committed);

describe('invariant checker', () => {
  it('flags two leaders in one term (election safety)', () => {
    const checker = new InvariantChecker(clock);
    checker.onBecomeLeader(1, 3, logOf([]));
    checker.onBecomeLeader(1, 4, logOf([]));
    expect(checker.ok).toBe(true);
    checker.onBecomeLeader(2, 4, logOf([]));
    expect(checker.violations).toEqual([
      { invariant: 'election-safety', message: 'nodes 1 and 2 are both leader of term 4', time: 1234 },
    ]);
  });

  it('flags two different entries at one index and term (log matching)', () => {
    const checker = new InvariantChecker(clock);
    checker.onAppend(1, [e(1, 1, 'a')], logOf([e(1, 1, 'a')]));
    checker.onAppend(2, [e(1, 1, 'a')], logOf([e(1, 1, 'a')]));
    expect(checker.ok).toBe(true);
    checker.onAppend(3, [e(1, 1, 'b')], logOf([e(1, 1, 'b')]));
    expect(checker.violations[0].invariant).toBe('log-matching');
  });

  it('flags a leader that rewrites its own log in its term (leader append-only)', () => {
    const checker = new InvariantChecker(clock);
    checker.onAppend(1, [e(1, 2)], logOf([e(1, 2)]), 2);
    checker.onAppend(1, [e(2, 2), e(3, 2)], logOf([e(1, 2), e(2, 2), e(3, 2)]), 2);
    // The same node as a follower, then leading a later term, may see its log rewritten.
    checker.onAppend(1, [e(3, 3)], logOf([e(1, 2), e(2, 2), e(3, 3)]));
    checker.onAppend(1, [e(4, 4)], logOf([e(1, 2), e(2, 2), e(3, 3), e(4, 4)]), 4);
    expect(checker.ok).toBe(true);
    checker.onAppend(1, [e(4, 4, 'again')], logOf([e(1, 2), e(2, 2), e(3, 3), e(4, 4, 'again')]), 4);
    expect(checker.violations[0]).toEqual({
      invariant: 'leader-append-only',
      message: 'leader 1 of term 4 rewrote its log from index 4, at or below its last index 4: a leader only appends',
      time: 1234,
    });
  });

  it('lets a later term hold its own entry at an index, and holds that one to log matching too', () => {
    const checker = new InvariantChecker(clock);
    checker.onAppend(1, [e(1, 1, 'a')], logOf([e(1, 1, 'a')]));
    // A new leader overwrote the uncommitted entry: another term, another entry, no violation.
    checker.onAppend(2, [e(1, 2, 'b')], logOf([e(1, 2, 'b')]));
    checker.onAppend(3, [e(1, 2, 'b')], logOf([e(1, 2, 'b')]));
    checker.onAppend(4, [e(1, 1, 'a')], logOf([e(1, 1, 'a')]));
    expect(checker.ok).toBe(true);
    checker.onAppend(5, [e(1, 2, 'c')], logOf([e(1, 2, 'c')]));
    expect(checker.violations.map((v) => v.message)).toEqual([
      'node 5 holds a different entry at index 1 term 2 (or a different term before it: 0 vs 0)',
    ]);
  });

  it('flags an entry whose predecessor term differs between logs (log matching)', () => {
    const checker = new InvariantChecker(clock);
    checker.onAppend(1, [e(2, 2, 'x')], logOf([e(1, 1), e(2, 2, 'x')]));
    checker.onAppend(2, [e(2, 2, 'x')], logOf([e(1, 2), e(2, 2, 'x')]));
    expect(checker.violations[0].invariant).toBe('log-matching');
  });

  it('flags a leader whose commit index lands on an entry of an earlier term (the commit rule, Figure 8)', () => {
    const checker = new InvariantChecker(clock);
    const log = logOf([e(1, 1), e(2, 2), e(3, 4)]);
    checker.onLeaderCommit(1, 3, 4, log);
    expect(checker.ok).toBe(true);
    checker.onLeaderCommit(1, 2, 4, log);
    expect(checker.violations).toEqual([
      { invariant: 'commit-rule', message: 'leader 1 of term 4 moved its commit index to 2, an entry of term 2: only entries of its own term commit by counting', time: 1234 },
    ]);
  });

  it('flags a leader of a later term that lacks a committed entry (leader completeness)', () => {
    const checker = new InvariantChecker(clock);
    checker.onCommit(1, 2, 1, logOf([e(1, 1), e(2, 1)], 2));
    checker.onBecomeLeader(2, 2, logOf([e(1, 1), e(2, 1)]));
    expect(checker.ok).toBe(true);
    checker.onBecomeLeader(3, 3, logOf([e(1, 1)]));
    expect(checker.violations[0].invariant).toBe('leader-completeness');
  });

  it('does not demand entries committed in a later term than the new leader’s', () => {
    const checker = new InvariantChecker(clock);
    checker.onCommit(1, 1, 5, logOf([e(1, 5)], 1));
    checker.onBecomeLeader(2, 4, logOf([]));
    expect(checker.ok).toBe(true);
  });

  it('flags a commit index that moves back (commit monotonic)', () => {
    const checker = new InvariantChecker(clock);
    const log = logOf([e(1, 1), e(2, 1)], 2);
    checker.onCommit(1, 2, 1, log);
    checker.onCommit(1, 1, 1, log);
    expect(checker.violations[0].invariant).toBe('commit-monotonic');
  });

  it('flags different entries applied at one index (state machine safety)', () => {
    const checker = new InvariantChecker(clock);
    checker.onApply(1, e(1, 1, 'a'));
    checker.onApply(2, e(1, 1, 'a'));
    expect(checker.ok).toBe(true);
    checker.onApply(3, e(1, 2, 'b'));
    expect(checker.violations[0].invariant).toBe('state-machine-safety');
  });

  it('flags gaps and repeats in one node’s applies (apply order)', () => {
    const checker = new InvariantChecker(clock);
    checker.onApply(1, e(1, 1));
    checker.onApply(1, e(1, 1));
    expect(checker.violations[0].invariant).toBe('apply-order');
  });

  it('lets a restarted node apply from the start again', () => {
    const checker = new InvariantChecker(clock);
    checker.onApply(1, e(1, 1));
    checker.onCrash(1, { durablyHolds: () => true });
    checker.onApply(1, e(1, 1));
    expect(checker.ok).toBe(true);
  });

  it('flags an applied entry missing from the disk at a crash (durability)', () => {
    const checker = new InvariantChecker(clock);
    checker.onApply(1, e(1, 1));
    checker.onApply(1, e(2, 1));
    checker.onCrash(1, { durablyHolds: (index, term) => index === 1 && term === 1 });
    expect(checker.violations[0].invariant).toBe('durability');
  });

  it('flags a committed entry that is durable on fewer than a majority of disks', () => {
    const checker = new InvariantChecker(clock);
    checker.onCommit(1, 1, 1, logOf([e(1, 1)], 1));
    const has = { durablyHolds: (i: number, term: number) => i === 1 && term === 1 };
    const lacks = { durablyHolds: () => false };
    checker.checkCommittedDurable([has, has, lacks], 2);
    expect(checker.ok).toBe(true);
    checker.checkCommittedDurable([has, lacks, lacks], 2);
    expect(checker.violations[0].invariant).toBe('durability');
  });
});

describe('invariant checker with snapshots', () => {
  const meta = (index: number, term: number) => ({ index, term, conf: { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } });
  const committedUpTo3 = () => {
    const checker = new InvariantChecker(clock);
    checker.onCommit(1, 3, 1, logOf([e(1, 1), e(2, 1), e(3, 1)], 3));
    return checker;
  };

  it('flags a snapshot that covers an uncommitted index, or one whose last entry is not the committed one', () => {
    const beyond = committedUpTo3();
    beyond.onSnapshot(1, meta(4, 1), false);
    expect(beyond.violations[0]).toMatchObject({ invariant: 'snapshot', message: expect.stringContaining('only 3 entries are committed') });
    const wrongTerm = committedUpTo3();
    wrongTerm.onSnapshot(2, meta(3, 2), true);
    expect(wrongTerm.violations[0].invariant).toBe('snapshot');
    const fine = committedUpTo3();
    fine.onSnapshot(1, meta(3, 1), false);
    expect(fine.ok).toBe(true);
  });

  it('an installed snapshot moves the applied index forward: the next entry applies right after it, never behind it', () => {
    const checker = committedUpTo3();
    checker.onApply(2, e(1, 1));
    checker.onSnapshot(2, meta(3, 1), true);
    checker.onApply(2, e(4, 1));
    expect(checker.ok).toBe(true);
    checker.onSnapshot(2, meta(2, 1), true);
    expect(checker.violations[0].invariant).toBe('apply-order');
  });

  it('a compacted log is neither a missing committed entry to leader completeness nor a commit-term mismatch', () => {
    const checker = committedUpTo3();
    const compacted = new RaftLog([e(4, 2)], 3, 3, 1);
    checker.onCommit(2, 3, 2, compacted);
    checker.onBecomeLeader(2, 2, compacted);
    expect(checker.ok).toBe(true);
    const ahead = new InvariantChecker(clock);
    ahead.onCommit(2, 3, 2, compacted);
    expect(ahead.violations[0].invariant).toBe('snapshot');
  });

  it('counts a committed entry folded into a durable snapshot as kept on that disk', () => {
    const checker = committedUpTo3();
    const snapshotted = { durablyHolds: (index: number) => index <= 3 };
    const empty = { durablyHolds: () => false };
    checker.checkCommittedDurable([snapshotted, snapshotted, empty], 2);
    expect(checker.ok).toBe(true);
  });
});
