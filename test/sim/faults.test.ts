import { describe, expect, it } from 'vitest';
import { NodeClock } from '../../sim/clock.js';
import { defineScenario, type FaultAction, type ScenarioInput } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import { drawProfile } from '../../sim/swarm.js';
import { RandomStream } from '../../sim/random.js';
import type { TraceEvent } from '../../sim/trace.js';

/** Runs a short scenario with the full trace and hands back what happened. */
function run(input: Omit<ScenarioInput, 'name'>, seed = 1) {
  const result = runScenario(defineScenario({ name: 'fault-test', workload: { type: 'proposals' }, durationMs: 1500, ...input }), { seed, trace: 'full' });
  const of = <K extends TraceEvent['k']>(k: K) => result.events.filter((e): e is Extract<TraceEvent, { k: K }> => e.k === k);
  return { result, of };
}

type Link = readonly [number, number];
const cutsOf = (fault: FaultAction | undefined): Link[] => (fault?.action === 'cuts' ? fault.links.map(([a, b]) => [a as number, b as number] as const) : []);
const sees = (node: number, nodes: number, cuts: Link[]) =>
  Array.from({ length: nodes }, (_, i) => i + 1).filter((other) => other === node || !cuts.some(([a, b]) => a === node && b === other));

describe('partitions of every shape', () => {
  it('bridge: two halves that cannot reach each other, and one node that reaches both', () => {
    const { result } = run({ nodes: 5, faults: [{ at: 500, action: 'bridge', node: 3 }] });
    const cuts = cutsOf(result.faults[0]);
    expect(sees(3, 5, cuts)).toEqual([1, 2, 3, 4, 5]);
    const halves = [1, 2, 4, 5].map((n) => sees(n, 5, cuts).filter((m) => m !== 3).sort().join());
    expect(new Set(halves).size).toBe(2);
    // Symmetric: every cut goes both ways.
    for (const [a, b] of cuts) expect(cuts).toContainEqual([b, a]);
  });

  it('ring: every node sees a majority, and no two see the same one', () => {
    const { result } = run({ nodes: 5, faults: [{ at: 500, action: 'ring' }] });
    const cuts = cutsOf(result.faults[0]);
    const views = [1, 2, 3, 4, 5].map((n) => sees(n, 5, cuts));
    for (const view of views) expect(view.length).toBeGreaterThanOrEqual(3);
    expect(new Set(views.map((v) => v.join())).size).toBe(5);
  });

  it('a one-way cut loses messages in one direction only, and uncut restores just that link', () => {
    const { of } = run({
      nodes: 3,
      faults: [
        { at: 400, action: 'cut', from: 1, to: 2 },
        { at: 400, action: 'cut', from: 3, to: 2 },
        { at: 900, action: 'uncut', from: 1, to: 2 },
      ],
    });
    const dropped = of('drop').filter((d) => d.reason === 'partition' && d.t >= 400);
    expect(dropped.length).toBeGreaterThan(0);
    for (const d of dropped) expect(d.to).toBe(2);
    expect(dropped.some((d) => d.from === 1 && d.t > 905)).toBe(false);
    expect(dropped.some((d) => d.from === 3 && d.t > 905)).toBe(true);
    expect(of('deliver').some((d) => d.from === 2 && d.t > 400 && d.t < 900)).toBe(true);
  });
});

