import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runRaftsim } from './helpers/build.js';

const raftsim = (...args: string[]) => runRaftsim(args);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-cli-'));
});

describe('raftsim list', () => {
  it('names every built-in scenario with a description', () => {
    const { code, stdout } = raftsim('list');
    expect(code).toBe(0);
    for (const name of ['happy', 'leader-crash', 'partition-minority', 'partition-leader', 'flaky-network', 'crash-restart', 'nemesis']) {
      expect(stdout).toMatch(new RegExp(`^${name}\\s+\\S`, 'm'));
    }
  });
});

describe('raftsim run', () => {
  it('prints exactly one JSON object with the documented fields', () => {
    const { code, stdout } = raftsim('run', 'happy', '--seed', '3', '--json');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(Object.keys(summary)).toEqual(['scenario', 'seed', 'ok', 'violations', 'stats', 'traceHash', 'linearizability']);
    expect(summary).toMatchObject({ scenario: 'happy', seed: 3, ok: true, violations: [] });
    expect(summary.stats).toMatchObject({ events: expect.any(Number), wallMs: expect.any(Number), ops: { fail: 0 } });
    // Without faults nothing times out: the only unknowns are the clients' ops still open when the run ends.
    expect(summary.stats.ops.info).toBeLessThanOrEqual(3);
    // The fault phase, then the liveness phase until a stable leader and a client's completed operation.
    expect(summary.stats.simulatedMs).toBeGreaterThanOrEqual(5000);
    expect(summary.stats.ops.ok).toBeGreaterThan(100);
    expect(summary.linearizability).toMatchObject({ model: 'etcd', verdict: 'linearizable', ops: summary.stats.ops.ok + summary.stats.ops.info, parts: 1 });
    expect(summary.traceHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('prints a human summary by default', () => {
    const { code, stdout } = raftsim('run', 'leader-crash', '--seed', '2');
    expect(code).toBe(0);
    expect(stdout).toContain('leader-crash  seed 2  OK');
    expect(stdout).toMatch(/trace hash [0-9a-f]{16}/);
  });

  it('runs a JSON scenario file', () => {
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify({ name: 'mine', nodes: 3, durationMs: 2000, faults: [{ at: 500, action: 'crash', node: 'leader' }] }));
    const { code, stdout } = raftsim('run', file, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout).scenario).toBe('mine');
  });

  it.each([
    ['an unknown scenario', ['run', 'no-such-thing'], /unknown scenario 'no-such-thing'/],
    ['a bad seed', ['run', 'happy', '--seed', 'x'], /--seed/],
  ])('exits 2 on %s', (_what, args, message) => {
    const { code, stderr } = raftsim(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it.each([
    ['broken JSON', '{"name": "x",\n  "nodes": 3,,}', /bad\.json: line 2, column \d+: invalid JSON/],
    ['an unknown field', '{"name": "x", "nodez": 3}', /bad\.json: field nodez: unknown field/],
    ['a wrong type', '{"name": "x", "nodes": "three"}', /bad\.json: field nodes: /],
    ['a node that does not exist', '{"name": "x", "faults": [{"at": 1, "action": "crash", "node": 9}]}', /bad\.json: field faults\[0\]\.node: node 9 does not exist/],
    ['an unknown fault', '{"name": "x", "faults": [{"at": 1, "action": "explode"}]}', /bad\.json: field faults\[0\]\.action: /],
  ])('rejects a scenario file with %s in one line, exit 2', (_what, text, message) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, text);
    const { code, stderr, stdout } = raftsim('run', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('refuses to write the trace over its own scenario file', () => {
    const file = join(dir, 'keep.json');
    const text = JSON.stringify({ name: 'keep', durationMs: 500 });
    writeFileSync(file, text);
    expect(raftsim('run', file, '--trace', file).code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });
});

describe('raftsim sweep', () => {
  it('runs every seed and summarizes as one JSON object', () => {
    const { code, stdout } = raftsim('sweep', 'flaky-network', '--seeds', '1..5', '--json');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ scenario: 'flaky-network', seeds: { from: 1, to: 5 }, runs: 5, failures: [] });
    expect(summary.stats.eventsPerSecond).toBeGreaterThan(0);
    // flaky-network has KV clients: every run checks a history, inside its own wall time.
    expect(summary.stats.checkMs).toBeGreaterThan(0);
    expect(summary.stats.slowest.seed).toBeGreaterThanOrEqual(1);
    expect(summary.stats.slowest.seed).toBeLessThanOrEqual(5);
    expect(summary.stats.slowest.checkMs).toBeLessThanOrEqual(summary.stats.slowest.wallMs);
  });

  it('names the slowest seed and how much of the time went to checking histories', () => {
    const { code, stdout } = raftsim('sweep', 'flaky-network', '--seeds', '1..3', '--workers', '1', '--no-repros');
    expect(code).toBe(0);
    expect(stdout).toMatch(/slowest seed [123]: [\d,]+ ms \([\d,]+ ms checking\); checking histories took \d+% of the run time/);
  });

  it('rejects a malformed seed range', () => {
    expect(raftsim('sweep', 'happy', '--seeds', '5..1').code).toBe(2);
    expect(raftsim('sweep', 'happy', '--seeds', 'many').code).toBe(2);
  });
});

describe('raftsim check', () => {
  it('a step budget gives the same verdict on every machine; a bad one is one line, exit 2', () => {
    const file = join(dir, 'small.jsonl');
    const events = [
      { process: 0, type: 'invoke', f: 'write', value: 1 },
      { process: 0, type: 'ok', f: 'write', value: 1 },
      { process: 1, type: 'invoke', f: 'read', value: null },
      { process: 1, type: 'ok', f: 'read', value: 1 },
    ];
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n'));
    const { code, stdout } = raftsim('check', file, '--model', 'register', '--max-steps', '1000', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ verdict: 'linearizable', steps: expect.any(Number) });
    for (const bad of ['0', '-5', 'lots']) {
      const rejected = raftsim('check', file, '--model', 'register', '--max-steps', bad);
      expect(rejected.code).toBe(2);
      expect(rejected.stderr.trim().split('\n')[0]).toMatch(/--max-steps/);
    }
  });
});

describe('raftsim check --model etcd and serializable reads', () => {
  it('passes a stale one and fails one that returns a state the key never had', () => {
    const history = (value: string) => [
      { process: 0, type: 'invoke', f: 'put', key: 'a', value: { value: 'x' } },
      { process: 0, type: 'ok', f: 'put', key: 'a', value: { value: 'x', revision: 2 } },
      { process: 0, type: 'invoke', f: 'put', key: 'a', value: { value: 'y' } },
      { process: 0, type: 'ok', f: 'put', key: 'a', value: { value: 'y', revision: 3 } },
      { process: 1, type: 'invoke', f: 'get', key: 'a', value: { serializable: true } },
      { process: 1, type: 'ok', f: 'get', key: 'a', value: { value, version: 1, createRevision: 2, modRevision: 2 } },
    ];
    const write = (name: string, value: string) => {
      const file = join(dir, name);
      writeFileSync(file, history(value).map((e) => JSON.stringify(e)).join('\n'));
      return file;
    };
    expect(raftsim('check', write('stale.jsonl', 'x'), '--model', 'etcd').code).toBe(0);
    const invented = raftsim('check', write('invented.jsonl', 'z'), '--model', 'etcd');
    expect(invented.code).toBe(1);
    expect(invented.stdout).toContain('a serializable read returned a state that never was');
    expect(invented.stdout).toContain('op 2 serializable get a -> "z" mod=2 returned a state the key never had');
  });
});

describe('raftsim check --every-write', () => {
  it('checks a simulator history as the run did: a skipped revision fails only when every write is known to be in it', () => {
    const buggy = join(dir, 'bumps.jsonl');
    expect(raftsim('run', 'nemesis', '--seed', '1', '--bug', 'empty-write-bumps-revision', '--history', buggy).code).toBe(1);
    expect(raftsim('check', buggy, '--model', 'etcd').code).toBe(0);
    const strict = raftsim('check', buggy, '--model', 'etcd', '--every-write');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/revision \d+ was made by no write/);
    const clean = join(dir, 'clean.jsonl');
    expect(raftsim('run', 'nemesis', '--seed', '1', '--history', clean).code).toBe(0);
    expect(raftsim('check', clean, '--model', 'etcd', '--every-write').code).toBe(0);
    const wrongModel = raftsim('check', clean, '--model', 'register', '--every-write');
    expect(wrongModel.code).toBe(2);
    expect(wrongModel.stderr.trim()).toMatch(/--every-write .* needs --model etcd/);
  });
});

describe('raftsim story', () => {
  it('tells a trace in lines, within a window, as JSON too; a bad file is one line, exit 2', () => {
    const trace = join(dir, 'story-trace.json');
    expect(raftsim('run', 'leader-crash', '--seed', '1', '--trace', trace).code).toBe(0);
    const { code, stdout } = raftsim('story', trace);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^leader-crash {2}seed 1 {2}OK: 5 nodes, [\d,]+ ms simulated$/);
    expect(stdout).toMatch(/^ *[\d,]+ ms {2}node \d is leader of term 1, with votes from \d, \d and its own$/m);
    expect(stdout).toMatch(/^ *2,000 ms {2}✖ node \d crashes: /m);
    expect(lines.at(-3)).toMatch(/^ {2}\d+ leader changes up to term \d+; [\d,]+ entries committed/);
    expect(lines.at(-1)).toBe('  their history (register model): linearizable');
    const json = JSON.parse(raftsim('story', trace, '--from', '1900', '--to', '2200', '--json').stdout);
    expect(json).toMatchObject({ scenario: 'leader-crash', seed: 1, ok: true });
    expect(json.lines.every((line: { t: number }) => line.t >= 1900 && line.t <= 2200)).toBe(true);
    expect(json.lines.length).toBeGreaterThan(0);
    const last = JSON.parse(raftsim('story', trace, '--last', '100', '--json').stdout);
    const end = Math.max(...JSON.parse(readFileSync(trace, 'utf8')).events.map((e: { t: number }) => e.t));
    expect(last.lines.length).toBeGreaterThan(0);
    expect(last.lines.every((line: { t: number }) => line.t >= end - 100)).toBe(true);
    const bad = raftsim('story', join(dir, 'no-such-trace.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/no-such-trace\.json: no such file$/);
  });
});

describe('a file that cannot be read', () => {
  it('is one line naming it and saying why, exit 2, for every command that reads one', () => {
    const folder = join(dir, 'a-folder.json');
    mkdirSync(folder, { recursive: true });
    for (const command of ['run', 'replay', 'view', 'story', 'playground']) {
      const missing = raftsim(command, join(dir, 'missing.json'));
      expect(missing.code, command).toBe(2);
      expect(missing.stderr.trim().split('\n'), command).toEqual([`raftsim: ${join(dir, 'missing.json')}: no such file`]);
      const directory = raftsim(command, folder);
      expect(directory.code, command).toBe(2);
      expect(directory.stderr.trim(), command).toBe(`raftsim: ${folder}: is a directory, not a file`);
    }
  });
});

describe('raftsim replay', () => {
  it('confirms an identical trace hash', () => {
    const trace = join(dir, 'trace.json');
    expect(raftsim('run', 'crash-restart', '--seed', '4', '--trace', trace).code).toBe(0);
    const { code, stdout } = raftsim('replay', trace);
    expect(code).toBe(0);
    expect(stdout).toContain('identical trace');
  });

  it('names the first divergent event when the trace differs', () => {
    const trace = join(dir, 'tampered.json');
    expect(raftsim('run', 'happy', '--seed', '1', '--trace', trace).code).toBe(0);
    const file = JSON.parse(readFileSync(trace, 'utf8'));
    file.events[40].t += 1;
    file.traceHash = '0000000000000000';
    writeFileSync(trace, JSON.stringify(file));
    const { code, stdout } = raftsim('replay', trace, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.identical).toBe(false);
    expect(report.firstDivergence.index).toBe(40);
  });

  it('rejects a file that is not a trace, exit 2', () => {
    const file = join(dir, 'not-a-trace.json');
    writeFileSync(file, JSON.stringify({ format: 'something-else' }));
    const { code, stderr } = raftsim('replay', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/not-a-trace\.json: field format: /);
  });
});
