/**
 * Raft paper §5.4, "Safety": a vote goes only to a candidate whose log is at least as
 * up to date as the voter's (§5.4.1), and a leader commits an entry of an earlier term
 * only indirectly, by committing one of its own term (§5.4.2, Figure 8).
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { Network, Peer, entriesOf, figure8Network, ofType } from './helpers.js';

describe('§5.4.1 election restriction', () => {
  // The voter holds [t1, t2] in term 2; a candidate of term 3 asks.
  const cases: [name: string, lastIndex: number, lastTerm: number, granted: boolean][] = [
    ['an older last term, even with a longer log', 5, 1, false],
    ['the same last term and a shorter log', 1, 2, false],
    ['an empty log', 0, 0, false],
    ['the same last term and the same length', 2, 2, true],
    ['the same last term and a longer log', 3, 2, true],
    ['a newer last term, even with a shorter log', 1, 3, true],
  ];
  it.each(cases)('a voter decides by log up-to-dateness: a candidate with %s gets %s', (_name, lastIndex, lastTerm, granted) => {
    const voter = new Peer(1, [1, 2, 3], { hardState: { term: 2, vote: NONE, commit: 0 }, entries: entriesOf([1, 2]) });
    voter.step({ type: 'vote', from: 2, to: 1, term: 3, lastIndex, lastTerm });
    const out = voter.drain();
    expect(out).toEqual([{ type: 'voteResp', from: 1, to: 2, term: 3, granted }]);
    expect(voter.term).toBe(3);
    expect(voter.node.vote).toBe(granted ? 2 : NONE);
    if (!granted) {
      // A refusal spends no vote: an up-to-date candidate of the same term can still win it.
      voter.step({ type: 'vote', from: 3, to: 1, term: 3, lastIndex: 2, lastTerm: 2 });
      expect(ofType(voter.drain(), 'voteResp')).toEqual([expect.objectContaining({ to: 3, granted: true })]);
    }
  });

  it('a node that missed committed entries cannot be elected; one that has them can', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    net.propose(1, 'x');
    expect(net.node(1).commit).toBe(2);
    net.heal();
    net.isolate(1);
    // Node 3 lacks the committed entry 2: node 2 refuses it.
    net.node(3).campaign();
    net.stabilize();
    expect(net.node(3).role).not.toBe('leader');
    expect(ofType(net.delivered, 'voteResp').filter((m) => m.to === 3 && m.from === 2).map((m) => m.granted)).toEqual([false]);
    // Node 2 has it and wins (node 3's log is behind node 2's).
    net.elect(2);
    expect(net.peer(2).logEntries().map((e) => e.data)).toEqual([null, 'x', null]);
  });
});

// ---- Figure 8 -----------------------------------------------------------------

/**
 * The cluster at Figure 8 (b): S1 led term 2 and wrote index 2 on itself and S2; then
 * S5 was elected for term 3 by S3, S4 and itself and wrote index 2 (term 3) on itself
 * only. Index 1 (term 1) is committed everywhere. Appends carry one entry at a time.
 */
const figure8 = (): Network => figure8Network();

/** Figure 8 (c): S5 is down; S1 is elected for term 4 (its first try, in term 3, fails). */
function electS1(net: Network): void {
  net.isolate(5);
  net.node(1).campaign();
  net.stabilize();
  expect(net.node(1).role).toBe('candidate');
  net.node(1).campaign();
  net.stabilize();
  expect(net.node(1).role).toBe('leader');
  expect(net.node(1).term).toBe(4);
}

describe('§5.4.2 committing entries from previous terms (Figure 8)', () => {
  it('a leader does not commit an entry of an earlier term by counting replicas, which is why (d) can overwrite it', () => {
    const net = figure8();
    // The appends that would bring S1's own term-4 entry (index 3) to a node holding index 2 are lost.
    net.drop((m) => m.type === 'app' && m.entries.some((e) => e.index >= 3) && net.node(m.to).log.lastIndex() >= 2);
    electS1(net);
    expect(net.peer(1).logTerms()).toEqual([1, 2, 4]);
    // Index 2 (term 2) is now stored on S1, S2, S3 and S4, and S1 knows of three of them…
    for (const id of [1, 2, 3, 4]) expect(net.node(id).log.termAt(2)).toBe(2);
    expect(net.node(1).progressOf(3)?.match).toBe(2);
    expect(net.node(1).progressOf(4)?.match).toBe(2);
    // …yet it stays uncommitted: it is not of the leader's term.
    for (const id of [1, 2, 3, 4, 5]) {
      expect(net.node(id).commit).toBe(1);
      expect(net.peer(id).applied.map((e) => e.index)).toEqual([1]);
    }

    // (d) S1 crashes; S5 (last term 3) can win S2, S3 and S4 and overwrite index 2.
    net.heal();
    net.isolate(1);
    net.node(5).campaign(); // term 4: they already voted for S1
    net.stabilize();
    expect(net.node(5).role).not.toBe('leader');
    net.elect(5);
    expect(net.node(5).term).toBe(5);
    for (const id of [2, 3, 4, 5]) expect(net.peer(id).logTerms()).toEqual([1, 3, 5]);
    expect(net.node(5).commit).toBe(3);
  });

  it('once an entry of its own term is committed, earlier entries are committed with it, and (e) is then safe', () => {
    const net = figure8();
    net.drop((m) => m.type === 'app' && m.entries.some((e) => e.index >= 3) && net.node(m.to).log.lastIndex() >= 2);
    electS1(net);
    expect(net.node(1).commit).toBe(1);
    // The term-4 entry now reaches the others; it commits, and index 2 with it.
    net.heal();
    net.isolate(5);
    net.tick(1);
    net.stabilize();
    net.tick(1);
    net.stabilize();
    expect(net.node(1).commit).toBe(3);
    for (const id of [1, 2, 3, 4]) {
      expect(net.peer(id).logTerms()).toEqual([1, 2, 4]);
      expect(net.node(id).commit).toBe(3);
      expect(net.peer(id).applied.map((e) => e.term)).toEqual([1, 2, 4]);
    }
    // (e) S1 crashes; S5 can no longer win: a majority has a log ending in term 4.
    net.heal();
    net.isolate(1);
    for (let attempt = 0; attempt < 3; attempt++) {
      net.node(5).campaign();
      net.stabilize();
      expect(net.node(5).role).not.toBe('leader');
    }
    for (const id of [2, 3, 4]) expect(net.peer(id).logTerms()).toEqual([1, 2, 4]);
  });

  it("a new leader's empty entry commits the previous terms' entries with it", () => {
    const net = new Network([1, 2, 3], () => ({
      hardState: { term: 1, vote: NONE, commit: 0 },
      entries: entriesOf([1, 1]),
    }));
    const leader = net.elect(1);
    expect(leader.term).toBe(2);
    expect(net.peer(1).logEntries().at(-1)).toEqual({ index: 3, term: 2, data: null });
    expect(leader.commit).toBe(3);
    net.tick(1);
    net.stabilize();
    for (const id of [1, 2, 3]) {
      expect(net.peer(id).applied).toEqual([...entriesOf([1, 1]), { index: 3, term: 2, data: null }]);
    }
  });
});
