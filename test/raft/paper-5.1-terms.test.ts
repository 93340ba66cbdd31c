/**
 * Raft paper §5.1, "Raft basics": terms act as a logical clock. Every message carries
 * its sender's term; a node that sees a newer term adopts it and reverts to follower,
 * and a message of an older term is rejected, telling its sender the newer term.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import type { Message, Role } from '../../src/raft/types.js';
import { ET, Peer, entriesOf, makeLeader, ofType } from './helpers.js';

const VOTERS = [1, 2, 3];

/** Node 1 of a 3-node cluster in term 1 in the given role, its outbox drained. */
function nodeInRole(role: Role): Peer {
  const peer = new Peer(1, VOTERS, {
    hardState: { term: role === 'follower' ? 1 : 0, vote: NONE, commit: 0 },
  });
  if (role === 'candidate') {
    peer.node.campaign();
    peer.drain();
  } else if (role === 'leader') {
    makeLeader(peer, [2]);
  }
  expect(peer.role).toBe(role);
  expect(peer.term).toBe(1);
  return peer;
}

/** One message of each kind node 2 can send node 1 in `term`. */
function messagesOfEveryType(term: number): Message[] {
  const env = { from: 2, to: 1, term };
  return [
    { ...env, type: 'app', prevIndex: 0, prevTerm: 0, entries: [], commit: 0 },
    { ...env, type: 'heartbeat', commit: 0, context: '' },
    { ...env, type: 'vote', lastIndex: 10, lastTerm: 10 },
    { ...env, type: 'voteResp', granted: false },
    { ...env, type: 'appResp', index: 0, reject: true, hintIndex: 0, hintTerm: 0 },
    { ...env, type: 'heartbeatResp', context: '' },
    { ...env, type: 'readIndexResp', context: 'x', index: 0 },
  ];
}

describe('§5.1 terms', () => {
  const roles: Role[] = ['follower', 'candidate', 'leader'];

  for (const role of roles) {
    it.each(messagesOfEveryType(2).map((m) => [m.type, m] as const))(
      `a ${role} that sees a higher term in a %s message adopts the term and becomes follower`,
      (_type, m) => {
        const peer = nodeInRole(role);
        peer.step(m);
        expect(peer.term).toBe(2);
        expect(peer.role).toBe('follower');
        // A leader announces itself with appends and heartbeats; anything else leaves the leader unknown.
        expect(peer.node.lead).toBe(m.type === 'app' || m.type === 'heartbeat' ? 2 : NONE);
        // The vote of the old term does not carry over (a vote request may win the new one).
        expect(peer.node.vote).toBe(m.type === 'vote' ? 2 : NONE);
        const [rd] = peer.drainReadies();
        expect(rd.hardState?.term).toBe(2);
        expect(rd.mustSync).toBe(true);
      },
    );
  }

  it.each(['app', 'heartbeat'] as const)(
    'a stale-term %s is rejected, changes nothing, and tells the stale leader the newer term',
    (type) => {
      // Node 2 is a follower in term 3 with two entries; node 1 still thinks it leads term 2.
      const follower = new Peer(2, VOTERS, { hardState: { term: 3, vote: NONE, commit: 1 }, entries: entriesOf([1, 1]) });
      follower.drain();
      follower.tick(ET - 1);
      const stale: Message =
        type === 'app'
          ? { type, from: 1, to: 2, term: 2, prevIndex: 2, prevTerm: 1, entries: entriesOf([2], 3), commit: 3 }
          : { type, from: 1, to: 2, term: 2, commit: 2, context: '' };
      follower.step(stale);
      const out = follower.drain();

      expect(follower.logTerms()).toEqual([1, 1]);
      expect(follower.node.commit).toBe(1);
      expect(follower.term).toBe(3);
      expect(follower.node.lead).toBe(NONE);
      expect(out).toEqual([expect.objectContaining({ type: 'appResp', from: 2, to: 1, term: 3, reject: true })]);
      // A stale leader is no leader: it does not hold off this follower's election.
      follower.tick(1);
      expect(follower.role).toBe('candidate');

      // The stale leader, told of term 3, steps down.
      const staleLeader = new Peer(1, VOTERS, { hardState: { term: 1, vote: NONE, commit: 0 } });
      makeLeader(staleLeader, [3]);
      expect(staleLeader.term).toBe(2);
      staleLeader.step(out[0]);
      expect(staleLeader.role).toBe('follower');
      expect(staleLeader.term).toBe(3);
    },
  );

  it('a stale-term vote request is denied and tells the stale candidate the newer term', () => {
    const voter = new Peer(2, VOTERS, { hardState: { term: 3, vote: NONE, commit: 0 } });
    voter.step({ type: 'vote', from: 1, to: 2, term: 2, lastIndex: 5, lastTerm: 2 });
    const out = voter.drain();
    expect(voter.node.vote).toBe(NONE);
    expect(voter.term).toBe(3);
    expect(out).toEqual([{ type: 'voteResp', from: 2, to: 1, term: 3, granted: false }]);

    const candidate = new Peer(1, VOTERS, { hardState: { term: 1, vote: NONE, commit: 0 } });
    candidate.node.campaign();
    candidate.drain();
    expect(candidate.term).toBe(2);
    candidate.step(out[0]);
    expect(candidate.role).toBe('follower');
    expect(candidate.term).toBe(3);
  });

  it('stale-term responses are ignored: old votes elect no one, old acknowledgements commit nothing', () => {
    // A candidate of term 3 receives grants cast in term 2.
    const candidate = new Peer(1, VOTERS, { hardState: { term: 2, vote: NONE, commit: 0 } });
    candidate.node.campaign();
    candidate.drain();
    for (const from of [2, 3]) candidate.step({ type: 'voteResp', from, to: 1, term: 2, granted: true });
    expect(candidate.role).toBe('candidate');
    expect(candidate.drain()).toEqual([]);

    // A leader of term 3 receives acknowledgements of its entries from term 2.
    const leader = new Peer(1, VOTERS, { hardState: { term: 2, vote: NONE, commit: 0 }, entries: entriesOf([1, 2]) });
    makeLeader(leader, [2]);
    expect(leader.node.log.lastIndex()).toBe(3);
    for (const from of [2, 3]) {
      leader.step({ type: 'appResp', from, to: 1, term: 2, index: 3, reject: false, hintIndex: 0, hintTerm: 0 });
      leader.step({ type: 'heartbeatResp', from, to: 1, term: 2, context: '' });
    }
    expect(leader.role).toBe('leader');
    expect(leader.node.commit).toBe(0);
    expect(leader.node.progressOf(2)?.match).toBe(0);
    expect(ofType(leader.drain(), 'app')).toEqual([]);
  });
});
