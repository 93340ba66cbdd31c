/**
 * Leadership transfer (Raft thesis §3.10, etcd's MsgTransferLeader): the leader stops
 * taking proposals, brings the target's log up to its own last index, then sends it
 * `timeoutNow`; the target campaigns at once, skipping PreVote, and its vote requests
 * are marked as a transfer so that voters still within the old leader's lease answer
 * them. A transfer that has not happened within an election timeout is abandoned.
 */
import { describe, expect, it } from 'vitest';
import { ET, Network, ofType } from './helpers.js';

const hardened = { preVote: true, checkQuorum: true } as const;

describe('leadership transfer', () => {
  it('to an up-to-date follower: timeoutNow at once, the target campaigns without PreVote and wins, with the lease in force', () => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    const term = leader.term;
    leader.takeNotices();
    const electionMessages = net.delivered.length;
    leader.transferLeadership(3);
    expect(leader.takeNotices()).toEqual([{ kind: 'transfer', phase: 'started', to: 3, term }]);
    expect(net.peer(1).drain()).toEqual([{ type: 'timeoutNow', from: 1, to: 3, term }]);
    net.send({ type: 'timeoutNow', from: 1, to: 3, term });
    net.stabilize();
    expect(net.node(3).role).toBe('leader');
    expect(net.node(3).term).toBe(term + 1);
    expect(net.node(1).role).toBe('follower');
    const transferMessages = net.delivered.slice(electionMessages);
    expect(ofType(transferMessages, 'preVote')).toEqual([]);
    expect(ofType(transferMessages, 'vote').map((m) => [m.to, m.transfer])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('to a lagging follower: appends first, and timeoutNow only once its match reaches the leader\'s last index', () => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    net.isolate(3);
    net.propose(1, 'a');
    net.propose(1, 'b');
    net.heal();
    leader.transferLeadership(3);
    const first = net.peer(1).drain();
    expect(ofType(first, 'timeoutNow')).toEqual([]);
    expect(ofType(first, 'app').map((m) => m.to)).toEqual([3]);
    net.send(...first);
    net.stabilize();
    const timeoutNow = net.deliveredOfType('timeoutNow');
    expect(timeoutNow).toHaveLength(1);
    // The answer that let the leader send timeoutNow is the target's last acknowledgement before it.
    const before = net.delivered.slice(0, net.delivered.indexOf(timeoutNow[0]));
    const acks = ofType(before, 'appResp').filter((m) => m.from === 3 && !m.reject);
    expect(acks.at(-1)?.index).toBe(net.node(1).log.lastIndex() - 1);
    expect(net.node(3).role).toBe('leader');
  });

  it('while a transfer is pending the leader drops proposals, its own and forwarded ones, and says why', () => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    net.isolate(3);
    leader.transferLeadership(3);
    const lastIndex = leader.log.lastIndex();
    expect(leader.propose('x')).toEqual({ kind: 'dropped', reason: 'leadership transfer' });
    leader.step({ type: 'prop', from: 2, to: 1, term: 0, data: ['y'] });
    expect(leader.log.lastIndex()).toBe(lastIndex);
  });

  it('a transfer that has not happened within an election timeout is abandoned, and proposals flow again', () => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    const term = leader.term;
    net.isolate(3);
    leader.transferLeadership(3);
    leader.takeNotices();
    for (let i = 0; i < ET; i++) {
      net.tick(1);
      net.stabilize();
    }
    expect(leader.role).toBe('leader');
    expect(leader.takeNotices()).toEqual([{ kind: 'transfer', phase: 'abandoned', to: 3, term, reason: 'timeout' }]);
    expect(leader.propose('x')).toMatchObject({ kind: 'appended' });
  });

  it('a transfer to another node supersedes the pending one', () => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    const term = leader.term;
    net.isolate(2);
    net.isolate(3);
    leader.transferLeadership(3);
    leader.transferLeadership(2);
    expect(leader.takeNotices()).toEqual([
      { kind: 'transfer', phase: 'started', to: 3, term },
      { kind: 'transfer', phase: 'abandoned', to: 3, term, reason: 'superseded' },
      { kind: 'transfer', phase: 'started', to: 2, term },
    ]);
  });

  it.each([
    ['itself', 1],
    ['a node that is not a voter', 9],
  ])('a transfer to %s is ignored', (_case, target) => {
    const net = new Network([1, 2, 3], hardened);
    const leader = net.elect(1);
    leader.takeNotices();
    leader.transferLeadership(target);
    expect(leader.takeNotices()).toEqual([]);
    expect(net.peer(1).drain()).toEqual([]);
    expect(leader.propose('x')).toMatchObject({ kind: 'appended' });
  });

  it('a follower asked to transfer does nothing', () => {
    const net = new Network([1, 2, 3], hardened);
    net.elect(1);
    net.node(2).transferLeadership(3);
    expect(net.peer(2).drain()).toEqual([]);
  });

  it('a timeoutNow from an older term starts nothing', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    const leader = net.elect(2);
    net.send({ type: 'timeoutNow', from: 1, to: 3, term: leader.term - 1 });
    net.stabilize();
    expect(net.node(2).role).toBe('leader');
    expect(net.node(3).term).toBe(leader.term);
  });
});
