/**
 * CheckQuorum (etcd's CheckQuorum): once per election timeout a leader checks that a
 * majority of voters answered it since the last check, and steps down to follower when
 * not, so a leader cut off in a minority does not go on believing it leads. The other
 * half of the rule: a node that heard from a live leader within an election timeout
 * ignores vote requests of a higher term (it is in the leader's lease), unless the
 * request belongs to a leadership transfer.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { ET, Network, Peer } from './helpers.js';

/** Ticks the leader `ticks` times, delivering everything after each tick. */
function runLeader(net: Network, leader: number, ticks: number): void {
  for (let i = 0; i < ticks; i++) {
    net.tick(leader);
    net.stabilize();
  }
}

describe('CheckQuorum: the leader side', () => {
  it('a leader that hears from nobody steps down at the first check that finds no answers since the one before, keeping its term', () => {
    const net = new Network([1, 2, 3], { checkQuorum: true });
    const leader = net.elect(1);
    const term = leader.term;
    leader.takeNotices();
    net.isolate(1);
    // The first check still counts the answers to the election's appends, from before the cut.
    runLeader(net, 1, ET);
    expect(leader.role).toBe('leader');
    runLeader(net, 1, ET - 1);
    expect(leader.role).toBe('leader');
    runLeader(net, 1, 1);
    expect(leader.role).toBe('follower');
    expect(leader.term).toBe(term);
    expect(leader.lead).toBe(NONE);
    expect(leader.takeNotices()).toEqual([{ kind: 'stepDown', term, reason: 'check quorum' }]);
  });

  it('without CheckQuorum (the control) the isolated leader goes on leading', () => {
    const net = new Network([1, 2, 3]);
    const leader = net.elect(1);
    net.isolate(1);
    runLeader(net, 1, 5 * ET);
    expect(leader.role).toBe('leader');
  });

  it('a leader that hears from a majority (itself included) keeps leading, timeout after timeout', () => {
    const net = new Network([1, 2, 3, 4, 5], { checkQuorum: true });
    const leader = net.elect(1);
    net.isolate(4);
    net.isolate(5);
    runLeader(net, 1, 5 * ET);
    expect(leader.role).toBe('leader');
    expect(leader.takeNotices()).toEqual([]);
  });

  it('answers from a minority are not enough: the leader of five that hears only one follower steps down', () => {
    const net = new Network([1, 2, 3, 4, 5], { checkQuorum: true });
    const leader = net.elect(1);
    for (const id of [3, 4, 5]) net.isolate(id);
    runLeader(net, 1, 2 * ET);
    expect(leader.role).toBe('follower');
  });
});

describe('CheckQuorum: the follower side (the leader lease)', () => {
  const vote = (term: number, transfer = false) =>
    ({ type: 'vote', from: 3, to: 2, term, lastIndex: 5, lastTerm: 9, ...(transfer ? { transfer: true as const } : {}) }) as const;

  function followerOf1(checkQuorum: boolean): Peer {
    const peer = new Peer(2, [1, 2, 3], { checkQuorum, hardState: { term: 2, vote: 1, commit: 0 } });
    peer.step({ type: 'heartbeat', from: 1, to: 2, term: 2, commit: 0, context: '' });
    peer.drain();
    return peer;
  }

  it('a follower that heard its leader within the election timeout ignores a higher-term vote request: no answer, no new term', () => {
    const peer = followerOf1(true);
    peer.tick(ET - 1);
    peer.step(vote(3));
    expect(peer.term).toBe(2);
    expect(peer.node.lead).toBe(1);
    expect(peer.drain()).toEqual([]);
  });

  it('without CheckQuorum (the control) the same request moves the follower to the new term and wins its vote', () => {
    const peer = followerOf1(false);
    peer.tick(ET - 1);
    peer.step(vote(3));
    expect(peer.term).toBe(3);
    expect(peer.drain()).toEqual([{ type: 'voteResp', from: 2, to: 3, term: 3, granted: true }]);
  });

  it('once an election timeout passed without the leader, the lease is over and the vote is granted', () => {
    const peer = new Peer(2, [1, 2, 3], { checkQuorum: true, random: () => 0.5, hardState: { term: 2, vote: 1, commit: 0 } });
    peer.step({ type: 'heartbeat', from: 1, to: 2, term: 2, commit: 0, context: '' });
    peer.drain();
    // The randomized timeout is 1.5 ET, so the follower has not campaigned yet.
    peer.tick(ET);
    expect(peer.role).toBe('follower');
    peer.step(vote(3));
    expect(peer.drain()).toEqual([{ type: 'voteResp', from: 2, to: 3, term: 3, granted: true }]);
  });

  it('a vote request of a leadership transfer is answered even within the lease', () => {
    const peer = followerOf1(true);
    peer.step(vote(3, true));
    expect(peer.term).toBe(3);
    expect(peer.drain()).toEqual([{ type: 'voteResp', from: 2, to: 3, term: 3, granted: true }]);
  });

  it('a leader is in its own lease: a higher-term vote request does not depose it', () => {
    const net = new Network([1, 2, 3], { checkQuorum: true });
    const leader = net.elect(1);
    const term = leader.term;
    leader.step({ type: 'vote', from: 3, to: 1, term: term + 5, lastIndex: 100, lastTerm: term + 4 });
    expect(leader.role).toBe('leader');
    expect(leader.term).toBe(term);
  });

  it('a node stuck at a higher term is not shut out for ever: the leader\'s heartbeat draws its term, and the leader steps down', () => {
    const net = new Network([1, 2, 3], { checkQuorum: true, preVote: true });
    const leader = net.elect(1);
    const term = leader.term;
    // Node 3 reached a higher term on its own (say, as a candidate before PreVote was on).
    net.peer(3).step({ type: 'app', from: 2, to: 3, term: term + 3, prevIndex: 0, prevTerm: 0, entries: [], commit: 0 });
    net.peer(3).drain();
    runLeader(net, 1, 2);
    expect(leader.term).toBe(term + 3);
  });
});
