/**
 * Two planted bugs shown at the level of the Raft node, as the protocol rules they break.
 * The nemesis catches both too (raft-bugs.test.ts): figure-8-commit by the commit rule once
 * appends carry one entry each, uncapped-follower-commit once heartbeats carry an uncapped
 * commit index. These tests pin down the exact breach, with the same inputs passing
 * without the bug.
 */
import { describe, expect, it } from 'vitest';
import type { BugSwitches } from '../../src/bugs.js';
import { RaftNode } from '../../src/raft/node.js';
import { entriesOf, figure8Network, fixedRandom, type Network } from '../raft/helpers.js';

const figure8 = (bugs: BugSwitches): Network => figure8Network(bugs);

/** Figure 8 (c): S5 is down, S1 wins term 4, and its own term-4 entry never reaches the others. */
function electS1WithoutItsOwnEntry(net: Network): void {
  net.drop((m) => m.type === 'app' && m.entries.some((e) => e.index >= 3) && net.node(m.to).log.lastIndex() >= 2);
  net.isolate(5);
  net.node(1).campaign();
  net.stabilize();
  net.node(1).campaign();
  net.stabilize();
  expect(net.node(1).role).toBe('leader');
  expect(net.node(1).term).toBe(4);
}

describe('figure-8-commit (unit level: no scenario reaches it)', () => {
  it('commits index 2 of term 2 by counting replicas; then S5 wins term 5 without that committed entry', () => {
    const net = figure8({ figure8Commit: true });
    electS1WithoutItsOwnEntry(net);
    // §5.4.2 broken: index 2 (term 2) is committed, and applied, because four nodes hold it.
    expect(net.node(1).commit).toBe(2);
    expect(net.peer(1).applied.map((e) => e.term)).toEqual([1, 2]);
    // Figure 8 (d): S1 crashes; S5, whose log ends in term 3, wins S2, S3 and S4.
    net.heal();
    net.isolate(1);
    net.node(5).campaign();
    net.stabilize();
    net.node(5).campaign();
    net.stabilize();
    expect(net.node(5).role).toBe('leader');
    // Leader completeness broken: the new leader holds term 3, not the committed term 2, at index 2.
    expect(net.node(5).log.termAt(2)).toBe(3);
  });

  it('without the bug the same schedule leaves index 2 uncommitted', () => {
    const net = figure8({});
    electS1WithoutItsOwnEntry(net);
    expect(net.node(1).commit).toBe(1);
  });
});

describe('uncapped-follower-commit (unit level: no scenario reaches it)', () => {
  /**
   * The follower holds index 3 of term 2 from a deposed leader; the leader of term 3 holds
   * index 3 of term 3, committed. Its probe (batches of one entry) matches index 2 and
   * carries commit 3: only index 2 is known to agree with the leader.
   */
  function followerWithStaleTail(bugs: BugSwitches): RaftNode {
    const follower = new RaftNode({
      id: 2,
      voters: [1, 2, 3],
      electionTicks: 10,
      heartbeatTicks: 1,
      random: fixedRandom(0),
      restored: { hardState: { term: 3, vote: 1, commit: 1 }, entries: entriesOf([1, 1, 2]) },
      bugs,
    });
    follower.step({ type: 'app', from: 1, to: 2, term: 3, prevIndex: 1, prevTerm: 1, entries: entriesOf([1], 2), commit: 3 });
    return follower;
  }

  it('commits (and hands out for applying) the stale index 3 of term 2, which the leader committed as term 3', () => {
    const follower = followerWithStaleTail({ uncappedFollowerCommit: true });
    expect(follower.commit).toBe(3);
    expect(follower.ready().committed.map((e) => e.term)).toEqual([1, 1, 2]);
  });

  it('without the bug the commit stops at the last new entry', () => {
    const follower = followerWithStaleTail({});
    expect(follower.commit).toBe(2);
    expect(follower.ready().committed.map((e) => e.term)).toEqual([1, 1]);
  });
});
