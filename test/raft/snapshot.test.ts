/**
 * Log compaction and InstallSnapshot, as etcd's raft does them: the driver snapshots the
 * state machine at its applied index and the node forgets the entries before it (but for a
 * few catch-up entries); a follower that needs compacted entries gets the snapshot instead,
 * its progress waits in the snapshot state until the follower acknowledges it, and a
 * follower that already has what the snapshot covers ignores it.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapConf, encodeConfChange } from '../../src/raft/membership.js';
import type { Snapshot } from '../../src/raft/types.js';
import { Network, Peer, entriesOf, ET, HB, makeLeader, ofType } from './helpers.js';

/** Three nodes, 1 leading; node 3 is cut off while `count` entries commit, then the leader compacts. */
function laggingFollower(count: number, catchUp = 2): Network {
  const net = new Network([1, 2, 3], { snapshotCatchUpEntries: catchUp });
  net.elect(1);
  net.isolate(3);
  for (let i = 0; i < count; i++) net.propose(1, `v${i}`);
  net.peer(1).compact();
  return net;
}

describe('compaction', () => {
  it('keeps the snapshot index and the catch-up entries before it; older entries are gone', () => {
    const net = new Network([1, 2, 3], { snapshotCatchUpEntries: 3 });
    net.elect(1);
    for (let i = 0; i < 10; i++) net.propose(1, `v${i}`);
    const leader = net.node(1);
    expect(leader.applied).toBe(11);
    const snapshot = net.peer(1).compact('kv@11');
    expect(snapshot.metadata).toEqual({ index: 11, term: 1, conf: bootstrapConf([1, 2, 3]) });
    expect(leader.latestSnapshot()).toBe(snapshot);
    expect(leader.log.compactedIndex).toBe(8);
    expect(leader.log.firstIndex()).toBe(9);
    expect(leader.log.termAt(8)).toBe(1);
    expect(leader.log.termAt(7)).toBe(0);
    expect(leader.log.matchTerm(7, 1)).toBe(false);
    expect(() => leader.log.slice(5, 11)).toThrow(/compacted/);
    expect(net.peer(1).logEntries().map((e) => e.index)).toEqual([9, 10, 11]);
  });

  it('refuses to snapshot past the applied index, or behind the snapshot it has', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'a');
    const leader = net.node(1);
    expect(() => leader.compact(leader.applied + 1, 'x')).toThrow(/applied/);
    leader.compact(leader.applied, 'x');
    expect(() => leader.compact(leader.applied, 'y')).toThrow(/already/);
  });

  it('a follower lagging by no more than the catch-up entries gets appends, not a snapshot', () => {
    const net = new Network([1, 2, 3], { snapshotCatchUpEntries: 5 });
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 4; i++) net.propose(1, `v${i}`);
    net.peer(1).compact();
    net.heal();
    net.propose(1, 'after');
    expect(net.deliveredOfType('snap')).toHaveLength(0);
    expect(net.node(3).commit).toBe(net.node(1).commit);
  });
});

