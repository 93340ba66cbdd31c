/**
 * A cheap static proof of non-linearizability, run before a part's search: the
 * states reachable from the initial one using the part's ops in any order, each
 * reusable (a superset of what any linearization visits). An ok op illegal in
 * all of them can never be placed: a read of a value nobody wrote, a cas from a
 * value nobody wrote. Skipped (no prune) when that closure gets too large.
 */
import type { Transitions } from './intern.js';

/** Transition lookups the check may spend, and states it may collect. */
const STATIC_WORK = 1 << 18;
const STATIC_STATES = 1024;

/** Ok ops (local ids below nOk) illegal in every reachable state; [] when unsure. */
export function findDoomed(transitions: Transitions, initialState: number, n: number, nOk: number): number[] {
  const states: number[] = [initialState];
  const seen = new Set<number>(states);
  let work = 0;
  for (let i = 0; i < states.length; i++) {
    for (let op = 0; op < n; op++) {
      if (++work > STATIC_WORK) return [];
      const t = transitions.next(states[i], op);
      if (t >= 0 && !seen.has(t)) {
        if (states.length >= STATIC_STATES) return [];
        seen.add(t);
        states.push(t);
      }
    }
  }
  const doomed: number[] = [];
  for (let op = 0; op < nOk; op++) {
    if (!states.some((s) => transitions.next(s, op) >= 0)) doomed.push(op);
  }
  return doomed;
}
