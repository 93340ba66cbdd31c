import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/trace.js';
import { linearizationView, opLabel, prepareOps } from '../../viz/ops.js';
import { connectivity, inTimeOrder, markers, messageColumns, partitionSpans, prepareModel, roleBands } from '../../viz/prepare.js';
import { applyEvent, initialStates, StateIndex, type NodeState } from '../../viz/state.js';
import { MSG_DELIVERED, MSG_DROPPED, MSG_IN_FLIGHT, type Model, type ViewerTrace } from '../../viz/types.js';
import { failing, FABRICATED_OPS, realTrace, withFabricatedOps, withoutClients } from './fixtures.js';

const state = (t: number, node: number, role: 'follower' | 'candidate' | 'leader', term: number, lead = 0): TraceEvent => ({
  t,
  k: 'state',
  node,
  role,
  term,
  vote: node,
  lead,
});

describe('role bands', () => {
  const events: TraceEvent[] = [
    state(100, 1, 'candidate', 1),
    state(105, 1, 'candidate', 1), // same role and term: no new band
    state(110, 1, 'leader', 1, 1),
    { t: 200, k: 'crash', node: 1, lostWrites: 0 },
    { t: 300, k: 'restart', node: 1, term: 1, vote: 1, commit: 0, lastIndex: 0 },
    state(350, 2, 'follower', 1, 1),
  ];
  const bands = roleBands(events, [1, 2], 1000);

  it('starts a band at each role or term change and none while crashed', () => {
    const n1 = bands.filter((b) => b.node === 1).map((b) => [b.role, b.term, b.start, b.end]);
    expect(n1).toEqual([
      ['follower', 0, 0, 100],
      ['candidate', 1, 100, 110],
      ['leader', 1, 110, 200],
      ['follower', 1, 300, 1000],
    ]);
  });

  it('ends the previous band where the next begins', () => {
    const n2 = bands.filter((b) => b.node === 2).map((b) => [b.role, b.term, b.start, b.end]);
    expect(n2).toEqual([
      ['follower', 0, 0, 350],
      ['follower', 1, 350, 1000],
    ]);
  });
});

describe('message columns', () => {
  const events: TraceEvent[] = [
    { t: 10, k: 'send', id: 1, from: 1, to: 2, type: 'vote', term: 1, info: { lastIndex: 0, lastTerm: 0 } },
    { t: 10, k: 'duplicate', id: 1, copy: 2 },
    { t: 11, k: 'send', id: 3, from: 2, to: 3, type: 'app', term: 1, info: {} },
    { t: 11, k: 'drop', id: 3, from: 2, to: 3, reason: 'partition' },
    { t: 13, k: 'deliver', id: 1, from: 1, to: 2 },
    { t: 12, k: 'send', id: 4, from: 3, to: 1, type: 'mystery', term: 2, info: {} },
    { t: 40, k: 'deliver', id: 2, from: 1, to: 2 },
  ];
  const m = messageColumns(events, 100);

  it('keeps a row per send and per duplicate copy, in send order', () => {
    expect(m.count).toBe(4);
    expect(Array.from(m.id)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.copyOf)).toEqual([-1, 1, -1, -1]);
    // The copy inherits its original's route and type.
    expect([m.from[1], m.to[1], m.types[m.type[1]]]).toEqual([1, 2, 'vote']);
  });

  it('resolves deliveries, drops, and messages still in flight', () => {
    expect(Array.from(m.status)).toEqual([MSG_DELIVERED, MSG_DELIVERED, MSG_DROPPED, MSG_IN_FLIGHT]);
    expect(Array.from(m.endT)).toEqual([13, 40, 11, 100]);
    expect(m.maxDuration).toBe(30);
    expect(Array.from(m.openRows)).toEqual([3]);
  });

  it('gives unknown message types their own index after the known ones', () => {
    expect(m.types[m.type[3]]).toBe('mystery');
    expect(m.types.indexOf('mystery')).toBeGreaterThan(m.types.indexOf('vote'));
  });
});