describe('InstallSnapshot', () => {
  it('a follower that needs compacted entries receives the snapshot, restores from it, then gets the entries after it', () => {
    const net = laggingFollower(20);
    const snapshot = net.node(1).latestSnapshot() as Snapshot;
    net.heal();
    net.propose(1, 'after');
    const snaps = net.deliveredOfType('snap');
    expect(snaps).toHaveLength(1);
    expect(snaps[0].snapshot).toBe(snapshot);
    const follower = net.peer(3);
    expect(follower.restoredFrom).toBe(snapshot);
    expect(follower.node.log.compactedIndex).toBe(snapshot.metadata.index);
    expect(follower.node.log.termAt(snapshot.metadata.index)).toBe(snapshot.metadata.term);
    expect(follower.applied.map((e) => e.data)).toEqual(['after']);
    expect(follower.node.commit).toBe(net.node(1).commit);
    expect(follower.storage.durable.snapshot).toBe(snapshot);
    expect(net.node(1).progressOf(3)).toMatchObject({ state: 'replicate', match: net.node(1).log.lastIndex() });
  });

  it('the Ready hands out the installed snapshot with mustSync, before any entry after it is applied', () => {
    const net = laggingFollower(10);
    const snapshot = net.node(1).latestSnapshot() as Snapshot;
    const follower = net.peer(3);
    follower.step({ type: 'snap', from: 1, to: 3, term: net.node(1).term, snapshot });
    const [rd] = follower.drainReadies();
    expect(rd.snapshot).toBe(snapshot);
    expect(rd.mustSync).toBe(true);
    expect(rd.committed).toEqual([]);
    expect(rd.hardState?.commit).toBe(snapshot.metadata.index);
    expect(ofType(rd.messages, 'appResp')).toEqual([expect.objectContaining({ index: snapshot.metadata.index, reject: false })]);
    expect(follower.node.applied).toBe(snapshot.metadata.index);
  });

  it('the leader holds its follower in the snapshot state, sending it nothing, until the snapshot is acknowledged', () => {
    const net = laggingFollower(20);
    const leader = net.node(1);
    const index = leader.latestSnapshot()?.metadata.index;
    net.heal();
    net.dropTypes('snap');
    net.propose(1, 'more');
    expect(leader.progressOf(3)).toMatchObject({ state: 'snapshot', pendingSnapshot: index });
    const appendsBefore = net.deliveredOfType('app').filter((m) => m.to === 3).length;
    net.propose(1, 'even more');
    expect(net.deliveredOfType('app').filter((m) => m.to === 3).length).toBe(appendsBefore);
    net.heal();
    net.send({ type: 'appResp', from: 3, to: 1, term: leader.term, index: index as number, reject: false, hintIndex: 0, hintTerm: 0 });
    net.stabilize();
    expect(leader.progressOf(3)?.state).toBe('replicate');
  });

  it('a snapshot that is never acknowledged counts as lost after enough heartbeat answers, and is sent again', () => {
    const net = laggingFollower(20);
    net.heal();
    let dropSnaps = true;
    net.drop((m) => dropSnaps && m.type === 'snap');
    net.propose(1, 'more');
    expect(net.dropped.filter((m) => m.type === 'snap')).toHaveLength(1);
    dropSnaps = false;
    for (let i = 0; i < (2 * ET) / HB; i++) {
      net.tick(1);
      net.stabilize();
    }
    expect(net.deliveredOfType('snap')).toHaveLength(1);
    expect(net.node(3).commit).toBe(net.node(1).commit);
  });

  it('a follower that has already committed up to the snapshot ignores it and answers with its commit index', () => {
    const follower = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: 1, commit: 5 }, entries: entriesOf([1, 1, 1, 1, 1]) });
    follower.drain();
    const stale: Snapshot = { metadata: { index: 4, term: 1, conf: bootstrapConf([1, 2, 3]) }, data: 'old' };
    follower.step({ type: 'snap', from: 1, to: 2, term: 1, snapshot: stale });
    const [rd] = follower.drainReadies();
    expect(rd.snapshot).toBeNull();
    expect(ofType(rd.messages, 'appResp')).toEqual([expect.objectContaining({ index: 5, reject: false })]);
    expect(follower.logTerms()).toEqual([1, 1, 1, 1, 1]);
    expect(follower.node.latestSnapshot()).toBeNull();
  });

  it('the same snapshot again (a duplicate, a resend) does not undo a conf change applied since it was installed', () => {
    const follower = new Peer(2, [1, 2, 3]);
    follower.drain();
    const snapshot: Snapshot = { metadata: { index: 4, term: 1, conf: bootstrapConf([1, 2, 3]) }, data: 'four' };
    follower.step({ type: 'snap', from: 1, to: 2, term: 1, snapshot });
    follower.drain();
    const removal = { index: 5, term: 1, type: 'conf' as const, data: encodeConfChange({ changes: [{ type: 'remove', node: 3 }] }) };
    follower.step({ type: 'app', from: 1, to: 2, term: 1, prevIndex: 4, prevTerm: 1, entries: [removal], commit: 5 });
    follower.drain();
    expect(follower.node.confState().voters).toEqual([1, 2]);
    // The very message again: in the simulator it is the same object, as a duplicate is.
    follower.step({ type: 'snap', from: 1, to: 2, term: 1, snapshot });
    follower.drain();
    expect(follower.node.confState().voters).toEqual([1, 2]);
  });

  it('a follower whose log already holds the snapshot entry keeps its log and only moves its commit up', () => {
    const follower = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: 1, commit: 1 }, entries: entriesOf([1, 1, 1, 1, 1]) });
    follower.drain();
    const covered: Snapshot = { metadata: { index: 4, term: 1, conf: bootstrapConf([1, 2, 3]) }, data: 'covered' };
    follower.step({ type: 'snap', from: 1, to: 2, term: 1, snapshot: covered });
    const readies = follower.drainReadies();
    expect(readies.every((rd) => rd.snapshot === null)).toBe(true);
    expect(follower.node.commit).toBe(4);
    expect(follower.logTerms()).toEqual([1, 1, 1, 1, 1]);
    expect(follower.applied.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });

  it('a snapshot whose last entry conflicts with the log replaces the whole log, uncommitted tail included', () => {
    const follower = new Peer(2, [1, 2, 3], { hardState: { term: 2, vote: 1, commit: 1 }, entries: entriesOf([1, 1, 1, 1]) });
    follower.drain();
    const snapshot: Snapshot = { metadata: { index: 3, term: 2, conf: bootstrapConf([1, 2, 3]) }, data: 's' };
    follower.step({ type: 'snap', from: 1, to: 2, term: 2, snapshot });
    follower.drain();
    expect(follower.node.log.lastIndex()).toBe(3);
    expect(follower.node.log.termAt(3)).toBe(2);
    expect(follower.storage.durable.entries).toEqual([]);
  });

  it('a candidate that receives a snapshot from the leader of its term follows that leader', () => {
    const candidate = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: 1, commit: 0 } });
    candidate.node.campaign();
    candidate.drain();
    const snapshot: Snapshot = { metadata: { index: 3, term: 1, conf: bootstrapConf([1, 2, 3]) }, data: 's' };
    candidate.step({ type: 'snap', from: 3, to: 2, term: candidate.term, snapshot });
    candidate.drain();
    expect(candidate.role).toBe('follower');
    expect(candidate.node.lead).toBe(3);
    expect(candidate.node.commit).toBe(3);
  });
});

