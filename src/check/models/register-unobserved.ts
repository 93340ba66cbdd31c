/**
 * Info writes and cas ops of a register whose value nothing observes
 * (Model.unobserved): they can be treated as never having happened.
 *
 * Claim: let o be an info write of v, or an info cas to v, and suppose no ok read
 * returns v and no cas (ok or info) expects v. If the part has a linearization L
 * in which o takes effect, L without o is one too.
 * Proof: right after o the register holds v. The op after o in L (if any) is
 * legal in v: not a read (none returns v), not a cas (none expects v), so it is a
 * write, whose resulting value does not depend on the value before it. So L
 * without o passes through the same states from that write on, and before o
 * nothing changes; real-time order among the other ops is kept. The converse is
 * free: an info op may never take effect. Dropping several such ops at once is
 * dropping them one by one: leaving ops out never adds observers.
 *
 * What it relies on: a `fail` cas did not happen and is dropped before this (it
 * observes nothing here; in a model where a failed cas meant "value != expected",
 * leaving out a write could flip it). Ok writes are never dropped: they must
 * take effect, and overwriting is itself an effect a read may observe.
 *
 * Why: each info op stays pending to the end of the history, and every
 * configuration with it placed or not is a separate memo entry.
 */
import type { PrepareOp } from '../model.js';
import type { RegisterInput, RegisterOutput } from './register.js';

type Op = PrepareOp<RegisterInput, RegisterOutput>;

export function unobservedRegisterOps(ops: readonly Op[]): number[] {
  const observed = new Set<string>();
  for (const o of ops) {
    if (o.input.f === 'read' && o.type === 'ok' && o.output !== undefined && o.output !== null) observed.add(o.output);
    if (o.input.f === 'cas') observed.add(o.input.arg);
  }
  const dropped: number[] = [];
  ops.forEach((o, i) => {
    if (o.type !== 'info') return;
    const v = o.input.f === 'write' ? o.input.arg : o.input.f === 'cas' ? o.input.arg2 : undefined;
    if (v !== undefined && !observed.has(v)) dropped.push(i);
  });
  return dropped;
}
