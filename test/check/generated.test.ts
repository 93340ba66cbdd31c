/** Histories from a real sequential execution are linearizable; corrupting one read breaks them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/checker.js';
import { generateRegisterHistory } from '../../src/check/generate.js';

const shape = fc.record({
  seed: fc.integer(),
  ops: fc.integer({ min: 5, max: 120 }),
  processes: fc.integer({ min: 1, max: 6 }),
  keys: fc.integer({ min: 1, max: 3 }),
  infoRate: fc.constantFrom(0, 0.05, 0.2),
  tick: fc.constantFrom(1, 1, 3),
});

describe('generated register histories', () => {
  it('a real execution with random overlapping timing is always linearizable', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const { events } = generateRegisterHistory(s);
        expect(checkHistory(events, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('linearizable');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  for (const corrupt of ['bogus-read', 'stale-read'] as const) {
    it(`changing one read (${corrupt}) makes it never linearizable`, () => {
      let tried = 0;
      fc.assert(
        fc.property(shape, (s) => {
          const { events, corrupted } = generateRegisterHistory({ ...s, corrupt, infoRate: 0 });
          fc.pre(corrupted >= 0 && (corrupt === 'bogus-read' || events[corrupted].value !== -1));
          tried++;
          const result = checkHistory(events, { model: 'register', maxSteps: 10_000_000 });
          expect(result.verdict).toBe('not-linearizable');
          // The counterexample points at ops of the corrupted key.
          expect(result.counterexample?.keys).toEqual([events[corrupted].key]);
        }),
        { numRuns: 200, seed: 11 },
      );
      expect(tried).toBeGreaterThan(100);
    });
  }
});