describe('restart from a snapshot', () => {
  it('boots from the snapshot and the entries after it: it hands out only those, from the snapshot index on', () => {
    const net = new Network([1, 2, 3], { snapshotCatchUpEntries: 2 });
    net.elect(1);
    for (let i = 0; i < 6; i++) net.propose(1, `v${i}`);
    const peer = net.peer(2);
    const snapshot = peer.compact('kv@7');
    expect(snapshot.metadata.index).toBe(7);
    for (let i = 6; i < 9; i++) net.propose(1, `v${i}`);
    peer.restart();
    peer.drain();
    // A follower learns the last commit only with the next append or heartbeat.
    expect(peer.node.commit).toBe(9);
    expect(peer.node.applied).toBe(9);
    expect(peer.restoredFrom).toBe(snapshot);
    expect(peer.node.log.compactedIndex).toBe(7);
    expect(peer.applied.map((e) => e.data)).toEqual(['v6', 'v7']);
    expect(peer.node.latestSnapshot()).toBe(snapshot);
  });

  it('a leader restarted from a snapshot still brings a far-behind follower up with that snapshot', () => {
    const net = laggingFollower(15);
    const snapshot = net.node(1).latestSnapshot();
    net.peer(1).storage.sync();
    net.peer(1).restart();
    net.heal();
    net.elect(1);
    net.propose(1, 'after');
    expect(net.deliveredOfType('snap').map((m) => m.snapshot)).toEqual([snapshot]);
    expect(net.node(3).commit).toBe(net.node(1).commit);
  });
});

describe('maxBytesPerAppend', () => {
  it('bounds the payload of one append, but always sends at least one entry', () => {
    const leader = new Peer(1, [1, 2], { maxBytesPerAppend: 10 });
    makeLeader(leader, [2]);
    // The follower's probe is outstanding, so the proposals pile up unsent.
    for (const data of ['x'.repeat(4), 'y'.repeat(4), 'z'.repeat(4), 'w'.repeat(30)]) leader.node.propose(data);
    expect(ofType(leader.drain(), 'app')).toEqual([]);
    const ack = (index: number) => {
      leader.step({ type: 'appResp', from: 2, to: 1, term: leader.term, index, reject: false, hintIndex: 0, hintTerm: 0 });
      return ofType(leader.drain(), 'app').map((m) => m.entries.map((e) => e.data));
    };
    expect(ack(1)).toEqual([['xxxx', 'yyyy']]);
    expect(ack(3)).toEqual([['zzzz']]);
    expect(ack(4)).toEqual([['w'.repeat(30)]]);
  });
});
