/**
 * Quorums, as etcd's quorum package: a majority config commits what more than half of
 * its voters have, and wins a vote with more than half granted; a joint config needs
 * both of its halves, and an empty half has no say. Checked by example and against a
 * brute-force reading of the definitions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JointConfig, MajorityConfig, type VoteResult } from '../../src/raft/quorum.js';
import type { NodeId } from '../../src/raft/types.js';

/** The largest k that more than half the voters have reached (k = 0 always qualifies). */
function bruteCommitted(voters: readonly NodeId[], match: ReadonlyMap<NodeId, number>): number {
  if (voters.length === 0) return Infinity;
  const candidates = [0, ...voters.map((v) => match.get(v) ?? 0)];
  return Math.max(...candidates.filter((k) => voters.filter((v) => (match.get(v) ?? 0) >= k).length * 2 > voters.length));
}

function bruteVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  const granted = voters.filter((v) => votes.get(v) === true).length;
  const unknown = voters.filter((v) => !votes.has(v)).length;
  if (granted * 2 > voters.length) return 'won';
  if ((granted + unknown) * 2 > voters.length) return 'pending';
  return 'lost';
}

const ids = fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 7 });

describe('majority config', () => {
  it('commits the index a majority has reached, not the fastest voter nor the slowest', () => {
    const config = new MajorityConfig([1, 2, 3, 4, 5]);
    const match = new Map([[1, 9], [2, 7], [3, 5], [4, 2], [5, 0]]);
    expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(5);
  });

  it('an even number of voters needs more than half: 2 of 4 is not enough', () => {
    const config = new MajorityConfig([1, 2, 3, 4]);
    const match = new Map([[1, 8], [2, 8], [3, 1], [4, 1]]);
    expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(1);
  });

  it('vote: won with a majority granted, lost once a majority cannot be reached, pending in between', () => {
    const config = new MajorityConfig([1, 2, 3]);
    expect(config.voteResult((id) => (id === 1 ? true : undefined))).toBe('pending');
    expect(config.voteResult((id) => (id === 3 ? undefined : true))).toBe('won');
    expect(config.voteResult((id) => (id === 1 ? true : id === 2 ? false : undefined))).toBe('pending');
    expect(config.voteResult((id) => id === 1)).toBe('lost');
  });

  it('agrees with the brute-force definition (property)', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 9, maxLength: 9 }), fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 9, maxLength: 9 }), (voters, matches, votes) => {
        const match = new Map(voters.map((v) => [v, matches[v - 1]]));
        const cast = new Map(voters.filter((v) => votes[v - 1] !== undefined).map((v) => [v, votes[v - 1]!]));
        const config = new MajorityConfig(voters);
        expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(bruteCommitted(voters, match));
        expect(config.voteResult((id) => cast.get(id))).toBe(bruteVote(voters, cast));
        // Computing twice (the scratch space is reused) gives the same answer.
        expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(bruteCommitted(voters, match));
      }),
      { numRuns: 500 },
    );
  });
});

describe('joint config', () => {
  it('commits only what both majorities have: the new majority alone is not enough', () => {
    // Old {1,2,3}, new {3,4,5}: 3, 4 and 5 have index 9 (a new majority), but of the old only 3 has it.
    const config = new JointConfig([3, 4, 5], [1, 2, 3]);
    const match = new Map([[1, 2], [2, 2], [3, 9], [4, 9], [5, 9]]);
    expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(2);
    expect(new MajorityConfig([3, 4, 5]).committedIndex((id) => match.get(id) ?? 0)).toBe(9);
  });

  it('without an outgoing half it is the plain majority', () => {
    const config = new JointConfig([1, 2, 3]);
    const match = new Map([[1, 4], [2, 3], [3, 0]]);
    expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(3);
  });

  it('vote: won only if both halves won, lost if either lost', () => {
    const config = new JointConfig([3, 4, 5], [1, 2, 3]);
    const votes = (granted: NodeId[], rejected: NodeId[] = []) => (id: NodeId) => (granted.includes(id) ? true : rejected.includes(id) ? false : undefined);
    expect(config.voteResult(votes([3, 4, 5]))).toBe('pending');
    expect(config.voteResult(votes([3, 4, 5, 1]))).toBe('won');
    expect(config.voteResult(votes([3, 4, 5], [1, 2]))).toBe('lost');
    expect(config.voteResult(votes([1, 2, 3], [4, 5]))).toBe('lost');
  });

  it('agrees with the brute-force definition: min of the halves, both must win (property)', () => {
    fc.assert(
      fc.property(ids, ids, fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 9, maxLength: 9 }), fc.array(fc.option(fc.boolean(), { nil: undefined }), { minLength: 9, maxLength: 9 }), (incoming, outgoing, matches, votes) => {
        const all = [...new Set([...incoming, ...outgoing])];
        const match = new Map(all.map((v) => [v, matches[v - 1]]));
        const cast = new Map(all.filter((v) => votes[v - 1] !== undefined).map((v) => [v, votes[v - 1]!]));
        const config = new JointConfig(incoming, outgoing);
        expect(config.committedIndex((id) => match.get(id) ?? 0)).toBe(Math.min(bruteCommitted(incoming, match), bruteCommitted(outgoing, match)));
        const a = bruteVote(incoming, cast);
        const b = bruteVote(outgoing, cast);
        const expected: VoteResult = a === 'won' && b === 'won' ? 'won' : a === 'lost' || b === 'lost' ? 'lost' : 'pending';
        expect(config.voteResult((id) => cast.get(id))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
