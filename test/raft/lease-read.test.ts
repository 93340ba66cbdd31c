/**
 * Lease-based reads (Raft thesis §6.4.1, etcd's ReadOnlyLeaseBased): instead of a
 * heartbeat round per read, the leader answers a ReadIndex at once with its commit
 * index, trusting CheckQuorum to depose it within an election timeout of losing its
 * majority. It still waits for an entry of its own term to commit first. The lease is
 * only as sound as the clocks: that is why lease mode is refused without CheckQuorum,
 * and why a leader cut off from the majority still answers (and may answer stale).
 */
import { describe, expect, it } from 'vitest';
import { RaftNode } from '../../src/raft/node.js';
import { ET, HB, Network, fixedRandom, makeLeader, ofType } from './helpers.js';

const lease = { checkQuorum: true, readMode: 'lease' } as const;

describe('lease-based reads', () => {
  it('are refused without CheckQuorum: nothing would end the lease', () => {
    const make = () => new RaftNode({ id: 1, voters: [1, 2, 3], electionTicks: ET, heartbeatTicks: HB, random: fixedRandom(0), readMode: 'lease' });
    expect(make).toThrow(/checkQuorum/);
  });

  it('the leader answers a read at once with its commit index, without a heartbeat round', () => {
    const net = new Network([1, 2, 3], lease);
    net.elect(1);
    net.propose(1, 'x');
    const peer = net.peer(1);
    peer.node.readIndex('r1');
    const out = peer.drain();
    expect(peer.readStates).toEqual([{ index: peer.node.commit, context: 'r1' }]);
    expect(ofType(out, 'heartbeat')).toEqual([]);
  });

  it('in index mode (the control) the same read waits for a heartbeat round acknowledged by a majority', () => {
    const net = new Network([1, 2, 3], { checkQuorum: true });
    net.elect(1);
    net.propose(1, 'x');
    const peer = net.peer(1);
    peer.node.readIndex('r1');
    const out = peer.drain();
    expect(peer.readStates).toEqual([]);
    expect(ofType(out, 'heartbeat').map((m) => m.context)).toEqual(['r1', 'r1']);
  });

  it('a follower\'s read is answered by the leader at once, too', () => {
    const net = new Network([1, 2, 3], lease);
    net.elect(1);
    net.propose(1, 'x');
    net.node(2).readIndex('r2');
    net.stabilize();
    expect(net.peer(2).readStates).toEqual([{ index: net.node(1).commit, context: 'r2' }]);
    expect(net.deliveredOfType('heartbeat').filter((m) => m.context === 'r2')).toEqual([]);
  });

  it('a new leader still waits until an entry of its own term is committed', () => {
    const net = new Network([1, 2, 3], lease);
    const leader = net.peer(1);
    const firstAppends = makeLeader(leader, [2]);
    leader.node.readIndex('early');
    leader.drain();
    expect(leader.readStates).toEqual([]);
    net.send(...firstAppends);
    net.stabilize();
    expect(leader.node.log.termAt(leader.node.commit)).toBe(leader.term);
    expect(leader.readStates).toEqual([{ index: leader.node.commit, context: 'early' }]);
  });

  it('the hazard: a leader cut off from everyone still answers from its lease, where ReadIndex could not', () => {
    for (const readMode of ['lease', 'index'] as const) {
      const net = new Network([1, 2, 3], { checkQuorum: true, readMode });
      net.elect(1);
      net.propose(1, 'x');
      net.isolate(1);
      net.node(1).readIndex('cut-off');
      net.stabilize();
      expect(net.peer(1).readStates.length, readMode).toBe(readMode === 'lease' ? 1 : 0);
    }
  });
});
