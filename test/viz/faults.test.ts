import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/trace.js';
import { FAMILIES, familyOf, messageColor } from '../../viz/app/colors.js';
import { faultGlyph, spreadGlyphs } from '../../viz/app/front-layer.js';
import { clockSpans, clogLanes, clogSpans, connectivity, laneCuts, networkSpans, networkText, profileText } from '../../viz/faults.js';
import { crashNote, faultLabel, heartbeatsDense, KNOWN_TYPES, messageColumns, prepareModel } from '../../viz/prepare.js';
import { StateIndex } from '../../viz/state.js';
import type { ViewerTrace } from '../../viz/types.js';
import { realTrace, withClogs, withoutClients } from './fixtures.js';

const NODES = [1, 2, 3, 4, 5];

/** Both directions of every link between the two sets. */
function between(a: readonly number[], b: readonly number[]): [number, number][] {
  return a.flatMap((x) => b.flatMap((y): [number, number][] => [[x, y], [y, x]]));
}

function lanesOf(cuts: [number, number][]): Record<number, string> {
  const { groups } = connectivity(NODES, cuts);
  return Object.fromEntries(laneCuts(NODES, cuts, groups).map((lane) => [lane.node, lane.label]));
}

describe('cut links per lane', () => {
  it('marks only the minority of a clean split, cut from everyone else', () => {
    expect(lanesOf(between([4], [1, 2, 3, 5]))).toEqual({ 4: '✂ all' });
    expect(lanesOf(between([2, 5], [1, 3, 4]))).toEqual({ 2: '✂ 1,3,4', 5: '✂ 1,3,4' });
  });

  it('shows a bridge, whose groups alone say nothing: the bridge node is unmarked, each half is cut from the other', () => {
    const cuts = between([1, 2], [4, 5]);
    expect(connectivity(NODES, cuts).groups).toHaveLength(1);
    expect(lanesOf(cuts)).toEqual({ 1: '✂ 4,5', 2: '✂ 4,5', 4: '✂ 1,2', 5: '✂ 1,2' });
    const { groups } = connectivity(NODES, cuts);
    const tints = new Map(laneCuts(NODES, cuts, groups).map((lane) => [lane.node, lane.tint]));
    // The two halves look different; each half looks like itself.
    expect(tints.get(1)).toBe(tints.get(2));
    expect(tints.get(4)).toBe(tints.get(5));
    expect(tints.get(1)).not.toBe(tints.get(4));
  });

  it('says which direction a one-way cut loses', () => {
    // Node 4 is heard by no one: its messages are lost, it still hears everyone.
    expect(lanesOf([[4, 1], [4, 2], [4, 3], [4, 5]])).toEqual({ 1: '✂ ←4', 2: '✂ ←4', 3: '✂ ←4', 4: '✂ →all', 5: '✂ ←4' });
    expect(lanesOf([[5, 4]])).toEqual({ 4: '✂ ←5', 5: '✂ →4' });
    // Mixed: cut both ways from 1, and 2's messages to 3 are lost on top.
    expect(lanesOf([...between([1], [2]), [2, 3]])).toMatchObject({ 2: '✂ 1 →3', 3: '✂ ←2' });
  });

  it('marks every node of a ring, each cut from the two it does not neighbour', () => {
    // Ring 1-3-5-2-4: each node reaches its two ring neighbours only.
    const ring = [1, 3, 5, 2, 4];
    const near = (a: number, b: number) => [1, 4].includes(Math.abs(ring.indexOf(a) - ring.indexOf(b)));
    const cuts = NODES.flatMap((a) => NODES.filter((b) => b !== a && !near(a, b)).map((b): [number, number] => [a, b]));
    const lanes = lanesOf(cuts);
    expect(Object.keys(lanes)).toHaveLength(5);
    expect(lanes[1]).toBe('✂ 2,5');
  });
});

describe('network phases', () => {
  const base = withoutClients(realTrace('happy', 1, 300));
  const event = (t: number, extra: Partial<Extract<TraceEvent, { k: 'network' }>>): TraceEvent => ({ t, k: 'network', minLatencyMs: 1, latencySpreadMs: 4, dropRate: 0, duplicateRate: 0, ...extra });

  it('counts a long tail alone as a phase of its own, and labels it', () => {
    const events = [event(100, { tailRate: 0.05, tailMs: 300 }), event(200, {})];
    const spans = networkSpans(base, events, 1000);
    expect(spans.map((s) => [s.start, s.end, s.tailRate, s.tailMs])).toEqual([[100, 200, 0.05, 300]]);
    expect(networkText(spans[0])).toBe('1–5 ms, 5% up to +300 ms');
    expect(faultLabel(events[0])).toBe('network: 1–5 ms, 5% up to +300 ms');
  });

  it('points at the event in time order, even when the file was not', () => {
    const trace: ViewerTrace = { ...base, events: [...base.events, event(50, { dropRate: 0.2 })] };
    const model = prepareModel(trace);
    expect(model.networks).toHaveLength(1);
    expect(model.events[model.networks[0].index]).toMatchObject({ k: 'network', dropRate: 0.2 });
  });
});

