import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { parseReproFile, serializeReproFile, toReproFile } from '../../sim/repro-file.js';
import { defineScenario, type Scenario } from '../../sim/scenario.js';
import { explicitSchedule, NothingToShrink, shrink } from '../../sim/shrink.js';
import { runScenario } from '../../sim/simulation.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';

/**
 * A planted failure: the liveness bound (80 ms) is shorter than an election, so a run
 * fails exactly when the cluster is still without a stable leader as the faults heal.
 * Most of the nemesis's faults have nothing to do with that.
 */
const tightLiveness: Scenario = defineScenario({
  name: 'tight-liveness',
  nodes: 5,
  durationMs: 4000,
  livenessMs: 80,
  workload: { type: 'register', clients: 3 },
  nemesis: { intervalMs: 300, faults: ['partition', 'pause', 'flaky', 'crash'] },
});
const FAILING_SEED = 6;

describe('an explicit schedule', () => {
  it.each([1, 2, 3])('replays what the nemesis did exactly (nemesis seed %i): the same trace hash', (seed) => {
    const nemesis = findScenario('nemesis')!;
    const original = runScenario(nemesis, { seed, trace: 'hash' });
    expect(original.faults.length).toBeGreaterThan(5);
    // Every node reference is resolved: the schedule no longer depends on who leads.
    for (const fault of original.faults) if ('node' in fault) expect(fault.node === 'all' || typeof fault.node === 'number').toBe(true);
    const replayed = runScenario(explicitSchedule(nemesis, original), { seed, trace: 'hash' });
    expect(replayed.traceHash).toBe(original.traceHash);
  });
});

describe('shrinking', () => {
  const result = shrink(tightLiveness, { seed: FAILING_SEED });

  it('keeps the failure: the shrunk scenario fails the same check under the same seed', () => {
    expect(result.check).toBe('liveness');
    // Candidates kept failing under it, so the shrinker never had reason to try another.
    expect(result.seed).toBe(FAILING_SEED);
    const rerun = runScenario(result.scenario, { seed: FAILING_SEED, trace: 'hash' });
    expect(rerun.violations[0]?.invariant).toBe('liveness');
    expect(rerun.traceHash).toBe(result.traceHash);
  });

  it('makes the run smaller on every axis it can: faults, length, and the clients, which a liveness failure does not need', () => {
    expect(result.before.faults).toBeGreaterThan(5);
    expect(result.after.faults).toBeLessThan(result.before.faults);
    expect(result.after.durationMs).toBeLessThan(result.before.durationMs / 2);
    // No leader in time fails without any client: plain proposals replace them.
    expect(result.scenario.workload).toEqual({ type: 'proposals', intervalMs: 50 });
    expect(result.after).toMatchObject({ ops: 0, clients: 0 });
    expect(result.scenario.nemesis).toBeUndefined();
    expect(result.complete).toBe(true);
  });

  it('leaves a 1-minimal schedule: without any one of its faults the run no longer fails that way', () => {
    const faults = result.scenario.faults;
    expect(faults.length).toBeGreaterThan(0);
    faults.forEach((_, i) => {
      const without = { ...result.scenario, faults: faults.filter((__, j) => j !== i) };
      const run = runScenario(without, { seed: FAILING_SEED, trace: 'off' });
      expect(run.violations[0]?.invariant === 'liveness', `fault ${i} is needed`).toBe(false);
    });
  });

  it('stops at its run budget with the smallest failure found so far', () => {
    const limited = shrink(tightLiveness, { seed: FAILING_SEED, maxRuns: 4 });
    expect(limited.complete).toBe(false);
    expect(limited.runs).toBeLessThanOrEqual(5);
    expect(runScenario(limited.scenario, { seed: FAILING_SEED, trace: 'off' }).violations[0]?.invariant).toBe('liveness');
  });

  it('first cuts a safety violation\'s run right after the violation was seen: every later fault goes in one run', () => {
    // A stale read (nemesis seed 3 with reads served without ReadIndex): seen when the read that cannot be placed returned.
    const nemesis = findScenario('nemesis')!;
    const run = { bug: 'local-linearizable-read' } as const;
    const original = runScenario(nemesis, { seed: 3, trace: 'off', ...run });
    const returned = original.linearizability?.counterexample?.detail.impossible.flatMap((op) => (op.ret === null ? [] : [op.ret])) ?? [];
    const seenAt = Math.ceil(Math.max(...returned));
    expect(seenAt).toBeLessThan(nemesis.durationMs - 1000);
    // The original run, its explicit schedule, then the cut.
    const cut = shrink(nemesis, { seed: 3, run, maxRuns: 3 });
    expect(cut.check).toBe('linearizability');
    expect(cut.after.durationMs).toBe(seenAt + 1);
    expect(cut.after.faults).toBeLessThan(cut.before.faults);
    expect(Math.max(...cut.scenario.faults.map((fault) => fault.at))).toBeLessThanOrEqual(seenAt + 1);
  });

  it('refuses a seed that passes', () => {
    expect(() => shrink(findScenario('happy')!, { seed: 1 })).toThrow(NothingToShrink);
  });
});

