import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusterProperty, faultActionArbitrary, faultScheduleArbitrary, workloadArbitrary } from '../../sim/testing.js';
import { faultActionSchema } from '../../sim/scenario.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';

describe('the property-testing API', () => {
  it('runs a property over generated clusters in a few lines', () => {
    let runs = 0;
    clusterProperty({
      scenario: { name: 'api-pass', nodes: 3, durationMs: 2000 },
      workload: workloadArbitrary(),
      numRuns: 8,
      propertySeed: 7,
      check: (result) => {
        runs++;
        return result.ok;
      },
    });
    expect(runs).toBeGreaterThanOrEqual(8);
  });

  it('shrinks a failure through fast-check and prints the raftsim command that replays it', () => {
    const reproDir = mkdtempSync(join(tmpdir(), 'raftsim-api-'));
    // A property that is false whenever a fault moves leadership: a crash or an isolation of the leader will do.
    const leadershipNeverMoves = (result: { stats: { leaderChanges: number } }) => result.stats.leaderChanges <= 1;
    let message = '';
    try {
      clusterProperty({
        scenario: { name: 'api-fail', nodes: 3, durationMs: 3000, workload: { type: 'proposals' } },
        faults: faultScheduleArbitrary(3, 3000, 10),
        check: leadershipNeverMoves,
        numRuns: 40,
        reproDir,
        propertySeed: 42,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^cluster property failed after \d+ runs \(shrunk \d+ times\): seed \d+, \d+ faults/);
    const faults = Number(/, (\d+) faults/.exec(message)?.[1]);
    expect(faults).toBeLessThanOrEqual(3);
    const command = /replay it: raftsim run (\S+) --seed (\d+)/.exec(message);
    expect(command).not.toBeNull();
    expect(existsSync(command![1])).toBe(true);
    // The printed command reproduces the very run the property failed on.
    ensureBuilt();
    const replay = spawnSync('node', [RAFTSIM, 'run', command![1], '--seed', command![2], '--json'], { encoding: 'utf8' });
    expect(replay.status).toBe(0);
    expect(leadershipNeverMoves(JSON.parse(replay.stdout))).toBe(false);
  });

  it('exports a fault arbitrary whose every action is a valid fault, clogged links included', () => {
    const actions = fc.sample(faultActionArbitrary(5, 3000), { numRuns: 2000, seed: 7 });
    for (const action of actions) expect(faultActionSchema.safeParse(action).success, JSON.stringify(action)).toBe(true);
    const kinds = new Set(actions.map((action) => action.action));
    for (const kind of ['partition', 'cut', 'uncut', 'clog', 'unclog', 'crash', 'kill', 'pause', 'clock', 'network'] as const) expect(kinds).toContain(kind);
  });

  it('exports arbitraries that generate valid scenarios of every workload', () => {
    fc.assert(fc.property(workloadArbitrary(), (workload) => ['register', 'kv', 'bank', 'watch', 'lease'].includes(workload.type)), { numRuns: 50 });
  });
});