describe('clogged links', () => {
  it('hold what the link carries without losing any, and deliver the backlog at once when unclogged', () => {
    const { result, of } = run({ nodes: 3, faults: [{ at: 400, action: 'clog', from: 'leader', to: 'random' }, { at: 900, action: 'heal' }] });
    const clog = result.faults[0];
    if (clog.action !== 'clog') throw new Error('expected the clog first');
    const overLink = (d: { from: number; to: number }) => d.from === clog.from && d.to === clog.to;
    expect(of('deliver').some((d) => overLink(d) && d.t > 410 && d.t < 900)).toBe(false);
    expect(of('drop').some(overLink)).toBe(false);
    const backlog = of('deliver').filter((d) => overLink(d) && d.t === 900);
    expect(backlog.length).toBeGreaterThan(10);
    // Every message sent over the link while it was clogged arrived, at the release.
    const sentWhileClogged = of('send').filter((m) => overLink(m) && m.t >= 400 && m.t < 890).map((m) => m.id);
    const released = new Set(backlog.map((d) => d.id));
    for (const id of sentWhileClogged) expect(released.has(id)).toBe(true);
    // The other direction flowed all along.
    expect(of('deliver').some((d) => d.from === clog.to && d.to === clog.from && d.t > 410 && d.t < 900)).toBe(true);
  });

  it('are let through by unclog, by a heal, and by the liveness phase', () => {
    const { of } = run({
      nodes: 3,
      faults: [
        { at: 300, action: 'clog', from: 1, to: 2 },
        { at: 300, action: 'clog', from: 2, to: 1 },
        { at: 300, action: 'clog', from: 3, to: 1 },
        { at: 600, action: 'unclog', from: 3, to: 1 },
        { at: 700, action: 'heal' },
        { at: 800, action: 'clog', from: 2, to: 3 },
        { at: 800, action: 'clog', from: 3, to: 2 },
      ],
    });
    const releasedAt = (from: number, to: number, t: number) => of('deliver').filter((d) => d.from === from && d.to === to && d.t === t).length;
    expect(releasedAt(3, 1, 600) + releasedAt(1, 2, 700) + releasedAt(2, 1, 700)).toBeGreaterThan(0);
    expect(releasedAt(2, 3, 1500) + releasedAt(3, 2, 1500)).toBeGreaterThan(0);
    // The trace says each clog and each release, with what the release let through.
    expect(of('clog').map(({ t, from, to }) => [t, from, to])).toEqual([[300, 1, 2], [300, 2, 1], [300, 3, 1], [800, 2, 3], [800, 3, 2]]);
    const unclogs = of('unclog');
    expect(unclogs.map(({ t, from, to }) => [t, from, to])).toEqual([[600, 3, 1], [700, 1, 2], [700, 2, 1], [1500, 2, 3], [1500, 3, 2]]);
    for (const u of unclogs) expect(u.released).toBe(releasedAt(u.from, u.to, u.t));
  });

  it('are a nemesis kind, drawn only where named: each clog is undone by its unclog', () => {
    const { result } = run({ nodes: 5, durationMs: 4000, nemesis: { intervalMs: 200, faults: ['clog'] } });
    const clogs = result.faults.filter((f) => f.action === 'clog');
    expect(clogs.length).toBeGreaterThan(3);
    for (const clog of clogs) expect(result.faults).toContainEqual(expect.objectContaining({ action: 'unclog', from: clog.from, to: clog.to }));
    const plain = run({ nodes: 5, durationMs: 4000, nemesis: { intervalMs: 200 } });
    expect(plain.result.faults.some((f) => f.action === 'clog')).toBe(false);
  });
});

describe('partitions, pauses and the network', () => {
  it('a partition cuts every link between its groups both ways, and heal restores them', () => {
    const { of } = run({ nodes: 5, faults: [{ at: 400, action: 'partition', groups: [[1, 2], [3, 4, 5]] }, { at: 900, action: 'heal' }] });
    const [cut, healed] = of('partition');
    expect(cut.cuts).toHaveLength(12);
    for (const [a, b] of cut.cuts) expect((a <= 2) !== (b <= 2)).toBe(true);
    expect(healed.cuts).toEqual([]);
    const across = (d: { from: number; to: number; t: number }) => (d.from <= 2) !== (d.to <= 2) && d.t > 405 && d.t < 900;
    expect(of('deliver').some(across)).toBe(false);
    expect(of('deliver').some((d) => (d.from <= 2) !== (d.to <= 2) && d.t > 905)).toBe(true);
  });

  it('a paused node sends nothing while time moves on, and handles what queued when it resumes', () => {
    const { of } = run({ nodes: 3, faults: [{ at: 400, action: 'pause', node: 2 }, { at: 900, action: 'resume', node: 2 }] });
    expect(of('send').some((e) => e.from === 2 && e.t > 400 && e.t < 900)).toBe(false);
    const [resume] = of('resume');
    expect(resume).toMatchObject({ t: 900, node: 2 });
    expect(resume.queued).toBeGreaterThan(10);
    expect(of('send').some((e) => e.from === 2 && e.t === 900)).toBe(true);
  });

  it('a network action changes loss and latency from then on', () => {
    const { of } = run({ nodes: 3, faults: [{ at: 500, action: 'network', settings: { dropRate: 0.5, latencySpreadMs: 40 } }, { at: 1000, action: 'network', settings: { dropRate: 0, latencySpreadMs: 4 } }] });
    const lost = of('drop').filter((d) => d.reason === 'loss');
    expect(lost.length).toBeGreaterThan(20);
    for (const d of lost) expect(d.t >= 500 && d.t <= 1000).toBe(true);
  });
});

