/**
 * A cheap static proof of non-linearizability, run before a part's search: the
 * states reachable from the initial one using the part's ops in any order, each
 * reusable (a superset of what any linearization visits). An ok op illegal in
 * all of them can never be placed: a read of a value nobody wrote, a cas from a
 * value nobody wrote. Skipped (no prune) when that closure gets too large.
 *
 * "Too large" is a property of the closure, not of the order it is explored in:
 * completing it takes one lookup per (state, op), so it fits iff it has at most
 * STATIC_STATES states and states * ops <= STATIC_WORK. The check therefore stops
 * as soon as it has found more states than that (typical of etcd parts, where
 * almost every write from the initial state makes a new revision), and as soon as
 * every ok op has been legal in some state found (nothing can be doomed): both
 * give exactly the answer the full closure would. Any order of ops gives it too, so
 * the writes are tried first: read-only ops rarely make a new state, and the cap is
 * hit after fewer lookups.
 */
import type { Transitions } from './intern.js';

/** Transition lookups the check may spend, and states it may collect. */
const STATIC_WORK = 1 << 18;
const STATIC_STATES = 1024;

/** Ok ops (local ids below nOk) illegal in every reachable state; [] when unsure. */
export function findDoomed(transitions: Transitions, initialState: number, n: number, nOk: number, readOnly: Uint8Array): number[] {
  const maxStates = Math.min(STATIC_STATES, Math.floor(STATIC_WORK / Math.max(n, 1)));
  const states: number[] = [initialState];
  const seen = new Set<number>(states);
  const legalSomewhere = new Uint8Array(nOk);
  let unplaced = nOk;
  const order = writesFirst(n, nOk, readOnly);
  for (let i = 0; i < states.length; i++) {
    for (const op of order) {
      const t = transitions.next(states[i], op);
      if (t < 0) continue;
      if (op < nOk && legalSomewhere[op] === 0) {
        legalSomewhere[op] = 1;
        if (--unplaced === 0) return [];
      }
      if (!seen.has(t)) {
        if (states.length >= maxStates) return [];
        seen.add(t);
        states.push(t);
      }
    }
  }
  const doomed: number[] = [];
  for (let op = 0; op < nOk; op++) if (legalSomewhere[op] === 0) doomed.push(op);
  return doomed;
}

/** Local ops: ok ones that may write, then info ones, then ok read-only ones (Model.isReadOnly). */
function writesFirst(n: number, nOk: number, readOnly: Uint8Array): Int32Array {
  const order = new Int32Array(n);
  let at = 0;
  for (let op = 0; op < nOk; op++) if (readOnly[op] === 0) order[at++] = op;
  for (let op = nOk; op < n; op++) order[at++] = op;
  for (let op = 0; op < nOk; op++) if (readOnly[op] !== 0) order[at++] = op;
  return order;
}
