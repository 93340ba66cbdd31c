import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { junitReport, type JunitSweep } from '../src/cli/junit.js';
import type { SeedOutcome } from '../sim/sweep.js';

const outcome = (seed: number, extra: Partial<SeedOutcome> = {}): SeedOutcome => ({
  seed,
  ok: true,
  violations: [],
  events: 100,
  simulatedMs: 1000,
  wallMs: 12.3456,
  checkMs: 1,
  cold: false,
  undecided: false,
  ...extra,
});

const sweep = (outcomes: SeedOutcome[]): JunitSweep => ({
  scenario: 'my<scenario>',
  seeds: { from: 1, to: 3 },
  outcomes,
  wallMs: 2500,
  replay: (seed) => `raftsim run s.json --seed ${seed}`,
  reproOf: () => undefined,
});

const casesOf = (xml: string) => new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(xml).testsuites.testsuite.testcase;

describe('a sweep as a JUnit report', () => {
  it('lists the seeds in order whatever order the workers finished them in, with their times in seconds', () => {
    const xml = junitReport(sweep([outcome(3), outcome(1), outcome(2)]));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(casesOf(xml).map((c: Record<string, string>) => [c['@_name'], c['@_time']])).toEqual([
      ['seed 1', '0.012'],
      ['seed 2', '0.012'],
      ['seed 3', '0.012'],
    ]);
    expect(xml).toContain('<testsuites name="raftsim sweep" tests="3" failures="0" errors="0" skipped="0" time="2.500">');
  });

  it('says in its output that an undecided seed passed without a verdict, and how to decide it', () => {
    const [decided, undecided] = casesOf(junitReport(sweep([outcome(1), outcome(2, { undecided: true })])));
    expect(decided['system-out']).toBeUndefined();
    expect(undecided['system-out']).toBe("passed undecided: the linearizability check's step budget ran out; raftsim run s.json --seed 2 shows how to decide it");
  });

  it('escapes what XML must escape and drops what XML cannot hold, so any message makes a valid report', () => {
    const violations = [{ invariant: 'liveness' as const, message: 'no leader <within> 5 ms & \u0001beyond "quotes"', time: 7 }];
    const xml = junitReport(sweep([outcome(1, { ok: false, violations })]));
    expect(XMLValidator.validate(xml)).toBe(true);
    const [failed] = casesOf(xml);
    expect(failed['@_classname']).toBe('raftsim.my<scenario>');
    expect(failed.failure['@_message']).toBe('liveness at 7 ms: no leader <within> 5 ms & beyond "quotes"');
    expect(failed.failure['#text']).toBe('liveness at 7 ms: no leader <within> 5 ms & beyond "quotes"\n\nreplay: raftsim run s.json --seed 1');
  });
});
