/**
 * A counterexample worth reading for a part the tag guard (tags.ts) refuted.
 *
 * The tag guard cuts a configuration as soon as some op can provably never be
 * placed, so the longest prefix that search reaches stops short, at the move that
 * sealed the op's fate, instead of where it visibly fails. The verdict is already
 * exact; for the explanation we search the same part again without tags, for a
 * bounded number of steps (never the clock, so the output is deterministic), and
 * keep whichever longest prefix is longer. Every prefix of a part with no
 * linearization is a dead end, so either is a true counterexample.
 */
import { NOT_LINEARIZABLE, PartSearch, type SearchInput } from './search.js';
import type { CacheBudget } from './memo.js';
import type { Transitions } from './intern.js';

/** Steps the explanation may take (about 20-50 ms). */
export const EXPLAIN_STEPS = 300_000;

export function explainingSearch(
  tagged: PartSearch,
  input: SearchInput,
  transitions: Transitions,
  budget: CacheBudget,
  steps = EXPLAIN_STEPS,
): PartSearch {
  // Static proofs (doomed ops, model refutations) name their ops already.
  if (input.tags === undefined || tagged.doomed.length > 0) return tagged;
  const plain = new PartSearch({ ...input, tags: undefined }, transitions, tagged.initialState, budget);
  if (plain.run(steps) === NOT_LINEARIZABLE || plain.bestLength > tagged.bestLength) return plain;
  return tagged;
}
