/**
 * Raft paper §5.3, "Log replication": the leader appends client commands to its log
 * and replicates them; an entry stored on a majority is committed and the commit index
 * reaches the followers, who apply it. Followers check prevIndex/prevTerm, delete a
 * conflicting suffix and take the leader's, and never lose what they already match.
 */
import { describe, expect, it } from 'vitest';
import { NONE } from '../../src/raft/types.js';
import type { AppendRequest, Entry } from '../../src/raft/types.js';
import { Network, Peer, entriesOf, makeLeader, ofType, termsOf } from './helpers.js';

/** A follower (node 2 of 3) in `term` holding entries with `terms`, committed up to `commit`; node 1 leads. */
function follower(terms: readonly number[], term: number, commit = 0): Peer {
  const peer = new Peer(2, [1, 2, 3], { hardState: { term, vote: NONE, commit }, entries: entriesOf(terms) });
  peer.drain();
  return peer;
}

function app(term: number, prevIndex: number, prevTerm: number, entries: readonly Entry[], commit: number): AppendRequest {
  return { type: 'app', from: 1, to: 2, term, prevIndex, prevTerm, entries, commit };
}

describe('§5.3 log replication', () => {
  it('the leader appends a proposal to its own log and sends it to every follower', () => {
    const net = new Network([1, 2, 3]);
    const leader = net.elect(1);
    const result = leader.propose('x');
    expect(result).toEqual({ kind: 'appended', index: 2, term: 1 });
    expect(net.peer(1).logEntries().at(-1)).toEqual({ index: 2, term: 1, data: 'x' });
    const apps = ofType(net.peer(1).drain(), 'app');
    expect(apps.map((m) => m.to)).toEqual([2, 3]);
    for (const m of apps) {
      expect(m).toMatchObject({ term: 1, prevIndex: 1, prevTerm: 1, entries: [{ index: 2, term: 1, data: 'x' }] });
    }
    net.send(...apps);
    net.stabilize();
    for (const id of [1, 2, 3]) expect(net.peer(id).logEntries().map((e) => e.data)).toEqual([null, 'x']);
  });

  it('an entry is committed once a majority stores it, and only then do followers learn and apply it', () => {
    const net = new Network([1, 2, 3, 4, 5]);
    const leader = net.elect(1);
    expect(leader.commit).toBe(1);
    // Only one follower can be reached: leader + 1 of 5 is no majority.
    net.isolate(3);
    net.isolate(4);
    net.isolate(5);
    net.propose(1, 'x');
    expect(leader.commit).toBe(1);
    expect(net.peer(2).node.log.lastIndex()).toBe(2);
    expect(net.peer(2).applied.map((e) => e.index)).toEqual([1]);

    // A third copy makes a majority: the leader commits and tells the followers.
    net.heal();
    net.isolate(4);
    net.isolate(5);
    net.tick(1); // a heartbeat round lets the leader find out node 3 still lacks the entry
    net.stabilize();
    expect(leader.commit).toBe(2);
    for (const id of [1, 2, 3]) {
      expect(net.node(id).commit).toBe(2);
      expect(net.peer(id).applied.map((e) => e.data)).toEqual([null, 'x']);
    }
    for (const id of [4, 5]) expect(net.peer(id).applied).toEqual([]);
  });

  it("the leader counts its own copy toward a majority only once it is persisted (after advance)", () => {
    const net = new Network([1, 2, 3]);
    const leader = net.elect(1);
    leader.propose('x');
    const rd = leader.ready(); // handed out, not yet persisted
    expect(rd.entries.map((e) => e.data)).toEqual(['x']);
    expect(rd.mustSync).toBe(true);
    const toTwo = ofType(rd.messages, 'app').find((m) => m.to === 2)!;
    net.peer(2).step(toTwo);
    const [ack] = ofType(net.peer(2).drain(), 'appResp');
    expect(ack).toMatchObject({ reject: false, index: 2 });
    leader.step(ack);
    // Follower 2 + a leader copy not yet on disk: not a majority of stored copies.
    expect(leader.commit).toBe(1);

    net.peer(1).storage.write(rd);
    leader.advance(rd);
    expect(leader.commit).toBe(2);
    net.stabilize();
    for (const id of [1, 2, 3]) expect(net.peer(id).applied.map((e) => e.data)).toEqual([null, 'x']);
  });

  it('committing an entry commits all preceding entries, and followers apply them in order', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(2);
    net.isolate(3);
    for (const data of ['a', 'b', 'c']) net.node(1).propose(data);
    net.stabilize();
    expect(net.node(1).commit).toBe(1);
    net.heal();
    net.tick(1);
    net.stabilize();
    expect(net.node(1).commit).toBe(4);
    // A follower learns the commit index from the next append or heartbeat.
    net.tick(1);
    net.stabilize();
    for (const id of [1, 2, 3]) {
      expect(net.node(id).commit).toBe(4);
      expect(net.peer(id).applied.map((e) => e.data)).toEqual([null, 'a', 'b', 'c']);
    }
  });

  // Follower log [t1, t2] in term 2, commit 1.
  const checks: [name: string, prevIndex: number, prevTerm: number, accepted: boolean][] = [
    ['the empty prefix', 0, 0, true],
    ['a matching committed entry', 1, 1, true],
    ['a matching last entry', 2, 2, true],
    ['an entry whose term differs', 2, 1, false],
    ['an index beyond the log', 3, 2, false],
    ['an index beyond the log with an older term', 4, 1, false],
  ];
  it.each(checks)(
    'a follower checks prevIndex/prevTerm (%s: %i/%i → accepted %s) and rejects a mismatch without touching its log',
    (_name, prevIndex, prevTerm, accepted) => {
      const peer = follower([1, 2], 2, 1);
      peer.step(app(2, prevIndex, prevTerm, [], 1));
      const out = peer.drain();
      expect(peer.logTerms()).toEqual([1, 2]);
      expect(out).toHaveLength(1);
      const [resp] = ofType(out, 'appResp');
      expect(resp.reject).toBe(!accepted);
      expect(resp.term).toBe(2);
      // An acceptance names the last index the append covered; a rejection the prevIndex refused.
      expect(resp.index).toBe(accepted ? Math.max(prevIndex, 1) : prevIndex);
    },
  );

  // Follower log [t1, t2] in term 2 (nothing committed), leader of term 4.
  const appends: [name: string, prevIndex: number, prevTerm: number, entries: number[], expected: number[]][] = [
    ['new entries after a match are appended', 2, 2, [3], [1, 2, 3]],
    ['a conflicting entry and all after it are replaced', 1, 1, [3, 4], [1, 3, 4]],
    ['entries already present are left alone', 0, 0, [1], [1, 2]],
    ['a conflict at the first index replaces the whole log', 0, 0, [3], [3]],
    ['a conflict after matching entries replaces only from the conflict', 0, 0, [1, 3], [1, 3]],
  ];
  it.each(appends)('a follower appending after a match: %s', (_name, prevIndex, prevTerm, terms, expected) => {
    const peer = follower([1, 2], 2);
    const entries = entriesOf(terms, prevIndex + 1);
    peer.step(app(4, prevIndex, prevTerm, entries, 0));
    const [rd] = peer.drainReadies();
    expect(peer.logTerms()).toEqual(expected);
    const [resp] = ofType(rd.messages, 'appResp');
    expect(resp).toMatchObject({ reject: false, index: prevIndex + terms.length });
    // The ready hands the driver exactly the rewritten suffix, to replace what it stored.
    const firstChanged = expected.findIndex((t, i) => t !== [1, 2][i]);
    const rewritten = firstChanged < 0 ? [] : expected.slice(firstChanged);
    expect(termsOf(rd.entries)).toEqual(rewritten);
    expect(peer.storage.durable.entries).toEqual(peer.logEntries());
  });

  it('a follower never truncates when entries already match: a duplicated or reordered older append removes nothing', () => {
    const peer = follower([], 1);
    const [e1, e2, e3, e4] = entriesOf([1, 1, 1, 1]);
    // The leader's appends, in the order it sent them; none carries a commit yet.
    const a = app(1, 0, 0, [e1], 0);
    const b = app(1, 1, 1, [e2, e3], 0);
    const c = app(1, 3, 1, [e4], 0);
    for (const m of [a, b, c]) peer.step(m);
    peer.drain();
    const full = [e1, e2, e3, e4];
    expect(peer.logEntries()).toEqual(full);
    // Old appends come again, duplicated and out of order: each covers a prefix of what is there.
    for (const m of [b, a, c, a, b, { ...b, entries: [e2] }]) {
      peer.step(m);
      const [rd] = peer.drainReadies();
      expect(peer.logEntries()).toEqual(full);
      expect(ofType(rd.messages, 'appResp')).toEqual([
        expect.objectContaining({ reject: false, index: m.prevIndex + m.entries.length }),
      ]);
      // No ready asks the driver to rewrite anything.
      expect(rd.entries).toEqual([]);
    }
    expect(peer.storage.durable.entries).toEqual(full);
  });

  it('a follower never truncates at or below its commit index, even for a conflicting append', () => {
    const peer = follower([1, 1, 1], 2, 2);
    // prevIndex 1 < commit 2: the append is stale with respect to what is committed.
    peer.step(app(2, 1, 1, entriesOf([2, 2], 2), 2));
    const out = peer.drain();
    expect(peer.logTerms()).toEqual([1, 1, 1]);
    expect(peer.node.commit).toBe(2);
    expect(ofType(out, 'appResp')).toEqual([expect.objectContaining({ reject: false, index: 2 })]);
  });

  it('the leader tells a follower only a commit index up to what it knows that follower matches', () => {
    // Node 3 holds a stale tail from term 2 that the leader of term 3 has not yet replaced.
    const states = {
      1: { hardState: { term: 2, vote: NONE, commit: 1 }, entries: entriesOf([1]) },
      2: { hardState: { term: 2, vote: NONE, commit: 1 }, entries: entriesOf([1]) },
      3: { hardState: { term: 2, vote: NONE, commit: 1 }, entries: entriesOf([1, 2, 2]) },
    } as const;
    const net = new Network([1, 2, 3], (id) => states[id as 1 | 2 | 3]);
    net.drop((m) => m.type === 'app' && m.to === 3);
    const leader = net.elect(1);
    expect(leader.commit).toBe(2);
    for (let i = 0; i < 3; i++) {
      net.tick(1);
      net.stabilize();
    }
    const heartbeats = net.deliveredOfType('heartbeat').filter((m) => m.to === 3);
    expect(heartbeats.length).toBeGreaterThan(0);
    for (const hb of heartbeats) expect(hb.commit).toBeLessThanOrEqual(leader.progressOf(3)?.match ?? 0);
    // Node 3's entry 2 is of term 2, not the leader's: it must not be committed.
    expect(net.node(3).commit).toBe(1);
    expect(net.peer(3).applied.map((e) => e.index)).toEqual([1]);

    net.heal();
    net.tick(1);
    net.stabilize();
    net.tick(1);
    net.stabilize();
    expect(net.peer(3).logEntries()).toEqual(net.peer(1).logEntries());
    expect(net.peer(3).applied).toEqual(net.peer(1).logEntries());
  });

  // Follower log [t1, t1, t1] in term 1, nothing committed.
  const commits: [name: string, prevIndex: number, entries: number[], leaderCommit: number, expected: number][] = [
    ['a heartbeat-like append only vouches for its prefix, not the unchecked tail', 1, [], 3, 1],
    ['the index of the last new entry bounds the commit', 1, [1], 3, 2],
    ['the leader commit bounds it when lower', 3, [1], 2, 2],
    ['the leader commit bounds it when lower (no entries)', 3, [], 2, 2],
    ['both equal', 3, [1, 1], 5, 5],
  ];
  it.each(commits)('a follower sets commit = min(leaderCommit, index of last new entry): %s', (_n, prevIndex, terms, leaderCommit, expected) => {
    const peer = follower([1, 1, 1], 1);
    peer.step(app(1, prevIndex, 1, entriesOf(terms, prevIndex + 1), leaderCommit));
    peer.drain();
    expect(peer.node.commit).toBe(expected);
    expect(peer.applied.map((e) => e.index)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
  });
});

