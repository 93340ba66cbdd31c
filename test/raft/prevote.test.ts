/**
 * PreVote (Raft thesis §9.6, etcd's PreVote): a node whose election timer fires first
 * asks the others whether they would vote for it in the next term, without raising its
 * own term or casting a vote. Only when a majority says yes does it become a candidate.
 * Neither the question nor a yes may move anyone's term, so a node that comes back from
 * isolation cannot depose a healthy leader with a term it raised alone.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { ET, Network, Peer, entriesOf, ofType } from './helpers.js';

describe('PreVote', () => {
  it('a timed-out node becomes a pre-candidate: it keeps its term and vote and asks for term + 1', () => {
    const peer = new Peer(1, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: 3, commit: 1 }, entries: entriesOf([1, 2]) });
    peer.tick(ET);
    expect(peer.role).toBe('preCandidate');
    expect(peer.term).toBe(2);
    expect(peer.node.vote).toBe(3);
    const [rd] = peer.drainReadies();
    expect(rd.hardState).toBeNull();
    expect(rd.messages).toEqual([2, 3].map((to) => ({ type: 'preVote', from: 1, to, term: 3, lastIndex: 2, lastTerm: 2 })));
  });

  it('a pre-vote majority makes it a real candidate: only then term + 1, its own vote, and vote requests', () => {
    const peer = new Peer(1, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: NONE, commit: 0 } });
    peer.tick(ET);
    peer.drain();
    peer.step({ type: 'preVoteResp', from: 2, to: 1, term: 3, granted: true });
    expect(peer.role).toBe('candidate');
    expect(peer.term).toBe(3);
    expect(peer.node.vote).toBe(1);
    expect(ofType(peer.drain(), 'vote').map((m) => [m.to, m.term])).toEqual([
      [2, 3],
      [3, 3],
    ]);
  });

  it('a pre-vote majority of refusals sends the pre-candidate back to follower, term untouched', () => {
    const peer = new Peer(1, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: NONE, commit: 0 } });
    peer.tick(ET);
    peer.step({ type: 'preVoteResp', from: 2, to: 1, term: 2, granted: false });
    peer.step({ type: 'preVoteResp', from: 3, to: 1, term: 2, granted: false });
    expect(peer.role).toBe('follower');
    expect(peer.term).toBe(2);
  });

  it('a grant left over from an earlier pre-election (for an older term) does not count', () => {
    const peer = new Peer(1, [1, 2, 3], { preVote: true, hardState: { term: 3, vote: NONE, commit: 0 } });
    peer.tick(ET);
    peer.step({ type: 'preVoteResp', from: 2, to: 1, term: 3, granted: true });
    expect(peer.role).toBe('preCandidate');
    expect(peer.term).toBe(3);
  });

  it.each([
    ['up to date', entriesOf([1, 2]), true],
    ['behind', entriesOf([1]), false],
  ] as const)('a follower asked for a pre-vote by a node whose log is %s answers without changing its term or vote', (_case, candidateLog, granted) => {
    const voter = new Peer(2, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: 3, commit: 1 }, entries: entriesOf([1, 2]) });
    const last = candidateLog[candidateLog.length - 1];
    voter.step({ type: 'preVote', from: 1, to: 2, term: 3, lastIndex: last.index, lastTerm: last.term });
    expect(voter.term).toBe(2);
    expect(voter.node.vote).toBe(3);
    const [rd] = voter.drainReadies();
    expect(rd.hardState).toBeNull();
    // A grant echoes the asked-for term; a refusal carries the voter's own.
    expect(rd.messages).toEqual([{ type: 'preVoteResp', from: 2, to: 1, term: granted ? 3 : 2, granted }]);
  });

  it('a granted pre-vote answer of a higher term does not make its receiver step down', () => {
    const net = new Network([1, 2, 3], { preVote: true });
    const leader = net.elect(1);
    const term = leader.term;
    leader.step({ type: 'preVoteResp', from: 2, to: 1, term: term + 1, granted: true });
    expect(leader.role).toBe('leader');
    expect(leader.term).toBe(term);
  });

  it('a refusal of a higher term does move the pre-candidate to that term, as a follower', () => {
    const peer = new Peer(1, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: NONE, commit: 0 } });
    peer.tick(ET);
    peer.step({ type: 'preVoteResp', from: 2, to: 1, term: 7, granted: false });
    expect(peer.role).toBe('follower');
    expect(peer.term).toBe(7);
  });

  it('a pre-vote of an older term is refused with the newer term', () => {
    const voter = new Peer(2, [1, 2, 3], { preVote: true, hardState: { term: 5, vote: NONE, commit: 0 } });
    voter.step({ type: 'preVote', from: 1, to: 2, term: 3, lastIndex: 0, lastTerm: 0 });
    expect(voter.drain()).toEqual([{ type: 'preVoteResp', from: 2, to: 1, term: 5, granted: false }]);
  });

  it('a pre-candidate that hears the leader of its term follows it', () => {
    const peer = new Peer(3, [1, 2, 3], { preVote: true, hardState: { term: 2, vote: 1, commit: 0 } });
    peer.tick(ET);
    expect(peer.role).toBe('preCandidate');
    peer.step({ type: 'heartbeat', from: 1, to: 3, term: 2, commit: 0, context: '' });
    expect(peer.role).toBe('follower');
    expect(peer.node.lead).toBe(1);
  });

  it('a single node needs nobody: it goes straight from pre-candidate to leader', () => {
    const peer = new Peer(1, [1], { preVote: true });
    peer.tick(ET);
    expect(peer.role).toBe('leader');
    expect(peer.term).toBe(1);
  });

  describe('the isolated node that rejoins (the disruptive rejoin of §9.6)', () => {
    /** Elects 1, isolates 3 for several election timeouts while 1 commits an entry, heals, and lets 3 campaign. */
    function rejoin(preVote: boolean) {
      const net = new Network([1, 2, 3], { preVote });
      const leader = net.elect(1);
      const term = leader.term;
      net.isolate(3);
      for (let i = 0; i < 5; i++) {
        net.tick(3, ET);
        net.stabilize();
      }
      net.propose(1, 'while 3 was away');
      const isolatedTerm = net.node(3).term;
      net.heal();
      net.node(3).campaign();
      net.stabilize();
      return { net, term, isolatedTerm };
    }

    it('with PreVote it never raised its term alone, and the leader keeps its term and leadership', () => {
      const { net, term, isolatedTerm } = rejoin(true);
      expect(isolatedTerm).toBe(term);
      expect(net.node(1).role).toBe('leader');
      expect(net.node(1).term).toBe(term);
      expect(net.node(3).term).toBe(term);
      expect(net.deliveredOfType('vote').filter((m) => m.from === 3)).toEqual([]);
    });

    it('without PreVote (the control) the same rejoin deposes the leader', () => {
      const { net, term, isolatedTerm } = rejoin(false);
      expect(isolatedTerm).toBeGreaterThan(term);
      expect(net.node(1).term).toBeGreaterThan(term);
    });
  });
});