describe('re-seeding a failure that hangs on timing', () => {
  // Two leaders of one term from a vote that never reached the disk: the voter must crash
  // between two candidates' requests, so removing any fault moves the election it needs.
  const nemesis = findScenario('nemesis')!;
  const doubleVote = { seed: 4, run: { bug: 'vote-before-persist' }, maxRuns: 150 } as const;
  const kept = shrink(nemesis, { ...doubleVote, reseed: false });
  const reseeded = shrink(nemesis, doubleVote);

  it('finds a far smaller schedule under another seed than it can under the seed given', () => {
    expect(kept.seed).toBe(4);
    expect(kept.after.faults).toBeGreaterThan(100);
    expect(reseeded.seed).not.toBe(4);
    expect(reseeded.after.faults).toBeLessThan(kept.after.faults / 3);
  });

  it('answers with the seed its repro fails under: the same check, the same trace hash', () => {
    const rerun = runScenario(reseeded.scenario, { seed: reseeded.seed, trace: 'hash', bug: 'vote-before-persist' });
    expect(rerun.violations[0]?.invariant).toBe('election-safety');
    expect(rerun.traceHash).toBe(reseeded.traceHash);
  });
});

describe('runs without the history checks (what the shrinker asks of a Raft-invariant failure)', () => {
  const nemesis = findScenario('nemesis')!;

  it('simulate exactly the same run, and only skip the end-of-run checks of the clients\' history', () => {
    const whole = runScenario(nemesis, { seed: 1, trace: 'hash' });
    const bare = runScenario(nemesis, { seed: 1, trace: 'hash', historyChecks: false });
    expect(bare.traceHash).toBe(whole.traceHash);
    expect(bare.stats.events).toBe(whole.stats.events);
    expect(whole.linearizability?.verdict).toBe('linearizable');
    expect(bare.linearizability).toBeNull();
  });

  it('still catch an in-run violation, and no longer a history one', () => {
    const doubleLeader = { seed: 4, trace: 'off', bug: 'vote-before-persist' } as const;
    expect(runScenario(nemesis, { ...doubleLeader, historyChecks: false }).violations).toEqual(runScenario(nemesis, doubleLeader).violations);
    const staleRead = { seed: 3, trace: 'off', bug: 'local-linearizable-read' } as const;
    expect(runScenario(nemesis, staleRead).violations[0]?.invariant).toBe('linearizability');
    expect(runScenario(nemesis, { ...staleRead, historyChecks: false }).ok).toBe(true);
  });
});

