/** The register's static stale-read proof (register-stale.ts): what it refutes, and what it must not. */
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';
import { staticRefutations } from './static-proof.js';

/** An op over [call, ret]; ret null: info. */
const op = (process: number, f: string, value: unknown, call: number, ret: number | null, result: unknown = value): RawEvent[] => [
  { process, type: 'invoke', f, key: 'x', value: f === 'read' ? null : value, time: call },
  { process, type: ret === null ? 'info' : 'ok', f, key: 'x', value: ret === null ? value : result, time: ret ?? call },
];
/** Events sorted by time, invokes first at equal times (a well-formed history). */
const history = (...ops: RawEvent[][]) => ops.flat().sort((a, b) => (a.time as number) - (b.time as number) || (a.type === 'invoke' ? -1 : 1));
// One-step slices: the proof is consulted whenever the search does not settle the part at once.
const check = (events: RawEvent[]) => checkHistory(events, { model: 'register', sliceSteps: 1 });
// The search (its tag guard) settles these small parts before the checker consults the proof, so ask it directly.
const reasons = (events: RawEvent[]) => staticRefutations(events);

describe('register stale-read proof', () => {
  it('refutes a read of a value overwritten before it began, naming both writes', () => {
    const h = history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 3), op(2, 'read', null, 4, 5, 1));
    expect(check(h).verdict).toBe('not-linearizable');
    expect(reasons(h)).toEqual(['reads 1, set by only write 1, which returned at 1, but write 2 was called after that (at 2) and returned at 3, before this read was called']);
    // A swapping cas overwrites too; the initial null is overwritten by any completed write.
    const cas = history(op(0, 'write', 1, 0, 1), op(1, 'cas', [1, 2], 2, 3), op(2, 'read', null, 4, 5, 1));
    expect(check(cas).verdict).toBe('not-linearizable');
    const initial = history(op(0, 'write', 1, 0, 1), op(2, 'read', null, 2, 3, null));
    expect(reasons(initial)[0]).toMatch(/^reads null, set by the initial state/);
  });

  it('does not refute what some linearization allows', () => {
    const linearizable = (events: RawEvent[]) => {
      expect(reasons(events)).toEqual([]);
      return check(events);
    };
    // Another, concurrent write of 1 may come after the overwrite.
    expect(linearizable(history(op(0, 'write', 1, 0, 10), op(3, 'write', 1, 1, 2), op(1, 'write', 2, 3, 4), op(2, 'read', null, 5, 6, 1))).verdict).toBe('linearizable');
    // The overwrite overlaps the read, or the first write.
    expect(linearizable(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 5), op(2, 'read', null, 4, 6, 1))).verdict).toBe('linearizable');
    expect(linearizable(history(op(0, 'write', 1, 0, 3), op(1, 'write', 2, 2, 4), op(2, 'read', null, 5, 6, 1))).verdict).toBe('linearizable');
    // Equal times overlap: a write returning when the read is called may come after it.
    expect(linearizable(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, 4), op(2, 'read', null, 4, 6, 1))).verdict).toBe('linearizable');
    // An overwrite of unknown outcome may never have happened.
    expect(linearizable(history(op(0, 'write', 1, 0, 1), op(1, 'write', 2, 2, null), op(2, 'read', null, 4, 5, 1))).verdict).toBe('linearizable');
    // A null write makes the initial state's value reachable again.
    expect(linearizable(history(op(0, 'write', 1, 0, 1), op(1, 'write', null, 2, 3), op(2, 'read', null, 4, 5, null))).verdict).toBe('linearizable');
  });
});