describe('partitions', () => {
  it('groups nodes that still talk both ways, biggest group first', () => {
    const cuts: [number, number][] = [
      [1, 3],
      [3, 1],
      [2, 3],
      [3, 2],
    ];
    expect(connectivity([1, 2, 3], cuts)).toEqual({ groups: [[1, 2], [3]], oneWay: [] });
  });

  it('reports a one-way cut without splitting the cluster', () => {
    expect(connectivity([1, 2, 3], [[1, 2]])).toEqual({ groups: [[1, 2, 3]], oneWay: [[1, 2]] });
  });

  it('lasts from one partition event to the next and skips heals', () => {
    const events: TraceEvent[] = [
      { t: 50, k: 'partition', cuts: [[1, 2], [2, 1]], label: 'split' },
      { t: 80, k: 'partition', cuts: [], label: 'heal' },
    ];
    const spans = partitionSpans(events, [1, 2], 200);
    expect(spans.map((s) => [s.label, s.start, s.end])).toEqual([['split', 50, 80]]);
  });
});

describe('state at a time', () => {
  it('applies appends with truncation, commits, and a restart that keeps only the synced log', () => {
    const nodes: NodeState[] = initialStates([1, 2]);
    applyEvent(nodes, { t: 1, k: 'append', node: 1, from: 1, terms: [1, 1, 1] });
    applyEvent(nodes, { t: 2, k: 'append', node: 1, from: 3, terms: [2] });
    expect(nodes[0].log).toEqual([1, 1, 2]);
    applyEvent(nodes, { t: 3, k: 'commit', node: 1, index: 2 });
    applyEvent(nodes, { t: 4, k: 'crash', node: 1, lostWrites: 1 });
    expect(nodes[0].status).toBe('crashed');
    applyEvent(nodes, { t: 5, k: 'restart', node: 1, term: 2, vote: 1, commit: 2, lastIndex: 2 });
    expect(nodes[0]).toMatchObject({ status: 'up', role: 'follower', term: 2, commit: 2, applied: 0, log: [1, 1] });
  });

  it('keeps leader progress only while leading', () => {
    const index = new StateIndex(
      [
        state(10, 1, 'leader', 1, 1),
        { t: 11, k: 'progress', node: 1, peer: 2, match: 3, next: 4 },
        state(20, 1, 'follower', 2),
      ],
      [1, 2],
    );
    expect(index.at(15).nodes[0].progress.get(2)).toEqual({ match: 3, next: 4 });
    expect(index.at(25).nodes[0].progress.size).toBe(0);
    expect(index.at(9).nodes[0].role).toBe('follower');
  });

  it('agrees with a plain replay at every probe, across checkpoints', () => {
    const trace = realTrace('leader-crash', 3, 2500);
    const index = new StateIndex(trace.events, [1, 2, 3, 4, 5], 257);
    const end = trace.events[trace.events.length - 1].t;
    for (const t of [0, 1, 137, end / 3, end / 2, end - 1, end]) {
      const plain = new StateIndex(trace.events, [1, 2, 3, 4, 5], 1e9).at(t);
      expect(index.at(t)).toEqual(plain);
    }
  });
});

