/**
 * Membership changes, as etcd's raft makes them: a change is a log entry that takes
 * effect when applied; learners get the log but neither vote nor count; a leader takes
 * one change at a time; several changes at once go through joint consensus, where
 * every decision needs a majority of the old voters AND of the new; a leader that
 * removes itself steps down once the change is applied.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapConf, changeConf, decodeConfChange } from '../../src/raft/membership.js';
import { RaftNode } from '../../src/raft/node.js';
import type { ConfChange, ConfState, NodeId } from '../../src/raft/types.js';
import { ET, Network, Peer, ofType } from './helpers.js';

/** Nodes `ids`, of which `voters` form the bootstrap config; node 1 is elected. */
function cluster(ids: readonly NodeId[], voters: readonly NodeId[]): Network {
  const net = Network.of(ids.map((id) => new Peer(id, voters)));
  net.elect(1);
  return net;
}

function change(net: Network, leader: NodeId, cc: ConfChange): void {
  const result = net.node(leader).proposeConfChange(cc);
  expect(result.kind, JSON.stringify(result)).toBe('appended');
  net.stabilize();
}

function conf(voters: NodeId[], rest: Partial<ConfState> = {}): ConfState {
  return { ...bootstrapConf(voters), ...rest };
}

describe('learners', () => {
  it('learners receive the log but their copies do not count towards commit', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-learner', node: 4 }] });
    change(net, 1, { changes: [{ type: 'add-learner', node: 5 }] });
    expect(net.node(4).confState()).toEqual(conf([1, 2, 3], { learners: [4, 5] }));
    expect(net.node(5).log.lastIndex()).toBe(net.node(1).log.lastIndex());

    // Only the leader and the learners hold the next entry: 3 of the 5 members, but 1 of the 3 voters.
    net.cut(1, 2);
    net.cut(1, 3);
    const before = net.node(1).commit;
    net.propose(1, 'x');
    expect(net.node(4).log.lastIndex()).toBe(net.node(1).log.lastIndex());
    expect(net.node(5).log.lastIndex()).toBe(net.node(1).log.lastIndex());
    expect(net.node(1).commit).toBe(before);
  });

  it('a learner never campaigns, and candidates do not ask it for its vote', () => {
    const net = cluster([1, 2, 3, 4], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-learner', node: 4 }] });
    const term = net.node(4).term;
    net.tick(4, 10 * ET);
    expect(net.node(4).role).toBe('follower');
    expect(net.node(4).term).toBe(term);
    expect(net.peer(4).drain()).toEqual([]);

    net.node(2).campaign();
    const asked = ofType(net.peer(2).drain(), 'vote').map((m) => m.to);
    expect(asked).toEqual([1, 3]);
  });

  it('a node outside the config drops vote requests unheard, term and all', () => {
    const net = cluster([1, 2, 3, 4], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'remove', node: 3 }] });
    const term = net.node(1).term;
    net.peer(1).step({ type: 'vote', from: 3, to: 1, term: term + 5, lastIndex: 100, lastTerm: term + 4 });
    expect(net.node(1).role).toBe('leader');
    expect(net.node(1).term).toBe(term);
    expect(net.peer(1).drain()).toEqual([]);
  });

  it('a promoted learner counts: with it, the leader commits without the other voters', () => {
    const net = cluster([1, 2, 3, 4], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-learner', node: 4 }] });
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }] });
    expect(net.node(1).confState()).toEqual(conf([1, 2, 3, 4]));
    // Voters {1,2,3,4}: the leader, 2 and 4 are a majority (3 of 4) even without 3.
    net.cut(1, 3);
    net.propose(1, 'y');
    expect(net.node(1).commit).toBe(net.node(1).log.lastIndex());
    net.cut(1, 2);
    net.propose(1, 'z');
    expect(net.node(1).commit).toBeLessThan(net.node(1).log.lastIndex());
  });
});