describe('clock drift', () => {
  const events: TraceEvent[] = [
    { t: 500, k: 'clock', node: 2, rate: 3 },
    { t: 500, k: 'clock', node: 4, rate: 0.5 },
    { t: 3000, k: 'clock', node: 4, rate: 2.5 },
    { t: 6000, k: 'clock', node: 2, rate: 1 },
  ];

  it('draws a span per drifting stretch, none while a clock runs true', () => {
    expect(clockSpans(events, 9000).map((c) => [c.node, c.rate, c.start, c.end])).toEqual([
      [2, 3, 500, 6000],
      [4, 0.5, 500, 3000],
      [4, 2.5, 3000, 9000],
    ]);
  });

  it('shows the rate in the state at the cursor', () => {
    const index = new StateIndex(events, NODES);
    expect(index.at(1000).nodes.map((n) => n.clock)).toEqual([1, 3, 1, 0.5, 1]);
    expect(index.at(7000).nodes.map((n) => n.clock)).toEqual([1, 1, 1, 2.5, 1]);
  });

  it('keeps glyphs that fire together from printing over each other', () => {
    const spread = spreadGlyphs([
      { x: 100, text: '◷2 ×3' },
      { x: 100, text: '◷4 ×0.5' },
      { x: 400, text: '✖2' },
    ]);
    expect(spread[1].x).toBeGreaterThanOrEqual(100 + '◷2 ×3'.length * 6);
    expect(spread[2].x).toBe(400);
  });
});

describe('clogged links', () => {
  const trace = withClogs();
  const model = prepareModel(trace);
  const deliveredAt = (from: number, to: number, t: number) => trace.events.filter((e) => e.k === 'deliver' && e.from === from && e.to === to && e.t === t).length;

  it('lasts from each clog to its release, and says how much the release let through', () => {
    expect(model.clogs.map((c) => [c.from, c.to, c.start, c.end])).toEqual([
      [4, 3, 300, 900],
      [4, 2, 500, 1200],
    ]);
    for (const c of model.clogs) {
      expect(c.released).toBeGreaterThan(10);
      expect(c.released).toBe(deliveredAt(c.from, c.to, c.end));
      expect(model.events[c.index]).toMatchObject({ k: 'clog', from: c.from, to: c.to });
      expect(model.events[c.endIndex]).toMatchObject({ k: 'unclog', from: c.from, to: c.to });
    }
  });

  it('labels a lane with all its clogged links at once, at both ends of each', () => {
    expect(model.clogLanes.map((lane) => [lane.node, lane.start, lane.end, lane.label])).toEqual([
      [2, 500, 1200, '▥ ←4'],
      [3, 300, 900, '▥ ←4'],
      [4, 300, 500, '▥ →3'],
      [4, 500, 900, '▥ →2,3'],
      [4, 900, 1200, '▥ →2'],
    ]);
  });

  it('holds a link never released to the end of the run, and ignores a release of a link never clogged', () => {
    const events: TraceEvent[] = [
      { t: 100, k: 'unclog', from: 2, to: 1, released: 0 },
      { t: 200, k: 'clog', from: 1, to: 2 },
      { t: 300, k: 'clog', from: 5, to: 2 },
      { t: 400, k: 'unclog', from: 5, to: 2, released: 1 },
    ];
    const spans = clogSpans(events, 1000);
    expect(spans.map((c) => [c.from, c.to, c.start, c.end, c.released])).toEqual([
      [1, 2, 200, 1000, null],
      [5, 2, 300, 400, 1],
    ]);
    // Node 2's stretch splits where 5's clog starts and ends, and joins again after.
    expect(clogLanes(spans, NODES).filter((lane) => lane.node === 2).map((lane) => [lane.start, lane.end, lane.label])).toEqual([
      [200, 300, '▥ ←1'],
      [300, 400, '▥ ←1,5'],
      [400, 1000, '▥ ←1'],
    ]);
  });

  it('marks each clog and release as a fault on the sender, in words and as a glyph', () => {
    const [clog, , unclog] = model.markers.filter((m) => m.kind === 'fault');
    expect(clog).toMatchObject({ t: 300, node: 4, label: "the link 4 → 3 clogs: node 4's messages to node 3 are held, none lost" });
    const released = model.clogs[0].released;
    expect(unclog).toMatchObject({ t: 900, node: 4, label: `the link 4 → 3 opens: its ${released} held messages go on at once` });
    expect(faultGlyph(model.events[clog.index])).toBe('▥4→3');
    expect(faultGlyph(model.events[unclog.index])).toBe(`⇉4→3 ${released}`);
    expect(faultLabel({ t: 1, k: 'unclog', from: 1, to: 2, released: 1 })).toBe('the link 1 → 2 opens: its one held message goes on');
    expect(faultLabel({ t: 1, k: 'unclog', from: 1, to: 2, released: 0 })).toBe('the link 1 → 2 opens: it held nothing');
  });
});