describe('client operations', () => {
  const { ops, clients, linearization } = prepareOps(FABRICATED_OPS, 1000, {
    verdict: 'not-linearizable',
    counterexample: { keys: ['k1'], prefix: [1, { id: 2 }], impossible: [6] },
  });
  const byOp = new Map(ops.map((op) => [op.op, op]));

  it('turns invoke and completion into labelled bars on a lane per client', () => {
    expect(clients).toEqual([100, 101, 102]);
    expect(ops).toHaveLength(7);
    expect(byOp.get(1)).toMatchObject({ start: 100, end: 130, status: 'ok', label: 'put k1=5' });
    expect(byOp.get(2)).toMatchObject({ start: 140, end: 160, status: 'ok', label: 'get k1 → 5' });
    expect(byOp.get(3)).toMatchObject({ status: 'fail', label: 'put k1=7 ✗' });
  });

  it('extends info and never-completed ops to the end of the run', () => {
    expect(byOp.get(4)).toMatchObject({ start: 200, end: 1000, status: 'info', label: 'get k1 ?' });
    expect(byOp.get(7)).toMatchObject({ start: 400, end: 1000, status: 'pending' });
  });

  it('labels the KV store results: a read nil, a txn branch, a delete count', () => {
    const invoke = (f: string, key: string | undefined, value: unknown): Extract<TraceEvent, { k: 'client' }> => ({ t: 0, k: 'client', client: 1, op: 1, type: 'invoke', f, key, value });
    const ok = (f: string, value: unknown): Extract<TraceEvent, { k: 'client' }> => ({ t: 1, k: 'client', client: 1, op: 1, type: 'ok', f, value });
    expect(opLabel(invoke('put', 'k2', { value: 'v8' }), ok('put', { value: 'v8', revision: 2 }), 'ok')).toBe('put k2=v8');
    expect(opLabel(invoke('get', 'k0', null), ok('get', { value: null, version: 0 }), 'ok')).toBe('get k0 → nil');
    expect(opLabel(invoke('txn', undefined, { compare: [] }), ok('txn', { succeeded: false }), 'ok')).toBe('txn → failure');
    expect(opLabel(invoke('delete', 'k1', null), ok('delete', { deleted: 1 }), 'ok')).toBe('delete k1 → 1 deleted');
  });

  it('places linearization points inside each prefix op, in order', () => {
    expect(linearization?.points).toEqual([
      { op: 1, t: 100 },
      { op: 2, t: 140 },
    ]);
    expect([...(linearization?.impossible ?? [])]).toEqual([6]);
    // Ops on the failing key are involved; the k2 ops are not.
    expect(linearization?.involved.has(4)).toBe(true);
    expect(linearization?.involved.has(5)).toBe(false);
  });

  it('never puts a point before the previous one', () => {
    const view = linearizationView(ops, { verdict: 'not-linearizable', counterexample: { keys: ['k1'], prefix: [2, 4], impossible: [] } });
    expect(view?.points).toEqual([
      { op: 2, t: 140 },
      { op: 4, t: 200 },
    ]);
  });
});

describe('the whole model from a real trace', () => {
  let trace: ViewerTrace;
  let model: Model;
  beforeAll(() => {
    trace = withoutClients(realTrace('partition-leader', 1, 3000));
    model = prepareModel(trace);
  });

  it('has a lane per node and a message row per send and duplicate', () => {
    expect(model.nodes).toEqual([1, 2, 3, 4, 5]);
    const sends = trace.events.filter((e) => e.k === 'send' || e.k === 'duplicate').length;
    expect(model.messages.count).toBe(sends);
    for (let r = 0; r < model.messages.count; r++) expect(model.messages.endT[r]).toBeGreaterThanOrEqual(model.messages.sendT[r]);
  });

  it('covers every node with bands from 0 to the end, except while crashed', () => {
    for (const node of model.nodes) {
      const covered = model.bands.filter((b) => b.node === node).reduce((sum, b) => sum + (b.end - b.start), 0);
      const down = model.downs.filter((d) => d.node === node && d.kind === 'crashed').reduce((sum, d) => sum + (d.end - d.start), 0);
      expect(covered + down).toBeCloseTo(model.end, 6);
    }
  });

  it('marks each new leader, and the isolation as a fault', () => {
    const leaders = model.markers.filter((m) => m.kind === 'leader');
    const elected = trace.events.filter((e) => e.k === 'state' && e.role === 'leader');
    expect(leaders.length).toBeGreaterThanOrEqual(2);
    expect(leaders.length).toBeLessThanOrEqual(elected.length);
    expect(model.markers.some((m) => m.kind === 'fault' && /isolate/.test(m.label))).toBe(true);
    expect(model.partitions.length).toBeGreaterThanOrEqual(1);
    expect(model.partitions[0].groups.length).toBe(2);
  });

  it('marks a violation and sorts one appended out of time order', () => {
    const bad = failing(trace, 1500, 'election-safety', 'two leaders in term 2');
    const late: ViewerTrace = { ...bad, events: [...trace.events, { t: 1500, k: 'violation', invariant: 'x', message: 'late' }] };
    expect(markers(bad.events).filter((m) => m.kind === 'violation').map((m) => m.t)).toEqual([1500]);
    const sorted = inTimeOrder(late.events);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].t).toBeGreaterThanOrEqual(sorted[i - 1].t);
    expect(prepareModel(late).markers.find((m) => m.kind === 'violation')?.t).toBe(1500);
  });

  it('draws fabricated client ops with their counterexample', () => {
    const withOps = prepareModel(withFabricatedOps(trace));
    expect(withOps.clients).toEqual([100, 101, 102]);
    expect(withOps.ops).toHaveLength(7);
    expect(withOps.linearization?.verdict).toBe('not-linearizable');
  });
});