describe('one change at a time', () => {
  it('the leader refuses a second change until the first is applied', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    expect(net.node(1).proposeConfChange({ changes: [{ type: 'add-voter', node: 4 }] }).kind).toBe('appended');
    const second = net.node(1).proposeConfChange({ changes: [{ type: 'add-voter', node: 5 }] });
    expect(second).toEqual({ kind: 'refused', reason: expect.stringContaining('not applied yet') });
    net.stabilize();
    change(net, 1, { changes: [{ type: 'add-voter', node: 5 }] });
    expect(net.node(3).confState().voters).toEqual([1, 2, 3, 4, 5]);
  });

  it('a new leader takes no change until everything in its log is applied', () => {
    const net = cluster([1, 2, 3], [1, 2, 3]);
    net.drop((m) => m.type === 'appResp');
    net.propose(1, 'unacknowledged');
    net.heal();
    net.elect(2);
    // Its log may hold a conf entry of the old leader: it must commit and apply it first.
    expect(net.node(2).proposeConfChange({ changes: [{ type: 'remove', node: 3 }] }).kind).toBe('appended');
  });

  it('changeConf: a single step changes one voter; joint is entered once and left once; some voter must remain', () => {
    const three = conf([1, 2, 3]);
    expect(changeConf(three, { changes: [{ type: 'remove', node: 3 }] })).toEqual({ conf: conf([1, 2]) });
    expect(changeConf(three, { changes: [] })).toEqual({ error: expect.stringContaining('not in a joint') });
    const joint = changeConf(three, { changes: [{ type: 'add-voter', node: 4 }, { type: 'remove', node: 1 }] });
    expect(joint).toEqual({ conf: conf([2, 3, 4], { votersOutgoing: [1, 2, 3], autoLeave: true }) });
    if (!('conf' in joint)) throw new Error('unreachable');
    expect(changeConf(joint.conf, { changes: [{ type: 'add-voter', node: 5 }] })).toEqual({ error: expect.stringContaining('leave it before') });
    expect(changeConf(joint.conf, { changes: [{ type: 'add-voter', node: 5 }], joint: true })).toEqual({ error: expect.stringContaining('leave it before') });
    expect(changeConf(joint.conf, { changes: [] })).toEqual({ conf: conf([2, 3, 4]) });
    expect(changeConf(conf([1]), { changes: [{ type: 'remove', node: 1 }] })).toEqual({ error: expect.stringContaining('every voter') });
  });

  it('changeConf: a voter demoted in a joint change stays an outgoing voter and becomes a learner only on leaving', () => {
    const joint = changeConf(conf([1, 2, 3]), { changes: [{ type: 'add-learner', node: 3 }, { type: 'add-voter', node: 4 }] });
    expect(joint).toEqual({ conf: conf([1, 2, 4], { votersOutgoing: [1, 2, 3], learnersNext: [3], autoLeave: true }) });
    if (!('conf' in joint)) throw new Error('unreachable');
    expect(changeConf(joint.conf, { changes: [] })).toEqual({ conf: conf([1, 2, 4], { learners: [3] }) });
  });

  it('changeConf: an update (etcd ConfChangeUpdateNode) leaves the configuration as it is, names a member, and goes alone', () => {
    const three = conf([1, 2, 3], { learners: [4] });
    expect(changeConf(three, { changes: [{ type: 'update', node: 2 }] })).toEqual({ conf: three });
    expect(changeConf(three, { changes: [{ type: 'update', node: 4 }] })).toEqual({ conf: three });
    expect(changeConf(three, { changes: [{ type: 'update', node: 5 }] })).toEqual({ error: expect.stringContaining('no member') });
    expect(changeConf(three, { changes: [{ type: 'update', node: 2 }, { type: 'remove', node: 3 }] })).toEqual({ error: expect.stringContaining('goes alone') });
  });

  it('an update commits and applies like any conf entry, one at a time, and moves no one', () => {
    const net = cluster([1, 2, 3], [1, 2, 3]);
    expect(net.node(1).proposeConfChange({ changes: [{ type: 'update', node: 3 }], context: 'news' }).kind).toBe('appended');
    expect(net.node(1).proposeConfChange({ changes: [{ type: 'remove', node: 2 }] }).kind).toBe('refused');
    net.stabilize();
    for (const id of [1, 2, 3]) expect(net.node(id).confState()).toEqual(conf([1, 2, 3]));
    expect(net.node(1).proposeConfChange({ changes: [{ type: 'remove', node: 2 }] }).kind).toBe('appended');
  });

  it('the leader refuses a change that breaks the rules, so it never reaches the log', () => {
    const net = cluster([1, 2, 3], [1, 2, 3]);
    const last = net.node(1).log.lastIndex();
    expect(net.node(1).proposeConfChange({ changes: [] }).kind).toBe('refused');
    expect(net.node(2).proposeConfChange({ changes: [{ type: 'remove', node: 3 }] })).toEqual({ kind: 'refused', reason: 'not the leader' });
    expect(net.node(1).log.lastIndex()).toBe(last);
  });
});

