/**
 * Twin info ops are linearized in call order (Model.effectKey).
 *
 * Two info ops a, b are twins when their steps agree in every state (no output
 * is checked for either). Say call(a) <= call(b). An info op has no return, so
 * the only real-time rule it obeys is to come after every op that returned
 * before its call; the ops that returned before call(a) are among those that
 * returned before call(b).
 * Claim: if a linearization places b, one exists that places a, and with both,
 * one that places a first. Proof: if only b is placed, put a in its place: a
 * may stand wherever b may, and steps the same. If both are placed, b first,
 * swap them: a moves earlier to b's place (allowed, as before), b moves later
 * (always allowed: what had to precede it still does); the states between are
 * unchanged since they step alike. Repeating this over a class of twins sorted
 * by call time: every linearization has a twin of it whose placed members of
 * each class are the class's first ones, in call order. So the search may place
 * an info op only when its previous twin is already placed. In the configurations
 * it reaches, each class's placed members are such a prefix; what remains of the
 * class is a suffix, and any completion can be put in the same form, so a
 * configuration has a completion of that form iff it has one at all: the rule
 * depends only on the linearized set and agrees with the memo.
 *
 * Why: on nemesis histories a leaderless stretch leaves dozens of timed-out puts
 * and txns of the same few shapes (with etcd-values.ts, values nothing read are
 * one); the search tried every subset and order of them for the free revisions.
 */
import type { LinearizedSet } from './bitset.js';

/** Per local op: the twin called just before it (an info op), or -1. */
export function previousTwins(effectKeys: readonly (string | undefined)[], isInfo: (op: number) => boolean, call: Float64Array, order: Int32Array): Int32Array {
  const previous = new Int32Array(effectKeys.length).fill(-1);
  const byCall = effectKeys.map((_, op) => op).filter((op) => isInfo(op) && effectKeys[op] !== undefined);
  byCall.sort((a, b) => call[a] - call[b] || order[a] - order[b]);
  const last = new Map<string, number>();
  for (const op of byCall) {
    const key = effectKeys[op] as string;
    previous[op] = last.get(key) ?? -1;
    last.set(key, op);
  }
  return previous;
}

/** May `op` be linearized now: is its previous twin, if any, already linearized? */
export function twinReady(previous: Int32Array, set: LinearizedSet, op: number): boolean {
  const before = previous[op];
  return before < 0 || set.has(before);
}
