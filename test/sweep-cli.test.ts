import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runRaftsim } from './helpers/build.js';

let dir: string;
const raftsim = (...args: string[]) => runRaftsim(args, dir);
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-sweep-'));
});

describe('raftsim sweep at scale', () => {
  it('finds the same failing seeds on one worker and on two', () => {
    const args = ['sweep', 'nemesis', '--seeds', '1..8', '--bug', 'uncapped-follower-commit', '--json'];
    const one = JSON.parse(raftsim(...args, '--workers', '1').stdout);
    const two = JSON.parse(raftsim(...args, '--workers', '2').stdout);
    expect(two.workers).toBe(2);
    expect(one.failures.length).toBeGreaterThan(0);
    expect(one.failures.length).toBeLessThan(8);
    expect(two.failures).toEqual(one.failures);
    expect(two.failuresByCheck).toEqual(one.failuresByCheck);
    // By default every failing seed leaves a repro file behind; the second sweep never overwrote the first's.
    expect(one.repros.length).toBe(one.failures.length);
    expect(two.repros.filter((file: string) => one.repros.includes(file))).toEqual([]);
    expect(JSON.parse(raftsim(...args, '--no-repros').stdout).repros).toEqual([]);
  });

  it('runs only its shard of the seeds, counted from 0', () => {
    const shard = JSON.parse(raftsim('sweep', 'happy', '--seeds', '1..6', '--shard', '1/3', '--json').stdout);
    expect(shard).toMatchObject({ seeds: { from: 3, to: 4 }, runs: 2, shard: '1/3' });
    const bad = raftsim('sweep', 'happy', '--seeds', '1..6', '--shard', '3/3');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('raftsim: --shard: shard 3 does not exist: with 3 shards they are 0..2');
  });

  it('stops handing out seeds when its time budget is spent, and says which ran', () => {
    const boxed = JSON.parse(raftsim('sweep', 'happy', '--seeds', '1..100000', '--for', '1s', '--no-repros', '--json').stdout);
    expect(boxed).toMatchObject({ timeBudgetMs: 1000, requested: { from: 1, to: 100000 }, stoppedEarly: true, seeds: { from: 1 } });
    expect(boxed.runs).toBeGreaterThan(0);
    expect(boxed.seeds.to).toBe(boxed.runs);
    const text = raftsim('sweep', 'happy', '--seeds', '1..100000', '--for', '500ms', '--no-repros').stdout;
    expect(text).toMatch(/^happy {2}seeds 1\.\.\d+ \(the 500ms budget ran out; 1\.\.100000 asked\): \d+ runs?, 0 failed/);
    const bad = raftsim('sweep', 'happy', '--seeds', '1..5', '--for', 'later');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('raftsim: --for: invalid duration "later" (expected e.g. 500ms, 30s, 2m)');
  });

  it('writes a repro file for every failing seed, which replays with the identical trace hash', () => {
    const sweep = raftsim('sweep', 'nemesis', '--seeds', '1..2', '--bug', 'reapply-after-restart', '--repro-dir', 'repros');
    expect(sweep.code).toBe(1);
    expect(sweep.stdout).toMatch(/check +failing seeds\n +apply-order +2 +first: 1, 2/);
    const files = readdirSync(join(dir, 'repros')).sort();
    expect(files).toEqual(['nemesis-seed-1-reapply-after-restart.repro.json', 'nemesis-seed-2-reapply-after-restart.repro.json']);
    const repro = JSON.parse(readFileSync(join(dir, 'repros', files[0]), 'utf8'));
    expect(repro).toMatchObject({ format: 'raftsim-repro', bug: 'reapply-after-restart', check: 'apply-order', seed: 1 });
    expect(repro.scenario.nemesis).toBeUndefined();
    const replay = raftsim('replay', join('repros', files[0]), '--json');
    expect(JSON.parse(replay.stdout)).toMatchObject({ identical: true, reproduced: true });
    // A second sweep never overwrites the first one's files.
    raftsim('sweep', 'nemesis', '--seeds', '1..1', '--bug', 'reapply-after-restart', '--repro-dir', 'repros');
    expect(existsSync(join(dir, 'repros', 'nemesis-seed-1-reapply-after-restart.2.repro.json'))).toBe(true);
  });
});

describe('raftsim sweep --junit', () => {
  const parse = (xml: string) => new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' || name === 'property' }).parse(xml);

  it('reports a test case per seed for CI, a failing seed as a failure that says how to replay it', () => {
    const sweep = raftsim('sweep', 'nemesis', '--seeds', '1..6', '--bug', 'uncapped-follower-commit', '--repro-dir', 'junit-repros', '--junit', 'report.xml', '--json');
    expect(sweep.code).toBe(1);
    const summary = JSON.parse(sweep.stdout);
    expect(summary.junit).toBe('report.xml');
    const xml = readFileSync(join(dir, 'report.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    expect(suite['@_name']).toBe('nemesis --bug uncapped-follower-commit');
    expect(Number(suite['@_tests'])).toBe(6);
    expect(Number(suite['@_failures'])).toBe(summary.failures.length);
    expect(suite.properties.property).toContainEqual({ '@_name': 'seeds', '@_value': '1..6' });
    const cases = suite.testcase as { '@_name': string; '@_classname': string; failure?: { '@_type': string; '@_message': string; '#text': string } }[];
    expect(cases.map((c) => c['@_name'])).toEqual(['seed 1', 'seed 2', 'seed 3', 'seed 4', 'seed 5', 'seed 6']);
    expect(cases.every((c) => c['@_classname'] === 'raftsim.nemesis')).toBe(true);
    const failed = cases.filter((c) => c.failure);
    expect(failed.map((c) => Number(c['@_name'].slice(5)))).toEqual(summary.failures.map((f: { seed: number }) => f.seed));
    for (const [i, c] of failed.entries()) {
      const first = summary.failures[i].violations[0];
      expect(c.failure!['@_type']).toBe(first.invariant);
      expect(c.failure!['@_message']).toBe(`${first.invariant} at ${first.time} ms: ${first.message}`);
      expect(c.failure!['#text']).toContain(`replay: raftsim run nemesis --seed ${summary.failures[i].seed} --bug uncapped-follower-commit`);
      expect(c.failure!['#text']).toContain(`repro file: ${summary.repros[i]}`);
    }
    expect(raftsim('sweep', 'nemesis', '--seeds', '1..2', '--junit', 'report.xml').stdout).toContain('JUnit report (2 test cases) written to report.xml');
  });

  it('refuses to write the report over the scenario file or the trace', () => {
    const refused = raftsim('sweep', 'happy', '--seeds', '1..2', '--trace', 'same.xml', '--junit', 'same.xml');
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe('raftsim: refusing to write same.xml: it is also same.xml, an input or another output');
  });
});

describe('raftsim shrink with a planted bug', () => {
  it('shrinks the bug run and the repro switches the bug on again', () => {
    const shrunk = raftsim('shrink', 'nemesis', '--seed', '1', '--bug', 'reapply-after-restart', '-o', 'bug.repro.json', '--json');
    expect(shrunk.code).toBe(1);
    const summary = JSON.parse(shrunk.stdout);
    expect(summary.check).toBe('apply-order');
    expect(summary.after.faults).toBeLessThanOrEqual(2);
    expect(JSON.parse(readFileSync(join(dir, 'bug.repro.json'), 'utf8')).bug).toBe('reapply-after-restart');
    expect(JSON.parse(raftsim('replay', 'bug.repro.json', '--json').stdout)).toMatchObject({ identical: true, reproduced: true, check: 'apply-order' });
  });
});
