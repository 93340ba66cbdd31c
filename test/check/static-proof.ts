/**
 * The register model's static stale-read proof (Model.refute) run on each part of
 * a history directly: the search's tag guard now settles most small parts before
 * the checker would consult the proof, so tests of the proof call it themselves.
 */
import { normalizeEvents, type RawEvent } from '../../src/check/checker.js';
import { buildOperations } from '../../src/check/history.js';
import { registerModel } from '../../src/check/models/register.js';
import type { RegisterInput, RegisterOutput } from '../../src/check/models/register.js';
import { partitionByKey } from '../../src/check/partition.js';

/** Reasons the proof gives, over all parts (empty: it refutes nothing). */
export function staticRefutations(events: readonly RawEvent[]): string[] {
  const { ops } = buildOperations(normalizeEvents(events, 'history'), registerModel, 'history');
  const reasons: string[] = [];
  for (const part of partitionByKey(ops)) {
    const relevant = part.ops.filter((o) => !registerModel.isNoop?.(o.input as RegisterInput, o.output as RegisterOutput | undefined));
    const prepared = relevant.map((o) => ({ type: o.type, input: o.input as RegisterInput, output: o.output as RegisterOutput | undefined, call: o.call, ret: o.ret }));
    for (const r of registerModel.refute?.(prepared) ?? []) reasons.push(r.reason);
  }
  return reasons;
}
