/**
 * Persistent state (Figure 2: currentTerm, votedFor, log[] are updated on stable
 * storage before responding to RPCs). A node hands out a vote or an acknowledgement
 * only in the same ready as the state it depends on, with mustSync; and a node
 * restarted from storage resumes with its term, vote, log and commit.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { Network, Peer, entriesOf, ofType } from './helpers.js';

describe('persistence before responding', () => {
  it('a granted vote is handed out only in the ready that also carries the hard state recording it, with mustSync', () => {
    const voter = new Peer(1, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 } });
    voter.step({ type: 'vote', from: 2, to: 1, term: 2, lastIndex: 0, lastTerm: 0 });
    const readies = voter.drainReadies();
    const withGrant = readies.filter((rd) => ofType(rd.messages, 'voteResp').some((m) => m.granted));
    expect(withGrant).toHaveLength(1);
    expect(withGrant[0].hardState).toEqual({ term: 2, vote: 2, commit: 0 });
    expect(withGrant[0].mustSync).toBe(true);
    expect(voter.storage.durable.hardState).toMatchObject({ term: 2, vote: 2 });
  });

  it('a retransmitted vote request is answered from already persisted state, without a new hard state', () => {
    const voter = new Peer(1, [1, 2, 3]);
    const ask = () => voter.step({ type: 'vote', from: 2, to: 1, term: 1, lastIndex: 0, lastTerm: 0 });
    ask();
    voter.drain();
    ask();
    const [rd] = voter.drainReadies();
    expect(ofType(rd.messages, 'voteResp')).toEqual([expect.objectContaining({ granted: true })]);
    expect(rd.hardState).toBeNull();
    expect(voter.storage.durable.hardState).toMatchObject({ term: 1, vote: 2 });
  });

  it("a candidate's vote requests go out in the same ready as its new term and self-vote, with mustSync", () => {
    const peer = new Peer(1, [1, 2, 3]);
    peer.node.campaign();
    const [rd] = peer.drainReadies();
    expect(ofType(rd.messages, 'vote')).toHaveLength(2);
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.mustSync).toBe(true);
  });

  it('an append acknowledgement is handed out only in the ready that carries the acknowledged entries, with mustSync', () => {
    const follower = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 } });
    follower.drain();
    follower.step({ type: 'app', from: 1, to: 2, term: 1, prevIndex: 0, prevTerm: 0, entries: entriesOf([1, 1]), commit: 0 });
    const readies = follower.drainReadies();
    const withAck = readies.filter((rd) => ofType(rd.messages, 'appResp').some((m) => !m.reject && m.index === 2));
    expect(withAck).toHaveLength(1);
    expect(withAck[0].entries).toEqual(entriesOf([1, 1]));
    expect(withAck[0].mustSync).toBe(true);
    expect(follower.storage.durable.entries).toEqual(entriesOf([1, 1]));
  });

  it('a leader sends an entry to followers in the ready that hands it to storage, with mustSync', () => {
    const net = new Network([1, 2, 3]);
    const leader = net.elect(1);
    leader.propose('x');
    const [rd] = net.peer(1).drainReadies();
    expect(ofType(rd.messages, 'app').map((m) => m.entries.map((e) => e.data))).toEqual([['x'], ['x']]);
    expect(rd.entries.map((e) => e.data)).toEqual(['x']);
    expect(rd.mustSync).toBe(true);
  });

  it('a commit-only change is handed to storage without forcing a sync', () => {
    const follower = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 }, entries: entriesOf([1, 1]) });
    follower.drain();
    follower.step({ type: 'heartbeat', from: 1, to: 2, term: 1, commit: 2, context: '' });
    const [rd] = follower.drainReadies();
    expect(rd.hardState).toEqual({ term: 1, vote: NONE, commit: 2 });
    expect(rd.entries).toEqual([]);
    expect(rd.mustSync).toBe(false);
    expect(rd.committed).toEqual(entriesOf([1, 1]));
  });

  it('messages are handed out once: a ready not yet advanced does not hand them out again', () => {
    const peer = new Peer(1, [1, 2, 3]);
    peer.node.campaign();
    const first = peer.node.ready();
    expect(ofType(first.messages, 'vote')).toHaveLength(2);
    const second = peer.node.ready();
    expect(second.messages).toEqual([]);
    peer.storage.write(first);
    peer.node.advance(first);
  });

  it('input that arrives between ready() and advance() waits for the next ready, together with the state it depends on', () => {
    const solo = new Peer(1, [1]);
    solo.node.campaign();
    solo.drain();
    solo.node.propose('a');
    const first = solo.node.ready();
    expect(first.entries.map((e) => e.data)).toEqual(['a']);
    // While the driver persists and applies `first`, another proposal comes in.
    solo.node.propose('b');
    solo.storage.write(first);
    solo.node.advance(first);
    // Only what was persisted counts: 'b' is not yet durable, so not yet committed.
    expect(solo.node.commit).toBe(2);
    const [next] = solo.drainReadies();
    expect(next.entries.map((e) => e.data)).toEqual(['b']);
    expect(next.mustSync).toBe(true);
    expect(solo.node.commit).toBe(3);

    // A follower asked for its vote between ready() and advance() answers in the next
    // ready, alongside the hard state that records the vote.
    const voter = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 } });
    voter.step({ type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, context: '' });
    const rd = voter.node.ready();
    voter.step({ type: 'vote', from: 3, to: 2, term: 2, lastIndex: 0, lastTerm: 0 });
    voter.storage.write(rd);
    voter.node.advance(rd);
    expect(ofType(rd.messages, 'voteResp')).toEqual([]);
    const [after] = voter.drainReadies();
    expect(ofType(after.messages, 'voteResp')).toEqual([expect.objectContaining({ to: 3, granted: true })]);
    expect(after.hardState).toMatchObject({ term: 2, vote: 3 });
    expect(after.mustSync).toBe(true);
  });
});

describe('restart from storage', () => {
  it('a restarted node restores term, vote, log and commit, and applies its committed entries again', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.propose(1, 'a');
    net.propose(1, 'b');
    net.tick(1);
    net.stabilize();
    const before = net.peer(2);
    const snapshot = {
      term: before.term,
      vote: before.node.vote,
      log: before.logEntries(),
      commit: before.node.commit,
    };
    expect(snapshot).toMatchObject({ term: 1, vote: 1, commit: 3 });
    before.storage.sync(); // the commit-only hard state is durable once anything syncs
    before.restart();
    const after = before.node;
    expect(after.term).toBe(snapshot.term);
    expect(after.vote).toBe(snapshot.vote);
    expect(after.log.slice(1, after.log.lastIndex())).toEqual(snapshot.log);
    expect(after.commit).toBe(snapshot.commit);
    expect(after.role).toBe('follower');
    expect(after.lead).toBe(NONE);
    // The state machine is volatile: the restarted node applies its committed log again.
    before.drain();
    expect(before.applied.map((e) => e.data)).toEqual([null, 'a', 'b']);
    // And it rejoins the cluster.
    net.tick(1);
    net.stabilize();
    net.propose(1, 'c');
    net.tick(1);
    net.stabilize();
    expect(before.applied.map((e) => e.data)).toEqual([null, 'a', 'b', 'c']);
  });

  it('a restarted node keeps its vote: it will not vote for a different candidate in the same term', () => {
    const voter = new Peer(1, [1, 2, 3]);
    voter.step({ type: 'vote', from: 2, to: 1, term: 5, lastIndex: 0, lastTerm: 0 });
    expect(ofType(voter.drain(), 'voteResp')[0].granted).toBe(true);
    voter.restart();
    expect(voter.term).toBe(5);
    expect(voter.node.vote).toBe(2);
    voter.step({ type: 'vote', from: 3, to: 1, term: 5, lastIndex: 9, lastTerm: 5 });
    expect(ofType(voter.drain(), 'voteResp')).toEqual([expect.objectContaining({ to: 3, term: 5, granted: false })]);
    voter.step({ type: 'vote', from: 2, to: 1, term: 5, lastIndex: 0, lastTerm: 0 });
    expect(ofType(voter.drain(), 'voteResp')).toEqual([expect.objectContaining({ to: 2, term: 5, granted: true })]);
  });

  it('a restarted candidate does not vote for another in its term, and a restarted leader does not lead again without an election', () => {
    const candidate = new Peer(1, [1, 2, 3]);
    candidate.node.campaign();
    candidate.drain();
    candidate.restart();
    expect(candidate.node.role).toBe('follower');
    expect(candidate.node.vote).toBe(1);
    candidate.step({ type: 'vote', from: 2, to: 1, term: 1, lastIndex: 0, lastTerm: 0 });
    expect(ofType(candidate.drain(), 'voteResp')[0].granted).toBe(false);

    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.peer(1).restart();
    expect(net.node(1).role).toBe('follower');
    expect(net.node(1).term).toBe(1);
    expect(net.node(1).propose('x')).toEqual({ kind: 'dropped', reason: 'no leader' });
  });

  it('a crash loses only what was never synced: acknowledged entries survive', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    for (const data of ['a', 'b', 'c']) net.propose(1, data);
    const acked = Math.max(...net.deliveredOfType('appResp').filter((m) => m.from === 3 && !m.reject).map((m) => m.index));
    expect(acked).toBe(4);
    net.peer(3).restart();
    expect(net.node(3).log.lastIndex()).toBeGreaterThanOrEqual(acked);
    expect(net.peer(3).logEntries()).toEqual(net.peer(1).logEntries());
  });
});
