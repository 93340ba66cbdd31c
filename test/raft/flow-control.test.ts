/**
 * Flow control after etcd's progress tracker: a follower in probe state gets one append
 * at a time; one in replicate state a stream. Answers that carry no news move nothing.
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
});