describe('joint consensus', () => {
  it('with autoLeave the cluster enters the joint config and leaves it on its own', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, { type: 'remove', node: 2 }, { type: 'remove', node: 3 }] });
    // A heartbeat round tells the follower that was still probing the final commit index.
    net.tick(1);
    net.stabilize();
    for (const id of [1, 4, 5]) expect(net.node(id).confState()).toEqual(conf([1, 4, 5]));
    const confEntries = net.peer(1).applied.filter((e) => e.type === 'conf').map(decodeConfChange);
    expect(confEntries).toHaveLength(2);
    expect(confEntries[1]).toEqual({ changes: [] });
  });

  it('without autoLeave the joint config stays until an explicit leave', () => {
    const net = cluster([1, 2, 3, 4], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }, { type: 'remove', node: 3 }], autoLeave: false });
    expect(net.node(2).confState()).toEqual(conf([1, 2, 4], { votersOutgoing: [1, 2, 3] }));
    change(net, 1, { changes: [] });
    expect(net.node(2).confState()).toEqual(conf([1, 2, 4]));
  });

  it('commit needs both majorities: the new voters alone do not commit', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, { type: 'remove', node: 2 }, { type: 'remove', node: 3 }], autoLeave: false });
    expect(net.node(1).confState()).toEqual(conf([1, 4, 5], { votersOutgoing: [1, 2, 3] }));
    // {1,4,5} is a majority of the incoming config, but only 1 of the outgoing {1,2,3}.
    net.cut(1, 2);
    net.cut(1, 3);
    net.propose(1, 'joint');
    const leader = net.node(1);
    expect(net.node(4).log.lastIndex()).toBe(leader.log.lastIndex());
    expect(leader.commit).toBeLessThan(leader.log.lastIndex());
    net.heal();
    net.tick(1);
    net.stabilize();
    expect(leader.commit).toBe(leader.log.lastIndex());
  });

  it('a read in the joint config is confirmed only by heartbeat acks from both majorities', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, { type: 'remove', node: 2 }, { type: 'remove', node: 3 }], autoLeave: false });
    net.cut(1, 2);
    net.cut(1, 3);
    net.node(1).readIndex('r');
    net.stabilize();
    // 4 and 5 acked: a majority of the incoming {1,4,5}, not of the outgoing {1,2,3}.
    expect(net.peer(1).readStates).toEqual([]);
    net.heal();
    net.tick(1);
    net.stabilize();
    expect(net.peer(1).readStates.map((r) => r.context)).toEqual(['r']);
  });

  it('an election in the joint config needs both majorities', () => {
    const net = cluster([1, 2, 3, 4, 5], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'add-voter', node: 4 }, { type: 'add-voter', node: 5 }, { type: 'remove', node: 2 }, { type: 'remove', node: 3 }], autoLeave: false });
    // Node 4 gets the votes of 5 (with its own, 2 of the incoming {1,4,5}) but none of the outgoing {1,2,3}.
    net.isolate(1);
    net.cut(4, 2);
    net.cut(4, 3);
    net.node(4).campaign();
    net.stabilize();
    expect(net.node(4).role).toBe('candidate');
    net.heal();
    net.isolate(1);
    net.node(4).campaign();
    net.stabilize();
    expect(net.node(4).role).toBe('leader');
  });
});

describe('booting with a config', () => {
  it('restored.conf wins over the bootstrap voters: a node restored as a learner never campaigns', () => {
    const learner = conf([1, 2, 3], { learners: [4] });
    const node = new RaftNode({
      id: 4,
      voters: [1, 2, 3, 4],
      electionTicks: ET,
      heartbeatTicks: 1,
      random: () => 0,
      restored: { hardState: { term: 1, vote: 0, commit: 0 }, entries: [], conf: learner },
    });
    expect(node.confState()).toEqual(learner);
    for (let i = 0; i < 10 * ET; i++) node.tick();
    expect(node.role).toBe('follower');
    expect(node.term).toBe(1);
  });
});

describe('removing the leader', () => {
  it('a leader that removes itself leads until the change is applied, hands over to the most caught-up voter, steps down and never campaigns', () => {
    const net = cluster([1, 2, 3], [1, 2, 3]);
    change(net, 1, { changes: [{ type: 'remove', node: 1 }] });
    expect(net.node(1).role).toBe('follower');
    // No election timeout in between: its timeoutNow made node 2 (caught up, the lowest id) campaign at once.
    expect(net.node(2).role).toBe('leader');
    expect(net.node(2).term).toBe(2);
    expect(net.node(1).confState().voters).toEqual([2, 3]);
    // The change committed under the old config: 2 and 3 hold it.
    expect(net.node(2).confState().voters).toEqual([2, 3]);
    net.tick(1, 10 * ET);
    expect(net.node(1).role).toBe('follower');
    net.elect(2);
    net.propose(2, 'after');
    expect(net.node(3).commit).toBe(net.node(2).log.lastIndex());
  });
});