describe('disk faults at a crash', () => {
  it('keep-some and tear record how much of the unsynced data survived, drawn and written down', () => {
    const { result, of } = run({
      nodes: 3,
      faults: [
        { at: 600, action: 'crash', node: 'leader', unsynced: 'keep-some' },
        { at: 800, action: 'restart', node: 'all' },
        { at: 1000, action: 'crash', node: 'leader', unsynced: 'tear', keep: 0 },
      ],
    });
    const crashes = of('crash');
    expect(crashes).toHaveLength(2);
    expect(crashes[0].keptWrites).toBeDefined();
    const applied = result.faults.filter((f) => f.action === 'crash');
    expect(applied[0]).toMatchObject({ unsynced: 'keep-some', keep: expect.any(Number) });
    expect(applied[1]).toMatchObject({ unsynced: 'tear', keep: 0 });
    expect(crashes[1].keptWrites).toBe(0);
    expect(result.ok).toBe(true);
  });
});

describe('the crash-voter trap', () => {
  // A slow, reordering network: the rival's vote request often arrives after the restart.
  const trap: Omit<ScenarioInput, 'name'> = {
    nodes: 5,
    durationMs: 600,
    network: { minLatencyMs: 1, latencySpreadMs: 40 },
    faults: [{ at: 0, action: 'crash-voter', restartAfterMs: 1 }],
  };
  const seeds = Array.from({ length: 100 }, (_, i) => i + 1);

  it('crashes a node the instant it grants a vote in a contested election, and restarts it restartAfterMs later', () => {
    const seed = seeds.find((s) => run(trap, s).of('crash').length > 0)!;
    const { result, of } = run(trap, seed);
    const [crash] = of('crash');
    const grant = of('send').filter((e) => e.type === 'voteResp' && e.from === crash.node && e.t === crash.t);
    expect(grant.length).toBeGreaterThan(0);
    const candidates = of('state').filter((e) => e.role === 'candidate' && e.term === grant[0].term && e.t <= crash.t);
    expect(new Set(candidates.map((e) => e.node)).size).toBeGreaterThanOrEqual(2);
    expect(of('restart')[0]).toMatchObject({ node: crash.node, t: crash.t + 1 });
    expect(of('crash')).toHaveLength(1);
    expect(result.ok).toBe(true);
  });

  it('catches a node that votes before its vote is on disk: two leaders of one term, and only with the bug', () => {
    const scenario = defineScenario({ name: 'vote-trap', workload: { type: 'proposals' }, ...trap });
    const seed = seeds.find((s) => runScenario(scenario, { seed: s, bug: 'vote-before-persist' }).violations[0]?.invariant === 'election-safety');
    expect(seed).toBeDefined();
    expect(runScenario(scenario, { seed: seed! }).ok).toBe(true);
  });
});

