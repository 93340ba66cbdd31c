import { findScenario } from '../../scenarios/index.js';
import { defineScenario, type ScenarioInput } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import { toTraceFile } from '../../sim/trace-file.js';
import type { TraceEvent } from '../../sim/trace.js';
import type { ViewerTrace } from '../../viz/types.js';

/** A real run of a built-in scenario, shortened, with every event kept. */
export function realTrace(name: string, seed: number, durationMs?: number): ViewerTrace {
  const builtin = findScenario(name);
  if (!builtin) throw new Error(`no built-in scenario ${name}`);
  const scenario = durationMs === undefined ? builtin : defineScenario({ ...(builtin as ScenarioInput), durationMs, faults: builtin.faults.filter((f) => f.at <= durationMs) });
  return toTraceFile(scenario, runScenario(scenario, { seed, trace: 'full' }));
}

/** The trace without client traffic, so a test can add a history it knows exactly. */
export function withoutClients(trace: ViewerTrace): ViewerTrace {
  const n = trace.scenario.nodes;
  const clientIds = new Set<number>();
  for (const e of trace.events) if (e.k === 'send' && (e.from > n || e.to > n)) clientIds.add(e.id);
  for (const e of trace.events) if (e.k === 'duplicate' && clientIds.has(e.id)) clientIds.add(e.copy);
  const events = trace.events.filter((e) => {
    if (e.k === 'client') return false;
    if ((e.k === 'send' || e.k === 'deliver' || e.k === 'drop' || e.k === 'duplicate') && clientIds.has(e.id)) return false;
    return !(e.k === 'violation' && e.invariant === 'linearizability');
  });
  const { linearizability: _drop, ...rest } = trace;
  return { ...rest, ok: true, violations: [], events };
}

type ClientEvent = Extract<TraceEvent, { k: 'client' }>;

/** A small history on two keys whose read of k1 at 300 ms sees a value nobody wrote last. */
export const FABRICATED_OPS: readonly ClientEvent[] = [
  { t: 100, k: 'client', client: 100, op: 1, type: 'invoke', f: 'put', key: 'k1', value: 5, node: 1 },
  { t: 130, k: 'client', client: 100, op: 1, type: 'ok', f: 'put', key: 'k1', value: 5, node: 1 },
  { t: 140, k: 'client', client: 101, op: 2, type: 'invoke', f: 'get', key: 'k1', value: null, node: 2 },
  { t: 150, k: 'client', client: 102, op: 3, type: 'invoke', f: 'put', key: 'k1', value: 7, node: 3 },
  { t: 160, k: 'client', client: 101, op: 2, type: 'ok', f: 'get', key: 'k1', value: 5, node: 2 },
  { t: 170, k: 'client', client: 102, op: 3, type: 'fail', f: 'put', key: 'k1', value: 7, node: 3 },
  { t: 200, k: 'client', client: 100, op: 4, type: 'invoke', f: 'get', key: 'k1', value: null, node: 1 },
  { t: 210, k: 'client', client: 101, op: 5, type: 'invoke', f: 'put', key: 'k2', value: 1, node: 2 },
  { t: 230, k: 'client', client: 101, op: 5, type: 'ok', f: 'put', key: 'k2', value: 1, node: 2 },
  { t: 260, k: 'client', client: 100, op: 4, type: 'info', f: 'get', key: 'k1', value: null, node: 1 },
  { t: 300, k: 'client', client: 102, op: 6, type: 'invoke', f: 'get', key: 'k1', value: null, node: 3 },
  { t: 320, k: 'client', client: 102, op: 6, type: 'ok', f: 'get', key: 'k1', value: 4, node: 3 },
  { t: 400, k: 'client', client: 101, op: 7, type: 'invoke', f: 'get', key: 'k2', value: null, node: 2 },
];

