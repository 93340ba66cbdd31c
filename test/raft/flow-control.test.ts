/**
 * Flow control after etcd's progress tracker: a follower in probe state gets one append
 * at a time; one in replicate state a stream. Answers that carry no news move nothing.
 * Proposals made between two readies travel together. A leader holds at most
 * maxUncommittedBytes of uncommitted payload (etcd's MaxUncommittedEntriesSize).
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import { Peer, entriesOf, makeLeader, ofType } from './helpers.js';

describe('flow control', () => {
  it('a duplicated or stale append answer sends nothing: a duplicating network cannot breed a storm', () => {
    // The follower is far behind, so the leader probes it one append of one entry at a time.
    const leader = new Peer(1, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 5 }, entries: entriesOf([1, 1, 1, 1, 1]), maxEntriesPerAppend: 1 });
    makeLeader(leader, [3]);
    const answer = { type: 'appResp', from: 2, to: 1, term: 2, index: 3, reject: false, hintIndex: 0, hintTerm: 0 } as const;
    leader.step(answer);
    const first = ofType(leader.drain(), 'app').filter((m) => m.to === 2);
    expect(first.length).toBeGreaterThan(0);
    // The same answer again, and an older one overtaken by it: nothing to do.
    leader.step(answer);
    leader.step({ ...answer, index: 2 });
    expect(ofType(leader.drain(), 'app').filter((m) => m.to === 2)).toEqual([]);
    // News (a higher index) moves the follower on.
    leader.step({ ...answer, index: 4 });
    expect(ofType(leader.drain(), 'app').filter((m) => m.to === 2).length).toBeGreaterThan(0);
  });

  it('proposals made between two readies go out in one append per follower', () => {
    const leader = new Peer(1, [1, 2, 3]);
    makeLeader(leader, [2, 3]);
    // Both followers acknowledge the leader's empty entry, so they stream (replicate state).
    for (const from of [2, 3]) leader.step({ type: 'appResp', from, to: 1, term: 1, index: 1, reject: false, hintIndex: 0, hintTerm: 0 });
    leader.drain();
    for (const data of ['a', 'b', 'c']) leader.node.propose(data);
    const appends = ofType(leader.drain(), 'app');
    expect(appends.map((m) => m.to).sort()).toEqual([2, 3]);
    for (const append of appends) expect(append.entries.map((e) => e.data)).toEqual(['a', 'b', 'c']);
  });

  it('a follower forwards the proposals made between two readies in one message', () => {
    const follower = new Peer(2, [1, 2, 3]);
    follower.step({ type: 'heartbeat', from: 1, to: 2, term: 1, commit: 0, context: '' });
    follower.drain();
    for (const data of ['a', 'b']) expect(follower.node.propose(data)).toEqual({ kind: 'forwarded', leader: 1 });
    expect(ofType(follower.drain(), 'prop')).toEqual([{ type: 'prop', from: 2, to: 1, term: 0, data: ['a', 'b'] }]);
  });

  describe('the uncommitted limit (maxUncommittedBytes)', () => {
    /** A leader of three whose followers acknowledged its empty entry, so they stream. */
    function streamingLeader(limit: number): Peer {
      const leader = new Peer(1, [1, 2, 3], { maxUncommittedBytes: limit });
      makeLeader(leader, [2, 3]);
      for (const from of [2, 3]) leader.step({ type: 'appResp', from, to: 1, term: 1, index: 1, reject: false, hintIndex: 0, hintTerm: 0 });
      leader.drain();
      return leader;
    }
    const ack = (index: number) => ({ type: 'appResp', from: 2, to: 1, term: 1, index, reject: false, hintIndex: 0, hintTerm: 0 }) as const;

    it('a leader that cannot commit drops proposals past the limit, and takes them again once entries commit', () => {
      const leader = streamingLeader(10);
      expect(leader.node.propose('aaaa').kind).toBe('appended');
      expect(leader.node.propose('bbbb').kind).toBe('appended');
      // 8 bytes outstanding: 4 more would make 12.
      expect(leader.node.propose('cccc')).toEqual({ kind: 'dropped', reason: 'uncommitted limit' });
      expect(leader.node.propose('dd').kind).toBe('appended');
      leader.drain();
      expect(leader.node.log.lastIndex()).toBe(4);
      // A majority acknowledges everything: committed, handed out to apply, and the quota is free.
      leader.step(ack(4));
      leader.drain();
      expect(leader.node.commit).toBe(4);
      expect(leader.node.propose('cccc').kind).toBe('appended');
    });

    it('one proposal always fits when nothing is outstanding, however large', () => {
      const leader = streamingLeader(10);
      expect(leader.node.propose('x'.repeat(50)).kind).toBe('appended');
      expect(leader.node.propose('y')).toEqual({ kind: 'dropped', reason: 'uncommitted limit' });
    });

    it('a forwarded batch fits whole or is dropped whole', () => {
      const leader = streamingLeader(10);
      leader.node.propose('aaaaaa');
      leader.drain();
      leader.step({ type: 'prop', from: 2, to: 1, term: 0, data: ['bb', 'cccc'] });
      leader.drain();
      expect(leader.node.log.lastIndex()).toBe(2);
      leader.step({ type: 'prop', from: 2, to: 1, term: 0, data: ['bb', 'cc'] });
      leader.drain();
      expect(leader.node.log.lastIndex()).toBe(4);
    });

    it('a new leader starts from zero: entries of earlier terms do not count against it', () => {
      const leader = streamingLeader(10);
      leader.node.propose('aaaaaaaa');
      leader.drain();
      // It loses the lead and wins it again with its uncommitted entry still in its log.
      leader.step({ type: 'heartbeat', from: 2, to: 1, term: 2, commit: 1, context: '' });
      leader.drain();
      expect(leader.role).toBe('follower');
      makeLeader(leader, [2, 3]);
      expect(leader.node.propose('bbbbbbbb').kind).toBe('appended');
    });

    it('is off by default: without a limit nothing is dropped', () => {
      const leader = streamingLeader(0);
      for (let i = 0; i < 100; i++) expect(leader.node.propose('z'.repeat(1000)).kind).toBe('appended');
    });
  });
});
