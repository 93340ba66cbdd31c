/**
 * The `kill` fault: the process dies, the machine stays up (kill -9). Unlike a crash, no
 * write is lost (the operating system has them, synced or not), and the machine resets the
 * clients' connections at once instead of leaving them to time out.
 */
import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { defineScenario, type FaultAction } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

function leaderDown(action: 'kill' | 'crash') {
  const faults: FaultAction[] = [
    // A slow disk keeps writes waiting at the leader, so some are in flight when it goes.
    { at: 2000, action: 'disk', node: 'leader', syncMs: 30 },
    { at: 2020, action, node: 'leader' },
    { at: 4000, action: 'restart', node: 'all' },
  ];
  const scenario = defineScenario({ name: `leader-${action}`, nodes: 3, workload: { type: 'kv', clients: 5 }, faults, durationMs: 6000 });
  return runScenario(scenario, { seed: 1, trace: 'full' });
}

/** When the operations that were running at `t` ended, the latest of them. */
function lastEndOfOpsRunningAt(result: ReturnType<typeof leaderDown>, t: number): number {
  const invoked = new Map<number, number>();
  let last = t;
  for (const e of result.history) {
    if (e.type === 'invoke') invoked.set(e.op, e.time);
    else if ((invoked.get(e.op) ?? Infinity) < t && e.time >= t) last = Math.max(last, e.time);
  }
  return last;
}

describe('kill', () => {
  const killed = leaderDown('kill');
  const crashed = leaderDown('crash');

  it('keeps every write, synced or not, and every check holds', () => {
    const kill = killed.events.find((e): e is Extract<TraceEvent, { k: 'crash' }> => e.k === 'crash')!;
    expect(kill).toMatchObject({ killed: true, lostWrites: 0, torn: false });
    expect(killed.violations).toEqual([]);
    expect(crashed.violations).toEqual([]);
  });

  it('resets the clients at once: what was running ends with the next election, not at its 500 ms timeout', () => {
    // Measured: 138 ms after the kill (retried on the new leader), 496 ms after the crash.
    expect(lastEndOfOpsRunningAt(killed, 2020) - 2020).toBeLessThan(300);
    expect(lastEndOfOpsRunningAt(crashed, 2020) - 2020).toBeGreaterThanOrEqual(400);
    // A write the killed server may have run ends unknown, as a timeout would end it.
    expect(killed.history.some((e) => e.type === 'info' && e.error === 'connection reset')).toBe(true);
  });

  it('refuses the connections made to it until it restarts', () => {
    const refused = killed.events.filter((e) => e.k === 'send' && e.type === 'reset' && e.info.refused === true);
    for (const reset of refused) expect(reset.t).toBeLessThan(4000);
    const crashedResets = crashed.events.filter((e) => e.k === 'send' && e.type === 'reset');
    expect(crashedResets).toEqual([]);
  });

  it('is a nemesis kind, drawn only when named, under which every check holds', () => {
    const nemesis = findScenario('nemesis')!;
    const withKills = defineScenario({ ...nemesis, name: 'nemesis-kill', nemesis: { ...nemesis.nemesis!, faults: ['kill', 'isolate', 'pause'] } });
    let kills = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const result = runScenario(withKills, { seed, trace: 'full' });
      expect(result.violations, `seed ${seed}`).toEqual([]);
      kills += result.events.filter((e) => e.k === 'crash' && e.killed === true).length;
    }
    expect(kills).toBeGreaterThan(0);
    expect(runScenario(nemesis, { seed: 1, trace: 'full' }).events.some((e) => e.k === 'crash' && e.killed === true)).toBe(false);
  });
});
