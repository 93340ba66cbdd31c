/**
 * Message economy, as the 6.824 tests count RPCs: a correct Raft can still be wasteful (a
 * leader that heartbeats on every tick, re-sends its log, or campaigns in a loop), and
 * these bounds catch it. Counts come from the trace's `send` events.
 */
import { describe, expect, it } from 'vitest';
import { defineScenario, type Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

type Send = Extract<TraceEvent, { k: 'send' }>;

function quiet(nodes: number, heartbeatTicks = 1): Scenario {
  return defineScenario({
    name: `quiet-${nodes}`,
    nodes,
    workload: { type: 'none' },
    timing: { tickMs: 10, electionTicks: 10, heartbeatTicks },
    durationMs: 4000,
    livenessMs: 0,
  });
}

function sends(scenario: Scenario, seed: number): { events: readonly TraceEvent[]; sent: Send[] } {
  const { events } = runScenario(scenario, { seed, trace: 'full' });
  return { events, sent: events.filter((e): e is Send => e.k === 'send') };
}

const countBy = (sent: readonly Send[]) => sent.reduce<Record<string, number>>((counts, s) => ({ ...counts, [s.type]: (counts[s.type] ?? 0) + 1 }), {});

describe('message economy', () => {
  it('electing the first leader takes few messages (6.824 allows 30 for three servers)', () => {
    for (const nodes of [3, 5]) {
      const costs: number[] = [];
      for (let seed = 1; seed <= 20; seed++) {
        const { events, sent } = sends(quiet(nodes), seed);
        const elected = events.find((e) => e.k === 'state' && e.role === 'leader');
        expect(elected, `${nodes} nodes, seed ${seed}`).toBeDefined();
        costs.push(sent.filter((s) => s.t <= (elected as TraceEvent).t).length);
      }
      // One request and one answer per other node is the least an election can cost.
      expect(Math.min(...costs)).toBeGreaterThanOrEqual(2 * (nodes - 1));
      expect(Math.max(...costs), `${nodes} nodes: ${costs.join(' ')}`).toBeLessThanOrEqual(nodes === 3 ? 30 : 50);
    }
  });

  it('an idle leader sends each follower one heartbeat per heartbeat interval, and nothing else', () => {
    for (const [nodes, heartbeatTicks] of [[3, 1], [5, 1], [3, 3]]) {
      const { sent } = sends(quiet(nodes, heartbeatTicks), 1);
      const idleSecond = sent.filter((s) => s.t >= 2000 && s.t < 3000);
      const perFollower = 1000 / (10 * heartbeatTicks);
      const counts = countBy(idleSecond);
      expect(Object.keys(counts).sort(), `${nodes} nodes, heartbeat every ${heartbeatTicks} ticks`).toEqual(['heartbeat', 'heartbeatResp']);
      expect(Math.abs(counts.heartbeat - (nodes - 1) * perFollower)).toBeLessThanOrEqual(nodes - 1);
      expect(Math.abs(counts.heartbeatResp - counts.heartbeat)).toBeLessThanOrEqual(nodes - 1);
    }
  });

  it('an entry costs a bounded number of appends per follower, beyond the heartbeats', () => {
    const scenario = defineScenario({ name: 'steady', nodes: 3, workload: { type: 'proposals', intervalMs: 50 }, durationMs: 5000, livenessMs: 0 });
    for (let seed = 1; seed <= 5; seed++) {
      const { events, sent } = sends(scenario, seed);
      const window = (t: number) => t >= 2000 && t < 4000;
      const proposals = events.filter((e) => e.k === 'propose' && window(e.t)).length;
      const appends = sent.filter((s) => window(s.t) && s.type === 'app').length;
      // Per entry and follower: the append that carries it, one that carries its commit, and
      // an empty one when a heartbeat's answer shows the follower still behind (as etcd's raft).
      expect(proposals).toBeGreaterThan(30);
      expect(appends / proposals / 2, `seed ${seed}`).toBeLessThanOrEqual(3.5);
      expect(appends / proposals / 2, `seed ${seed}`).toBeGreaterThanOrEqual(1);
    }
  });
});