describe('crashes and the unsynced writes', () => {
  it('labels what was lost, kept and torn', () => {
    expect(crashNote({ t: 1, k: 'crash', node: 1, lostWrites: 2 })).toBe('2 lost');
    expect(crashNote({ t: 1, k: 'crash', node: 1, lostWrites: 1, keptWrites: 1, torn: true })).toBe('1 lost · 1 kept · torn');
    expect(crashNote({ t: 1, k: 'crash', node: 1, lostWrites: 0, keptWrites: 0, torn: false })).toBe('');
    expect(faultLabel({ t: 1, k: 'crash', node: 3, lostWrites: 0, keptWrites: 1, torn: true })).toBe('node 3 crashes (1 reached the disk anyway; a torn write, caught by its checksum)');
  });

  it('says a killed process is not a crashed machine', () => {
    const kill = { t: 1, k: 'crash', node: 2, lostWrites: 0, keptWrites: 3, torn: false, killed: true } as const;
    expect(crashNote(kill)).toBe('killed');
    expect(faultLabel(kill)).toBe("node 2's process is killed (every write survives; its clients are reset)");
    expect(familyOf('reset').name).toBe('kv');
  });
});

describe('message types', () => {
  it('gives snapshots a family and a colour of their own', () => {
    expect(KNOWN_TYPES).toContain('snap');
    expect(familyOf('snap').name).toBe('snap');
    expect(familyOf('snapResp').name).toBe('snap');
    const others = FAMILIES.filter((f) => f.name !== 'snap').flatMap((f) => [f.color, f.response]);
    expect(others).not.toContain(messageColor('snap'));
    expect(others).not.toContain(messageColor('snapResp'));
  });

  it('never colours an unknown type like a known family', () => {
    const known = FAMILIES.flatMap((f) => [f.color, f.response]);
    for (const type of ['mystery', 'leaseRenew', 'gossip', 'x']) expect(known).not.toContain(messageColor(type));
  });
});

describe('heartbeats hidden by default when dense', () => {
  const heartbeats = (n: number, spacing: number): TraceEvent[] =>
    Array.from({ length: n }, (_, i): TraceEvent[] => [
      { t: i * spacing, k: 'send', id: i, from: 1, to: 2, type: 'heartbeat', term: 1, info: {} },
      { t: i * spacing + 1, k: 'deliver', id: i, from: 1, to: 2 },
    ]).flat();

  it('hides them when there are more than one per two pixel columns in view', () => {
    const m = messageColumns(heartbeats(2000, 5), 10_000);
    expect(heartbeatsDense(m, 0, 10_000, 1000)).toBe(true);
    // Zoomed onto a tenth of the run: 200 heartbeats on 1000 pixels.
    expect(heartbeatsDense(m, 0, 1000, 1000)).toBe(false);
  });

  it('counts only heartbeats', () => {
    const events = heartbeats(2000, 5).map((e) => (e.k === 'send' ? { ...e, type: 'app' } : e));
    expect(heartbeatsDense(messageColumns(events, 10_000), 0, 10_000, 1000)).toBe(false);
  });
});

describe('the header', () => {
  it('states the nemesis profile, with the strengths of the faults it uses only', () => {
    const profile = { faults: ['partition', 'clock'] as const, intervalMs: 700, concurrency: 1, leaderBias: 0.5, maxDropRate: 0.3, maxDuplicateRate: 0.3, maxExtraSpreadMs: 50, tailRate: 0.05, tailMs: 300, maxDrift: 2, maxSyncMs: 50, slowNetworkMs: 0 };
    const text = profileText({ ...profile, faults: [...profile.faults] });
    expect(text).toBe('partition, clock · a step every ~700 ms · leader targeted 50% · clocks drift up to ×2');
    expect(profileText({ ...profile, faults: [...profile.faults], concurrency: 3 })).toMatch(/^partition, clock · a step every ~700 ms, up to 3 at once · /);
  });
});
