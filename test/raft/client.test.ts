/**
 * Client interaction (Raft paper §8, thesis §6.4): proposals made on a follower are
 * forwarded to the leader it knows; linearizable reads use ReadIndex, which a leader
 * answers only after a heartbeat round confirms it still leads, and only once it has
 * committed an entry of its own term. A single-node cluster needs no one else.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { ET, Network, Peer, makeLeader, ofType } from './helpers.js';

describe('proposal forwarding', () => {
  it('a follower forwards a proposal to the leader it knows, which commits it', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    expect(net.node(2).lead).toBe(1);
    expect(net.node(2).propose('x')).toEqual({ kind: 'forwarded', leader: 1 });
    const out = net.peer(2).drain();
    expect(out).toEqual([{ type: 'prop', from: 2, to: 1, term: 0, data: ['x'] }]);
    // The follower's own log is untouched until the leader replicates the entry.
    expect(net.node(2).log.lastIndex()).toBe(1);
    net.send(...out);
    net.stabilize();
    net.tick(1);
    net.stabilize();
    for (const id of [1, 2, 3]) expect(net.peer(id).applied.map((e) => e.data)).toEqual([null, 'x']);
  });

  it('a node that knows no leader drops a proposal', () => {
    const follower = new Peer(2, [1, 2, 3]);
    expect(follower.node.propose('x')).toEqual({ kind: 'dropped', reason: 'no leader' });
    expect(follower.drain()).toEqual([]);
    expect(follower.node.log.lastIndex()).toBe(0);

    const candidate = new Peer(1, [1, 2, 3]);
    candidate.node.campaign();
    candidate.drain();
    expect(candidate.node.propose('x')).toEqual({ kind: 'dropped', reason: 'no leader' });
    expect(candidate.drain()).toEqual([]);
  });

  it('a forwarded proposal that reaches a node which is not the leader is dropped, not forwarded again', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const stale = net.peer(3);
    stale.step({ type: 'prop', from: 2, to: 3, term: 0, data: ['x'] });
    expect(stale.drain()).toEqual([]);
    expect(stale.node.log.lastIndex()).toBe(1);
  });
});

describe('ReadIndex', () => {
  /** A 5-node cluster whose leader (1) has committed its empty entry and told everyone. */
  function settled(): Network {
    const net = new Network([1, 2, 3, 4, 5]);
    net.elect(1);
    net.tick(1);
    net.stabilize();
    return net;
  }

  it('the leader answers a read index only after a majority acknowledges a heartbeat round', () => {
    const net = settled();
    const leader = net.peer(1);
    const commit = leader.node.commit;
    expect(leader.node.readIndex('r1')).toBe(true);
    const heartbeats = ofType(leader.drain(), 'heartbeat');
    expect(heartbeats.map((m) => [m.to, m.context])).toEqual([
      [2, 'r1'],
      [3, 'r1'],
      [4, 'r1'],
      [5, 'r1'],
    ]);
    expect(leader.readStates).toEqual([]);

    const answer = (to: number) => {
      const hb = heartbeats.find((m) => m.to === to)!;
      net.peer(to).step(hb);
      const [resp] = ofType(net.peer(to).drain(), 'heartbeatResp');
      expect(resp.context).toBe('r1');
      leader.step(resp);
      leader.drain();
    };
    answer(2);
    // Leader + one follower of five: not yet a majority.
    expect(leader.readStates).toEqual([]);
    answer(3);
    expect(leader.readStates).toEqual([{ index: commit, context: 'r1' }]);
    // Later answers do not release it again.
    answer(4);
    expect(leader.readStates).toHaveLength(1);
  });

  it('a read index is never answered by a leader cut off from the majority', () => {
    const net = settled();
    for (const id of [3, 4, 5]) net.isolate(id);
    net.node(1).readIndex('r');
    net.stabilize();
    for (let i = 0; i < 3; i++) {
      net.tick(1);
      net.stabilize();
    }
    expect(net.peer(1).readStates).toEqual([]);
  });

  it('an acknowledgement of a later read confirms every earlier one', () => {
    const net = settled();
    const leader = net.peer(1);
    net.drop((m) => m.type === 'heartbeatResp' && m.context === 'a');
    leader.node.readIndex('a');
    net.stabilize();
    expect(leader.readStates).toEqual([]);
    leader.node.readIndex('b');
    net.stabilize();
    expect(leader.readStates.map((r) => r.context)).toEqual(['a', 'b']);
  });

  it('a new leader defers read index requests until it has committed an entry of its own term', () => {
    const leader = new Peer(1, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 } });
    makeLeader(leader, [2]);
    expect(leader.node.commit).toBe(0);
    expect(leader.node.readIndex('early')).toBe(true);
    // Not answered and not even asked about: no heartbeat round yet.
    expect(ofType(leader.drain(), 'heartbeat')).toEqual([]);
    leader.step({ type: 'heartbeatResp', from: 2, to: 1, term: 2, context: 'early' });
    leader.drain();
    expect(leader.readStates).toEqual([]);

    // The empty entry of term 2 commits: now the read starts its round.
    leader.step({ type: 'appResp', from: 2, to: 1, term: 2, index: 1, reject: false, hintIndex: 0, hintTerm: 0 });
    expect(leader.node.commit).toBe(1);
    const heartbeats = ofType(leader.drain(), 'heartbeat');
    expect(heartbeats.map((m) => m.context)).toEqual(['early', 'early']);
    expect(leader.readStates).toEqual([]);
    leader.step({ type: 'heartbeatResp', from: 3, to: 1, term: 2, context: 'early' });
    leader.drain();
    expect(leader.readStates).toEqual([{ index: 1, context: 'early' }]);
  });

  it("a follower's read index comes back from the leader as a ReadState (via readIndexResp)", () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'x');
    expect(net.node(2).readIndex('f1')).toBe(true);
    const out = net.peer(2).drain();
    expect(out).toEqual([{ type: 'readIndex', from: 2, to: 1, term: 0, context: 'f1' }]);
    net.send(...out);
    net.stabilize();
    const responses = net.deliveredOfType('readIndexResp');
    expect(responses).toEqual([{ type: 'readIndexResp', from: 1, to: 2, term: 1, context: 'f1', index: 2 }]);
    expect(net.peer(2).readStates).toEqual([{ index: 2, context: 'f1' }]);
    expect(net.peer(1).readStates).toEqual([]);
  });

  it('a node that knows no leader cannot start a read, and a non-leader drops a forwarded one', () => {
    const lonely = new Peer(2, [1, 2, 3]);
    expect(lonely.node.readIndex('r')).toBe(false);
    expect(lonely.drain()).toEqual([]);

    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.peer(3).step({ type: 'readIndex', from: 2, to: 3, term: 0, context: 'r' });
    expect(net.peer(3).drain()).toEqual([]);
  });
});