describe('slow disks', () => {
  it('hold back what a node sends until its sync is done, and a crash mid-sync loses the writes', () => {
    const faults: ScenarioInput['faults'] = [
      { at: 0, action: 'disk', node: 2, syncMs: 40 },
      { at: 1000, action: 'crash', node: 2 },
      { at: 1100, action: 'restart', node: 2 },
    ];
    const { result, of } = run({ nodes: 3, faults, workload: { type: 'proposals', intervalMs: 20 } });
    expect(result.ok).toBe(true);
    // Node 2 acknowledges a new entry only a sync (40 ms) after the entry first reached it.
    const sendOf = new Map(of('send').map((e) => [e.id, e]));
    const firstArrival = new Map<number, number>();
    for (const d of of('deliver')) {
      const m = sendOf.get(d.id);
      if (d.to !== 2 || m?.type !== 'app') continue;
      const from = Number(m.info.prevIndex) + 1;
      for (let index = from; index < from + Number(m.info.entries); index++) if (!firstArrival.has(index)) firstArrival.set(index, d.t);
    }
    let acked = 0;
    let checked = 0;
    for (const ack of of('send')) {
      if (ack.from !== 2 || ack.type !== 'appResp' || ack.info.reject || ack.t > 1000) continue;
      const index = Number(ack.info.index);
      if (index <= acked) continue;
      for (let i = acked + 1; i <= index; i++) expect(ack.t - (firstArrival.get(i) ?? -Infinity), `ack of ${i}`).toBeGreaterThanOrEqual(40);
      acked = index;
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
    expect(of('crash')[0]).toMatchObject({ node: 2, lostWrites: expect.any(Number) });
    expect(of('crash')[0].lostWrites).toBeGreaterThan(0);
    expect(of('disk')).toEqual([{ t: 0, k: 'disk', node: 2, syncMs: 40 }, { t: 1500, k: 'disk', node: 2, syncMs: 0 }]);
  });
});

describe('clock drift', () => {
  it('a node clock at rate r reads r ms per simulated ms and ticks r times as often', () => {
    let now = 0;
    const clock = new NodeClock(() => now);
    clock.startTicks(0);
    now = 100;
    clock.setRate(2);
    now = 150;
    expect(clock.local()).toBe(200);
    const ticks: number[] = [];
    for (let i = 0; i < 4; i++) {
      ticks.push(clock.nextTick(10));
      now = ticks[ticks.length - 1];
    }
    expect(ticks).toEqual([155, 160, 165, 170]);
  });

  it('an isolated node with a fast clock runs through its terms faster, by about its rate', () => {
    const termsOfNode2 = (faults: ScenarioInput['faults']) => {
      const { of } = run({ nodes: 3, durationMs: 3000, faults });
      return Math.max(...of('state').filter((e) => e.node === 2).map((e) => e.term));
    };
    const isolate = { at: 0, action: 'isolate', node: 2 } as const;
    const normal = termsOfNode2([isolate]);
    const fast = termsOfNode2([{ at: 0, action: 'clock', node: 2, rate: 3 }, isolate]);
    expect(normal).toBeGreaterThan(5);
    expect(fast / normal).toBeGreaterThan(2.2);
    expect(fast / normal).toBeLessThan(3.8);
  });

  it('is written to the trace, and the liveness phase sets every clock right again', () => {
    const { of } = run({ nodes: 3, faults: [{ at: 0, action: 'clock', node: 2, rate: 0.5 }] });
    expect(of('clock')).toEqual([{ t: 0, k: 'clock', node: 2, rate: 0.5 }, { t: 1500, k: 'clock', node: 2, rate: 1 }]);
  });
});

describe('the long tail', () => {
  it('holds a share of messages up to tailMs longer', () => {
    const { of } = run({ nodes: 3, network: { tailRate: 0.2, tailMs: 200 } });
    const sent = new Map(of('send').map((e) => [e.id, e.t]));
    const delays = of('deliver').map((d) => d.t - (sent.get(d.id) ?? d.t));
    const slow = delays.filter((d) => d > 5).length / delays.length;
    expect(slow).toBeGreaterThan(0.1);
    expect(slow).toBeLessThan(0.3);
    expect(Math.max(...delays)).toBeLessThanOrEqual(205);
  });
});

describe('swarm testing', () => {
  it('draws a different fault profile for each seed, from every enabled kind', () => {
    const kinds = ['partition', 'crash', 'pause', 'flaky', 'clock', 'torn-write'] as const;
    const profiles = Array.from({ length: 30 }, (_, seed) => drawProfile(new RandomStream(seed, 'swarm'), kinds, 700));
    expect(new Set(profiles.map((p) => p.faults.join())).size).toBeGreaterThan(10);
    for (const p of profiles) expect(p.faults.length).toBeGreaterThan(0);
    for (const kind of kinds) expect(profiles.some((p) => p.faults.includes(kind))).toBe(true);
    const intervals = profiles.map((p) => p.intervalMs);
    expect(Math.max(...intervals) / Math.min(...intervals)).toBeGreaterThan(2);
  });

  it('records the profile in the run, and the nemesis uses only its kinds', () => {
    const { result } = run({ nodes: 5, durationMs: 6000, nemesis: { intervalMs: 200, swarm: true, faults: ['crash', 'pause', 'clock', 'ring'] } }, 4);
    expect(result.profile).not.toBeNull();
    const allowed: Record<string, string[]> = { crash: ['crash', 'restart'], pause: ['pause', 'resume'], clock: ['clock'], ring: ['cuts', 'heal'] };
    const actions = new Set(result.profile!.faults.flatMap((kind) => allowed[kind]));
    expect(result.faults.length).toBeGreaterThan(5);
    for (const fault of result.faults) expect(actions.has(fault.action), fault.action).toBe(true);
  });
});