describe('repro files', () => {
  const result = shrink(tightLiveness, { seed: FAILING_SEED });
  const text = serializeReproFile(toReproFile(tightLiveness.name, result));

  it('round-trip through their schema', () => {
    const parsed = parseReproFile(text, 'r.json');
    expect(parsed.scenario).toEqual(JSON.parse(JSON.stringify(result.scenario)));
    expect(parsed).toMatchObject({ format: 'raftsim-repro', version: 1, seed: FAILING_SEED, check: 'liveness', traceHash: result.traceHash });
  });

  it('name the file and the field that is wrong', () => {
    const data = JSON.parse(text);
    expect(() => parseReproFile(JSON.stringify({ ...data, version: 2 }), 'r.json')).toThrow(/^r\.json: field version/);
    data.scenario.faults[0] = { at: 10, action: 'crash', node: 9 };
    expect(() => parseReproFile(JSON.stringify(data), 'r.json')).toThrow(/^r\.json: scenario: field faults\[0\]\.node: node 9 does not exist/);
    expect(() => parseReproFile('{"format": "raftsim-repro",', 'r.json')).toThrow(/^r\.json: line 1, column \d+: invalid JSON/);
  });
});

describe('raftsim shrink and replay', () => {
  let dir: string;
  const raftsim = (...args: string[]) => spawnSync('node', [RAFTSIM, ...args], { encoding: 'utf8', cwd: dir });
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'raftsim-shrink-'));
    writeFileSync(join(dir, 'tight.json'), JSON.stringify({ ...tightLiveness, nemesis: tightLiveness.nemesis }));
  });

  it('writes a repro, prints the sizes before and after, and replays it with the identical trace hash', () => {
    const shrunk = raftsim('shrink', 'tight.json', '--seed', String(FAILING_SEED), '-o', 'repro.json');
    expect(shrunk.status).toBe(1);
    expect(shrunk.stdout).toMatch(/before: \d+ faults?, [\d,]+ ops, [\d,]+ ms, 3 clients/);
    expect(shrunk.stdout).toMatch(/after: {2}\d+ faults?, [\d,]+ ms, no clients$/m);
    expect(shrunk.stdout).toContain('watch it: raftsim view repro.json; read it: raftsim story repro.json');
    const repro = JSON.parse(readFileSync(join(dir, 'repro.json'), 'utf8'));
    const replayed = raftsim('replay', 'repro.json', '--json');
    expect(replayed.status).toBe(0);
    expect(JSON.parse(replayed.stdout)).toMatchObject({ identical: true, reproduced: true, replayedHash: repro.traceHash, check: 'liveness' });
  });

  it('says when the repro moved to another seed, and --keep-seed keeps the one given', () => {
    const doubleVote = ['shrink', 'nemesis', '--seed', '4', '--bug', 'vote-before-persist', '--max-runs', '150'];
    const moved = raftsim(...doubleVote, '-o', 'moved.json');
    const seed = JSON.parse(readFileSync(join(dir, 'moved.json'), 'utf8')).seed;
    expect(seed).not.toBe(4);
    expect(moved.stdout).toContain(`seed:   4 → ${seed} (the failure hangs on timing`);
    const kept = raftsim(...doubleVote.slice(0, -1), '20', '--keep-seed', '-o', 'kept.json', '--json');
    expect(JSON.parse(kept.stdout)).toMatchObject({ seed: 4, check: 'election-safety' });
  });

  it('never overwrites a file silently, and refuses a passing seed with exit 2', () => {
    writeFileSync(join(dir, 'mine.json'), 'precious');
    const refused = raftsim('shrink', 'tight.json', '--seed', String(FAILING_SEED), '-o', 'mine.json');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/refusing to overwrite mine\.json/);
    expect(readFileSync(join(dir, 'mine.json'), 'utf8')).toBe('precious');
    const passing = raftsim('shrink', 'happy', '--seed', '1', '-o', 'happy.json');
    expect(passing.status).toBe(2);
    expect(passing.stderr.trim().split('\n')).toHaveLength(1);
    expect(passing.stderr).toMatch(/passes every check: nothing to shrink/);
  });
});
