import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUG_NAMES, PLANTED_BUGS } from '../../src/bugs.js';
import { ensureBuilt, runRaftsim } from '../helpers/build.js';

const raftsim = (...args: string[]) => runRaftsim(args);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-bugs-'));
});

describe('the registry', () => {
  it('has one entry per name, each with a description, the rule it breaks and where it lives', () => {
    expect(PLANTED_BUGS.map((bug) => bug.name)).toEqual([...BUG_NAMES]);
    expect(new Set(PLANTED_BUGS.map((bug) => bug.switch)).size).toBe(BUG_NAMES.length);
    for (const bug of PLANTED_BUGS) {
      expect(bug.description.length, bug.name).toBeGreaterThan(20);
      expect(bug.breaks.length, bug.name).toBeGreaterThan(20);
      expect(bug.where, bug.name).toMatch(/^(src|sim)\/\S+\.ts \w+/);
      const [file, fn] = bug.where.split(' ');
      const source = readFileSync(join(__dirname, '..', '..', file), 'utf8');
      expect(source, `${bug.name}: ${file} reads its switch`).toMatch(new RegExp(`(bugs\\??\\.${bug.switch}|${bug.switch === 'truncateOnEveryAppend' ? 'truncateAlways' : '\\$^'})`));
      expect(source, `${bug.name}: ${file} has ${fn}`).toContain(fn);
    }
  });
});

describe('raftsim bugs', () => {
  it('lists every bug with its description and the rule it breaks', () => {
    const { code, stdout } = raftsim('bugs');
    expect(code).toBe(0);
    for (const bug of PLANTED_BUGS) {
      expect(stdout).toMatch(new RegExp(`^${bug.name}\\s+${bug.description.slice(0, 20).replace(/[()']/g, '.')}`, 'm'));
      expect(stdout).toContain(`breaks: ${bug.breaks}`);
    }
  });

  it('--json prints one object naming every bug', () => {
    const { code, stdout } = raftsim('bugs', '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout);
    expect(parsed.bugs.map((bug: { name: string }) => bug.name)).toEqual([...BUG_NAMES]);
    expect(Object.keys(parsed.bugs[0])).toEqual(['name', 'description', 'breaks', 'where']);
  });
});

describe('--bug', () => {
  it('an unknown name is one line on stderr listing the valid names, exit 2', () => {
    for (const command of ['run', 'sweep']) {
      const args = command === 'run' ? ['run', 'happy', '--bug', 'nope'] : ['sweep', 'happy', '--seeds', '1..2', '--bug', 'nope'];
      const { code, stdout, stderr } = raftsim(...args);
      expect(code, command).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n'), command).toHaveLength(1);
      expect(stderr).toContain("unknown bug 'nope'");
      for (const name of BUG_NAMES) expect(stderr).toContain(name);
    }
  });

  it('run records the bug in its JSON and its trace, and replay switches it on again', () => {
    const trace = join(dir, 'reapply.json');
    const run = raftsim('run', 'nemesis', '--seed', '1', '--bug', 'reapply-after-restart', '--trace', trace, '--json');
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ scenario: 'nemesis', seed: 1, bug: 'reapply-after-restart', ok: false });
    expect(summary.violations[0].invariant).toBe('apply-order');
    const file = JSON.parse(readFileSync(trace, 'utf8'));
    expect(file).toMatchObject({ format: 'raftsim-trace', version: 1, seed: 1, bug: 'reapply-after-restart' });
    const replay = raftsim('replay', trace, '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ identical: true, bug: 'reapply-after-restart', ok: false });

    // The same trace without its bug field no longer replays: the field is what reproduces the run.
    const withoutBug = join(dir, 'reapply-without-bug.json');
    const { bug: _bug, ...rest } = file;
    writeFileSync(withoutBug, JSON.stringify(rest));
    expect(raftsim('replay', withoutBug).code).toBe(1);
  });

  it('a trace naming an unknown bug is refused, exit 2', () => {
    const trace = join(dir, 'happy.json');
    expect(raftsim('run', 'happy', '--seed', '1', '--trace', trace).code).toBe(0);
    const bad = join(dir, 'bad-bug.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(trace, 'utf8')), bug: 'nope' }));
    const { code, stderr } = raftsim('replay', bad);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('bug');
  });

  it('sweep prints the replay command with the bug for each failing seed', () => {
    const { code, stdout } = raftsim('sweep', 'nemesis', '--seeds', '1..2', '--bug', 'reapply-after-restart', '--no-repros');
    expect(code).toBe(1);
    expect(stdout).toContain('bug reapply-after-restart');
    expect(stdout).toContain('raftsim run nemesis --seed 1 --bug reapply-after-restart --trace failure.json');
  });
});
