import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
