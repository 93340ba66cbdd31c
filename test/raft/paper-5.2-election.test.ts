/**
 * Raft paper §5.2, "Leader election": a follower that hears nothing for an election
 * timeout becomes a candidate, votes for itself and asks everyone for votes; it wins
 * with a majority, steps down when another leader shows up, and tries again after a
 * split vote. Each node votes at most once per term, and timeouts are randomized.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import type { NodeId, Role } from '../../src/raft/types.js';
import { ET, Network, Peer, entriesOf, fixedRandom, makeLeader, ofType } from './helpers.js';

describe('§5.2 leader election', () => {
  it.each(['follower', 'candidate'] as const)(
    'a %s that hears nothing for an election timeout starts an election: term + 1, votes for itself, asks all peers with its last index and term',
    (role) => {
      const peer = new Peer(1, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 1 }, entries: entriesOf([1, 1]) });
      if (role === 'candidate') {
        peer.node.campaign();
        peer.drain();
      }
      const term = peer.term;
      peer.tick(ET - 1);
      expect(peer.role).toBe(role);
      expect(peer.drain()).toEqual([]);

      peer.tick(1);
      expect(peer.role).toBe('candidate');
      expect(peer.term).toBe(term + 1);
      expect(peer.node.vote).toBe(1);
      const [rd] = peer.drainReadies();
      expect(rd.hardState).toMatchObject({ term: term + 1, vote: 1 });
      const out = rd.messages;
      expect(out).toEqual(
        [2, 3].map((to) => ({ type: 'vote', from: 1, to, term: term + 1, lastIndex: 2, lastTerm: 1 })),
      );
    },
  );

  it.each(['heartbeat', 'app'] as const)('a follower that keeps hearing from its leader (%s) never starts an election', (type) => {
    const peer = new Peer(2, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 0 } });
    for (let round = 0; round < 10; round++) {
      peer.tick(ET - 1);
      peer.step(
        type === 'heartbeat'
          ? { type, from: 1, to: 2, term: 1, commit: 0, context: '' }
          : { type, from: 1, to: 2, term: 1, prevIndex: round, prevTerm: round === 0 ? 0 : 1, entries: entriesOf([1], round + 1), commit: 0 },
      );
    }
    expect(peer.role).toBe('follower');
    expect(peer.term).toBe(1);
    expect(peer.node.lead).toBe(1);
    expect(ofType(peer.drain(), 'vote')).toEqual([]);
  });

  type Votes = Record<number, boolean>;
  const cases: [size: number, votes: Votes, expected: Role][] = [
    [1, {}, 'leader'],
    [3, { 2: true, 3: true }, 'leader'],
    [3, { 2: true }, 'leader'],
    [3, {}, 'candidate'],
    [3, { 2: false }, 'candidate'],
    [3, { 2: false, 3: false }, 'follower'],
    [5, { 2: true, 3: true, 4: true, 5: true }, 'leader'],
    [5, { 2: true, 3: true }, 'leader'],
    [5, { 2: true }, 'candidate'],
    [5, { 2: true, 3: false }, 'candidate'],
    [5, { 2: false, 3: false }, 'candidate'],
    [5, { 2: true, 3: false, 4: false, 5: false }, 'follower'],
    [4, { 2: true }, 'candidate'],
    [4, { 2: true, 3: true }, 'leader'],
  ];
  it.each(cases)('a candidate in a cluster of %i with votes %o wins only with a majority (→ %s)', (size, votes, expected) => {
    const voters = Array.from({ length: size }, (_, i) => i + 1);
    const peer = new Peer(1, voters);
    peer.node.campaign();
    peer.drain();
    for (const [from, granted] of Object.entries(votes)) {
      peer.step({ type: 'voteResp', from: Number(from), to: 1, term: 1, granted });
    }
    expect(peer.role).toBe(expected);
    expect(peer.term).toBe(1);
  });

  it('a vote granted twice by the same node counts once', () => {
    const peer = new Peer(1, [1, 2, 3, 4, 5]);
    peer.node.campaign();
    peer.drain();
    for (let i = 0; i < 3; i++) peer.step({ type: 'voteResp', from: 2, to: 1, term: 1, granted: true });
    expect(peer.role).toBe('candidate');
  });

  it('a candidate that wins sends appends to every peer at once, carrying its new empty entry', () => {
    const peer = new Peer(1, [1, 2, 3], { hardState: { term: 1, vote: NONE, commit: 1 }, entries: entriesOf([1, 1]) });
    const out = makeLeader(peer, [2]);
    expect(peer.node.lead).toBe(1);
    expect(ofType(out, 'app')).toEqual(
      [2, 3].map((to) => ({
        type: 'app',
        from: 1,
        to,
        term: 2,
        prevIndex: 2,
        prevTerm: 1,
        entries: [{ index: 3, term: 2, data: null }],
        commit: 1,
      })),
    );
  });

  it('a leader sends heartbeats to every peer every heartbeatTicks, and never campaigns', () => {
    const peer = new Peer(1, [1, 2, 3], { heartbeatTicks: 3 });
    makeLeader(peer, [2]);
    for (let round = 0; round < 2 * ET; round++) {
      peer.tick(2);
      expect(ofType(peer.drain(), 'heartbeat')).toEqual([]);
      peer.tick(1);
      expect(ofType(peer.drain(), 'heartbeat').map((m) => [m.to, m.term])).toEqual([
        [2, 1],
        [3, 1],
      ]);
    }
    expect(peer.role).toBe('leader');
    expect(peer.term).toBe(1);
  });

  for (const type of ['app', 'heartbeat'] as const) {
    for (const delta of [0, 1]) {
      it(`a candidate that hears a ${type} from a leader of ${delta === 0 ? 'its own' : 'a higher'} term steps down and follows it`, () => {
        const peer = new Peer(1, [1, 2, 3]);
        peer.node.campaign();
        peer.drain();
        const term = 1 + delta;
        peer.step(
          type === 'app'
            ? { type, from: 2, to: 1, term, prevIndex: 0, prevTerm: 0, entries: entriesOf([term]), commit: 0 }
            : { type, from: 2, to: 1, term, commit: 0, context: '' },
        );
        expect(peer.role).toBe('follower');
        expect(peer.term).toBe(term);
        expect(peer.node.lead).toBe(2);
        // Stepping down within the same term keeps the candidate's own vote.
        expect(peer.node.vote).toBe(delta === 0 ? 1 : NONE);
        const out = peer.drain();
        expect(out).toHaveLength(1);
        expect(out[0]).toMatchObject({ to: 2, term, type: type === 'app' ? 'appResp' : 'heartbeatResp' });
        if (type === 'app') expect(peer.logTerms()).toEqual([term]);
      });
    }
  }

  it('a split vote times out and a new election starts with a higher term', () => {
    // Four nodes, quorum three: 1 and 2 campaign together; 3 hears only 1 and 4 only 2.
    const net = new Network([1, 2, 3, 4]);
    net.cut(1, 4);
    net.cut(2, 3);
    net.node(1).campaign();
    net.node(2).campaign();
    net.stabilize();
    for (const id of [1, 2]) {
      expect(net.node(id).role).toBe('candidate');
      expect(net.node(id).term).toBe(1);
    }
    expect(net.node(3).vote).toBe(1);
    expect(net.node(4).vote).toBe(2);
    expect(net.leaders()).toEqual([]);

    // Node 1 times out first (it campaigned with timeout ET, as node 2 did, but ticks first).
    net.heal();
    net.tick(1, ET - 1);
    net.stabilize();
    expect(net.node(1).role).toBe('candidate');
    net.tick(1, 1);
    expect(net.node(1).term).toBe(2);
    net.stabilize();
    expect(net.node(1).role).toBe('leader');
    expect(net.node(1).term).toBe(2);
    for (const id of [2, 3, 4]) {
      expect(net.node(id).role).toBe('follower');
      expect(net.node(id).term).toBe(2);
      expect(net.node(id).lead).toBe(1);
    }
  });

  it('each node grants at most one vote per term, first come first served', () => {
    const voter = new Peer(1, [1, 2, 3, 4]);
    const ask = (from: NodeId, term: number) => {
      voter.step({ type: 'vote', from, to: 1, term, lastIndex: 0, lastTerm: 0 });
      const [resp] = ofType(voter.drain(), 'voteResp');
      return resp.granted;
    };
    expect(ask(2, 1)).toBe(true);
    expect(ask(3, 1)).toBe(false);
    expect(ask(4, 1)).toBe(false);
    // The same candidate asking again (a retransmission) gets the same answer.
    expect(ask(2, 1)).toBe(true);
    expect(voter.node.vote).toBe(2);
    // A new term is a new vote.
    expect(ask(3, 2)).toBe(true);
    expect(ask(2, 2)).toBe(false);
    expect(voter.storage.durable.hardState).toMatchObject({ term: 2, vote: 3 });
  });

  it('a candidate or a leader refuses to vote for another candidate of its own term', () => {
    const candidate = new Peer(1, [1, 2, 3]);
    candidate.node.campaign();
    candidate.drain();
    candidate.step({ type: 'vote', from: 2, to: 1, term: 1, lastIndex: 5, lastTerm: 1 });
    expect(ofType(candidate.drain(), 'voteResp')).toEqual([{ type: 'voteResp', from: 1, to: 2, term: 1, granted: false }]);

    const leader = new Peer(1, [1, 2, 3]);
    makeLeader(leader, [3]);
    leader.step({ type: 'vote', from: 2, to: 1, term: 1, lastIndex: 5, lastTerm: 1 });
    expect(ofType(leader.drain(), 'voteResp')).toEqual([{ type: 'voteResp', from: 1, to: 2, term: 1, granted: false }]);
    expect(leader.role).toBe('leader');
  });

  it('election timeouts are randomized in [ET, 2·ET − 1], redrawn for every term', () => {
    const ticksToCampaign = (peer: Peer): number => {
      const term = peer.term;
      for (let t = 1; t <= 4 * ET; t++) {
        peer.tick();
        if (peer.term !== term) return t;
      }
      throw new Error('never campaigned');
    };
    const draws = [0, 0.05, 0.42, 0.5, 0.77, 0.95, 0.9999];
    const seen = new Set<number>();
    for (const r of draws) {
      const timeout = ticksToCampaign(new Peer(1, [1, 2, 3], { random: fixedRandom(r) }));
      expect(timeout).toBe(ET + Math.floor(r * ET));
      expect(timeout).toBeGreaterThanOrEqual(ET);
      expect(timeout).toBeLessThanOrEqual(2 * ET - 1);
      seen.add(timeout);
    }
    expect(Math.min(...seen)).toBe(ET);
    expect(Math.max(...seen)).toBe(2 * ET - 1);

    // One stream, one draw per term: a candidate's next timeout is a fresh draw.
    const stream = [0.0, 0.3, 0.9, 0.6];
    let next = 0;
    const peer = new Peer(1, [1, 2, 3], { random: () => stream[next++ % stream.length] });
    const timeouts = [ticksToCampaign(peer), ticksToCampaign(peer), ticksToCampaign(peer)];
    expect(timeouts).toEqual([ET, ET + 3, ET + 9]);
  });

  it('with randomized timeouts the first node to time out wins before the others campaign', () => {
    const draws: Record<number, number> = { 1: 0.9, 2: 0.6, 3: 0.2, 4: 0.7, 5: 0.95 };
    const net = new Network([1, 2, 3, 4, 5], (id) => ({ random: fixedRandom(draws[id]) }));
    for (let t = 0; t < 2 * ET && net.leaders().length === 0; t++) {
      for (const id of net.peers.keys()) net.tick(id);
      net.stabilize();
    }
    expect(net.leaders().map((n) => n.id)).toEqual([3]);
    expect(net.node(3).term).toBe(1);
    expect(ofType(net.delivered, 'vote').every((m) => m.from === 3)).toBe(true);
  });
});
