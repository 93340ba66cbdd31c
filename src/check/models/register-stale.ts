/**
 * A static proof that a register read is stale, before any search (Model.refute).
 *
 * Claim: let R be an ok read of v, and W the only op in the part that can set the
 * register to v (a write of v, a cas to v, ok or info; or the initial state when v
 * is null and nothing writes null). If W returned before some ok op W2 that sets
 * the register (a write, or an ok cas, which did swap) was called, and W2 returned
 * before R was called, no linearization exists.
 *
 * Proof: real time orders W before W2 before R in every linearization. W2 leaves
 * the register at a value other than v (W2 is not W, and W is the only op that
 * sets v). A read does not change the register, so some op between W2 and R must
 * set it back to v: only W can, and W is before W2. Real-time precedence is strict
 * (equal times overlap), as in the search.
 *
 * Computed in O(n log n): for each time t the earliest return among ok setters
 * called after t (a suffix minimum over setters sorted by call).
 */
import type { PrepareOp, Refutation } from '../model.js';
import type { RegisterInput, RegisterOutput } from './register.js';

type Op = PrepareOp<RegisterInput, RegisterOutput>;

/** The value an op sets the register to when it takes effect, or undefined for a read. */
function sets(input: RegisterInput): string | undefined {
  if (input.f === 'write') return input.arg;
  if (input.f === 'cas') return input.arg2;
  return undefined;
}

function describe(input: RegisterInput): string {
  return input.f === 'cas' ? `cas ${input.arg} -> ${input.arg2}` : `${input.f} ${input.arg}`;
}

export function refuteStaleReads(ops: readonly Op[]): Refutation[] {
  const INITIAL = -1;
  // value -> its only setter (INITIAL for the initial null), or -2 when several.
  const setter = new Map<string, number>([['null', INITIAL]]);
  ops.forEach((o, i) => {
    const v = sets(o.input);
    if (v !== undefined) setter.set(v, setter.has(v) ? -2 : i);
  });
  // Ok setters sorted by call; after[k] = earliest return among setters[k..].
  const setters = ops.map((_, i) => i).filter((i) => ops[i].type === 'ok' && sets(ops[i].input) !== undefined);
  setters.sort((a, b) => ops[a].call - ops[b].call);
  const after = new Array<number>(setters.length + 1).fill(Infinity);
  const argAfter = new Array<number>(setters.length + 1).fill(-1);
  for (let k = setters.length - 1; k >= 0; k--) {
    const r = ops[setters[k]].ret;
    after[k] = Math.min(r, after[k + 1]);
    argAfter[k] = r <= after[k + 1] ? setters[k] : argAfter[k + 1];
  }
  /** The ok setter called after t that returns first, or -1. */
  const firstAfter = (t: number): number => {
    let lo = 0;
    let hi = setters.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ops[setters[mid]].call > t) hi = mid;
      else lo = mid + 1;
    }
    return argAfter[lo];
  };

  const refuted: Refutation[] = [];
  ops.forEach((o, i) => {
    if (o.type !== 'ok' || o.input.f !== 'read' || o.output === undefined || o.output === null) return;
    const w = setter.get(o.output);
    if (w === undefined || w === -2) return; // never set (findDoomed's case), or ambiguous
    const since = w === INITIAL ? -Infinity : ops[w].ret;
    if (!Number.isFinite(since) && w !== INITIAL) return; // an info setter may take effect any time
    const w2 = firstAfter(since);
    if (w2 < 0 || !(ops[w2].ret < o.call)) return;
    const over = ops[w2];
    const by = w === INITIAL ? 'the initial state (nothing writes null)' : `only ${describe(ops[w].input)}, which returned at ${since}`;
    refuted.push({
      op: i,
      reason: `reads ${o.output}, set by ${by}, but ${describe(over.input)} was called after that (at ${over.call}) and returned at ${over.ret}, before this read was called`,
    });
  });
  return refuted;
}