describe('single-node cluster', () => {
  it('elects itself on its first timeout, commits its proposals alone, and answers reads at once', () => {
    const solo = new Peer(1, [1]);
    solo.tick(ET - 1);
    expect(solo.role).toBe('follower');
    solo.tick(1);
    expect(solo.role).toBe('leader');
    expect(solo.term).toBe(1);
    solo.drain();
    expect(solo.node.commit).toBe(1);
    expect(solo.drain()).toEqual([]);

    expect(solo.node.propose('a')).toEqual({ kind: 'appended', index: 2, term: 1 });
    expect(solo.node.propose('b')).toEqual({ kind: 'appended', index: 3, term: 1 });
    // Not committed before it is persisted.
    expect(solo.node.commit).toBe(1);
    const out = solo.drain();
    expect(out).toEqual([]);
    expect(solo.node.commit).toBe(3);
    expect(solo.applied.map((e) => e.data)).toEqual([null, 'a', 'b']);

    expect(solo.node.readIndex('r')).toBe(true);
    solo.drain();
    expect(solo.readStates).toEqual([{ index: 3, context: 'r' }]);
  });

  it('a restarted single node elects itself again and keeps its log', () => {
    const solo = new Peer(1, [1]);
    solo.node.campaign();
    solo.drain();
    solo.node.propose('a');
    solo.drain();
    solo.restart();
    solo.node.campaign();
    solo.drain();
    expect(solo.role).toBe('leader');
    expect(solo.term).toBe(2);
    expect(solo.applied.map((e) => e.data)).toEqual([null, 'a', null]);
  });
});