/** Merges events into a trace in time order (after existing events of the same time). */
export function inject(trace: ViewerTrace, extra: readonly TraceEvent[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  let j = 0;
  const sorted = [...extra].sort((a, b) => a.t - b.t);
  for (const e of trace.events) {
    while (j < sorted.length && sorted[j].t < e.t) out.push(sorted[j++]);
    out.push(e);
  }
  while (j < sorted.length) out.push(sorted[j++]);
  return out;
}

export function withFabricatedOps(trace: ViewerTrace): ViewerTrace {
  const base = withoutClients(trace);
  return {
    ...base,
    events: inject(base, FABRICATED_OPS),
    linearizability: { verdict: 'not-linearizable', counterexample: { keys: ['k1'], prefix: [1, 2], impossible: [6] } },
  };
}

/** A failing run as the checker would write it: cut at the violation, which is the last event. */
export function failing(trace: ViewerTrace, at: number, invariant: string, message: string): ViewerTrace {
  const events: TraceEvent[] = trace.events.filter((e) => e.t <= at);
  events.push({ t: at, k: 'violation', invariant, message });
  return { ...trace, ok: false, violations: [{ invariant, message, time: at }], events };
}

/**
 * The newer faults in one short real run: a drifting clock, a bridge, a one-way
 * cut, a crash that tears a write, a slow tail; plus a profile, a planted bug and
 * one snapshot message. Torn writes need a crash inside a write and rarely happen
 * in a short run, so that crash's fate is written in, as is the snapshot (the Raft
 * code sends none yet): the viewer only has to draw what a trace says.
 */
export function withNewFaults(): ViewerTrace {
  const scenario = defineScenario({
    name: 'new-faults',
    description: 'clock, bridge, one-way cut, torn write, long tail',
    nodes: 5,
    durationMs: 2600,
    livenessMs: 0,
    workload: { type: 'proposals', intervalMs: 50 },
    faults: [
      { at: 300, action: 'clock', node: 2, rate: 2.5 },
      { at: 600, action: 'bridge', node: 3 },
      { at: 1100, action: 'heal' },
      { at: 1300, action: 'cuts', links: [[4, 1], [4, 2], [4, 3], [4, 5]] },
      { at: 1700, action: 'heal' },
      { at: 1800, action: 'crash', node: 5, unsynced: 'tear', keep: 1 },
      { at: 2100, action: 'restart', node: 5 },
      { at: 2200, action: 'network', settings: { tailRate: 0.2, tailMs: 300 } },
    ],
  });
  const trace = toTraceFile(scenario, runScenario(scenario, { seed: 3, trace: 'full' }));
  const events: TraceEvent[] = trace.events.map((e) => (e.k === 'crash' && e.node === 5 ? { ...e, lostWrites: 1, keptWrites: 1, torn: true } : e));
  const snapshot: TraceEvent[] = [
    { t: 2150, k: 'send', id: 9_000_001, from: 1, to: 5, type: 'snap', term: 9, info: { index: 40, snapTerm: 2 } },
    { t: 2160, k: 'deliver', id: 9_000_001, from: 1, to: 5 },
  ];
  const profile = { faults: ['bridge', 'one-way', 'torn-write', 'clock', 'delay'] as const, intervalMs: 400, concurrency: 2, leaderBias: 0.25, maxDropRate: 0.3, maxDuplicateRate: 0.3, maxExtraSpreadMs: 50, tailRate: 0.2, tailMs: 300, maxDrift: 2.5, maxSyncMs: 50, slowNetworkMs: 0 };
  return { ...trace, bug: 'figure-8-commit' as ViewerTrace['bug'], profile: { ...profile, faults: [...profile.faults] }, events: inject({ ...trace, events }, snapshot) };
}

/** Leader 4's links to two followers clogged one after the other, released one by one: the viewer's clog drawing. */
export function withClogs(): ViewerTrace {
  const scenario = defineScenario({
    name: 'clogs',
    description: 'leader 4 holds its messages to 3, then to 2 as well; 3 is released, then a heal releases 2',
    nodes: 5,
    durationMs: 1500,
    livenessMs: 0,
    workload: { type: 'proposals', intervalMs: 50 },
    faults: [
      { at: 300, action: 'clog', from: 4, to: 3 },
      { at: 500, action: 'clog', from: 4, to: 2 },
      { at: 900, action: 'unclog', from: 4, to: 3 },
      { at: 1200, action: 'heal' },
    ],
  });
  return toTraceFile(scenario, runScenario(scenario, { seed: 1, trace: 'full' }));
}