// ---- Figure 7 ---------------------------------------------------------------

/** The leader's log in Figure 7 (it then leads term 8) and the possible follower logs (a)–(f). */
const FIGURE7_LEADER = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
const FIGURE7: Record<string, number[]> = {
  a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
  b: [1, 1, 1, 4],
  c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
  d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
  e: [1, 1, 1, 4, 4, 4, 4],
  f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
};

/**
 * Node 1 becomes leader of term 8 with the Figure 7 log (node 3 votes for it and is
 * then gone); node 2 holds the follower's log. Runs the two until quiet.
 */
function syncFigure7(followerTerms: number[]) {
  const leader = new Peer(1, [1, 2, 3], { hardState: { term: 7, vote: NONE, commit: 0 }, entries: entriesOf(FIGURE7_LEADER) });
  const follower = new Peer(2, [1, 2, 3], { hardState: { term: 7, vote: NONE, commit: 0 }, entries: entriesOf(followerTerms) });
  const out = makeLeader(leader, [3]);
  expect(leader.term).toBe(8);
  const net = Network.of([leader, follower]);
  net.send(...out);
  net.stabilize();
  const rejections = net.deliveredOfType('appResp').filter((m) => m.reject);
  return { leader, follower, net, rejections };
}

describe('§5.3 Figure 7: the leader brings every follower to its log', () => {
  it.each(Object.keys(FIGURE7))('follower (%s) ends with exactly the leader’s log, committed and applied', (name) => {
    const { leader, follower } = syncFigure7(FIGURE7[name]);
    const expected = [...FIGURE7_LEADER, 8];
    expect(leader.logTerms()).toEqual(expected);
    expect(follower.logTerms()).toEqual(expected);
    expect(follower.logEntries()).toEqual(leader.logEntries());
    expect(follower.storage.durable.entries).toEqual(leader.logEntries());
    // Leader and follower are a majority of three: the term-8 entry commits, and all before it.
    expect(leader.node.commit).toBe(11);
    expect(follower.node.commit).toBe(11);
    expect(follower.applied).toEqual(leader.logEntries());
  });

  /** The longest common prefix of the two logs (by term; equal terms at an index mean equal entries). */
  const commonPrefix = (a: number[], b: number[]) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    return i;
  };

  it.each(Object.keys(FIGURE7))(
    'fast backtracking: follower (%s) costs at most one rejected round trip per conflicting term, not one per entry',
    (name) => {
      const terms = FIGURE7[name];
      const { rejections, net } = syncFigure7(terms);
      const prefix = commonPrefix(terms, FIGURE7_LEADER);
      // Decrementing nextIndex one entry at a time would take this many rejections.
      const naive = FIGURE7_LEADER.length - prefix;
      const conflictingTerms = new Set(terms.slice(prefix, FIGURE7_LEADER.length)).size;
      const missing = terms.length < FIGURE7_LEADER.length ? 1 : 0;
      expect(rejections.length).toBeLessThanOrEqual(conflictingTerms + missing);
      if (naive > 2) expect(rejections.length).toBeLessThan(naive);
      // The hint lands the leader exactly on the last matching index: the append that is
      // finally accepted resends nothing the follower already had.
      const accepted = net.deliveredOfType('app').filter((m) => m.to === 2)[rejections.length];
      expect(accepted.prevIndex).toBe(prefix);
      for (const r of rejections) {
        // The hint points into the follower's log, at or before the refused index.
        expect(r.hintIndex).toBeLessThanOrEqual(r.index);
        expect(r.hintTerm).toBe(r.hintIndex === 0 ? 0 : terms[r.hintIndex - 1]);
      }
    },
  );

  it('fast backtracking: follower (f), seven entries behind the match point, is repaired in a single rejection', () => {
    const { rejections, net } = syncFigure7(FIGURE7.f);
    expect(rejections).toHaveLength(1);
    // The first probe at index 10 (term 6) is refused; the hint (term 3 at index 10)
    // sends the leader straight back to index 3, the last index with a term ≤ 3.
    expect(rejections[0]).toMatchObject({ index: 10, hintIndex: 10, hintTerm: 3 });
    const apps = net.deliveredOfType('app');
    expect(apps.map((m) => m.prevIndex).slice(0, 2)).toEqual([10, 3]);
  });
});
