import type { FaultProfile } from '../sim/swarm.js';
import type { TraceEvent } from '../sim/trace.js';
import type { ClockSpan, ClogLane, ClogSpan, LaneCut, NetworkSpan, PartitionSpan, ViewerTrace } from './types.js';

/**
 * The nemesis's doings as spans: cut links, network phases and drifting clocks.
 * Pure, like prepare.ts, so node tests check exactly what the page will draw.
 */

/** Each `partition` event holds the whole set of cut links, so a span lasts until the next one. */
export function partitionSpans(events: readonly TraceEvent[], nodes: readonly number[], end: number): PartitionSpan[] {
  const out: PartitionSpan[] = [];
  let open: PartitionSpan | null = null;
  events.forEach((e, index) => {
    if (e.k !== 'partition') return;
    if (open) open.end = e.t;
    open = null;
    if (e.cuts.length === 0) return;
    const { groups, oneWay } = connectivity(nodes, e.cuts);
    open = { start: e.t, end, label: e.label, cuts: e.cuts, groups, oneWay, lanes: laneCuts(nodes, e.cuts, groups), index };
    out.push(open);
  });
  return out.filter((span) => span.end > span.start);
}

/** Groups of nodes joined by links that work both ways, biggest first; plus the one-way cuts. */
export function connectivity(
  nodes: readonly number[],
  cuts: readonly (readonly [number, number])[],
): { groups: number[][]; oneWay: [number, number][] } {
  const cut = new Set(cuts.map(([a, b]) => `${a}>${b}`));
  const parent = new Map(nodes.map((n) => [n, n]));
  const find = (n: number): number => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(n, root);
    return root;
  };
  for (const a of nodes) {
    for (const b of nodes) {
      if (a < b && !cut.has(`${a}>${b}`) && !cut.has(`${b}>${a}`)) parent.set(find(a), find(b));
    }
  }
  const byRoot = new Map<number, number[]>();
  for (const n of nodes) {
    const root = find(n);
    const group = byRoot.get(root) ?? [];
    group.push(n);
    byRoot.set(root, group);
  }
  const groups = [...byRoot.values()].sort((x, y) => y.length - x.length || x[0] - y[0]);
  const oneWay = cuts.filter(([a, b]) => !cut.has(`${b}>${a}`)).map(([a, b]) => [a, b] as [number, number]);
  return { groups, oneWay };
}

/**
 * What each node has lost, per direction. Groups alone hide bridges and rings (every
 * node is still connected to every other through someone) and one-way cuts, so the
 * lanes say it per node. A clean split marks the nodes outside the biggest group, as
 * a student would point at "the minority"; any other shape marks every node with a
 * cut, and nodes with the same losses share a tint.
 */
export function laneCuts(nodes: readonly number[], cuts: readonly (readonly [number, number])[], groups: readonly (readonly number[])[]): LaneCut[] {
  const cut = new Set(cuts.map(([a, b]) => `${a}>${b}`));
  const cleanSplit = groups.length > 1 && cuts.length === crossGroupLinks(groups);
  const minority = new Set(groups.slice(1).flat());
  const out: LaneCut[] = [];
  const tintOf = new Map<string, number>();
  groups.slice(1).forEach((group, gi) => tintOf.set(`group:${gi}`, gi));
  for (const node of nodes) {
    const both: number[] = [];
    const sendLost: number[] = [];
    const hearLost: number[] = [];
    for (const peer of nodes) {
      if (peer === node) continue;
      const outCut = cut.has(`${node}>${peer}`);
      const inCut = cut.has(`${peer}>${node}`);
      if (outCut && inCut) both.push(peer);
      else if (outCut) sendLost.push(peer);
      else if (inCut) hearLost.push(peer);
    }
    if (both.length + sendLost.length + hearLost.length === 0) continue;
    if (cleanSplit && !minority.has(node)) continue;
    const key = cleanSplit ? `group:${groups.findIndex((g) => g.includes(node)) - 1}` : JSON.stringify([both, sendLost, hearLost]);
    if (!tintOf.has(key)) tintOf.set(key, tintOf.size);
    const lane: LaneCut = { node, both, sendLost, hearLost, tint: tintOf.get(key) ?? 0, label: '' };
    out.push({ ...lane, label: laneCutLabel(lane, nodes.length - 1) });
  }
  return out;
}

/** Links between different groups, both ways: what a plain `partition` cuts, and no more. */
function crossGroupLinks(groups: readonly (readonly number[])[]): number {
  const total = groups.reduce((sum, g) => sum + g.length, 0);
  return groups.reduce((sum, g) => sum + g.length * (total - g.length), 0);
}

/**
 * `✂ 4,5` cut both ways from 4 and 5; `✂ →3` its messages to 3 are lost; `✂ ←1,2` it
 * hears nothing from 1 and 2. "all" when that is every other node.
 */
export function laneCutLabel(lane: Pick<LaneCut, 'both' | 'sendLost' | 'hearLost'>, peers: number): string {
  const list = (ns: readonly number[]) => (ns.length === peers ? 'all' : ns.join(','));
  const parts: string[] = [];
  if (lane.both.length > 0) parts.push(list(lane.both));
  if (lane.sendLost.length > 0) parts.push(`→${list(lane.sendLost)}`);
  if (lane.hearLost.length > 0) parts.push(`←${list(lane.hearLost)}`);
  return `✂ ${parts.join(' ')}`;
}

/** The same in words, for tooltips and the details panel. */
export function laneCutText(lane: LaneCut, peers: number): string {
  const list = (ns: readonly number[]) => (ns.length === peers ? 'every other node' : ns.map((n) => `node ${n}`).join(', '));
  const parts: string[] = [];
  if (lane.both.length > 0) parts.push(`cut off from ${list(lane.both)}`);
  if (lane.sendLost.length > 0) parts.push(`its messages to ${list(lane.sendLost)} are lost`);
  if (lane.hearLost.length > 0) parts.push(`hears nothing from ${list(lane.hearLost)}`);
  return parts.join('; ');
}

/** Each clogged link from its `clog` to its `unclog` (a heal unclogs every link, one event each). */
export function clogSpans(events: readonly TraceEvent[], end: number): ClogSpan[] {
  const out: ClogSpan[] = [];
  const open = new Map<string, ClogSpan>();
  events.forEach((e, index) => {
    if (e.k !== 'clog' && e.k !== 'unclog') return;
    const link = `${e.from}>${e.to}`;
    const span = open.get(link);
    if (e.k === 'clog') {
      if (span) return;
      const clogged: ClogSpan = { from: e.from, to: e.to, start: e.t, end, released: null, index, endIndex: -1 };
      open.set(link, clogged);
      out.push(clogged);
    } else if (span) {
      span.end = e.t;
      span.released = e.released;
      span.endIndex = index;
      open.delete(link);
    }
  });
  return out;
}

/**
 * The lanes' view of the clogs: per node, stretches with the same clogged links on either
 * side, so two clogs at once share one label (`▥ →1,2`) instead of printing over each other.
 */
export function clogLanes(clogs: readonly ClogSpan[], nodes: readonly number[]): ClogLane[] {
  const out: ClogLane[] = [];
  for (const node of nodes) {
    const mine = clogs.filter((c) => c.from === node || c.to === node);
    const times = [...new Set(mine.flatMap((c) => [c.start, c.end]))].sort((a, b) => a - b);
    for (let i = 0; i + 1 < times.length; i++) {
      const [start, end] = [times[i], times[i + 1]];
      const during = mine.filter((c) => c.start <= start && end <= c.end);
      if (during.length === 0) continue;
      const holdsTo = during.filter((c) => c.from === node).map((c) => c.to).sort((a, b) => a - b);
      const heldFrom = during.filter((c) => c.to === node).map((c) => c.from).sort((a, b) => a - b);
      const parts = [holdsTo.length > 0 ? `→${holdsTo.join(',')}` : '', heldFrom.length > 0 ? `←${heldFrom.join(',')}` : ''];
      const label = `▥ ${parts.filter((p) => p !== '').join(' ')}`;
      const previous = out[out.length - 1];
      // A clog that starts or ends elsewhere does not break this lane's stretch.
      if (previous && previous.node === node && previous.end === start && previous.label === label) out[out.length - 1] = { ...previous, end };
      else out.push({ node, start, end, holdsTo, heldFrom, label });
    }
  }
  return out;
}

/** Spans where the network differs from the scenario's own settings (a flaky or slow phase). */
export function networkSpans(trace: ViewerTrace, events: readonly TraceEvent[], end: number): NetworkSpan[] {
  const base = trace.scenario.network;
  const baseTail = base.tailRate ?? 0;
  const out: NetworkSpan[] = [];
  let open: NetworkSpan | null = null;
  events.forEach((e, index) => {
    if (e.k !== 'network') return;
    if (open) open.end = e.t;
    open = null;
    const tailRate = e.tailRate ?? 0;
    const tailMs = e.tailMs ?? 0;
    const same =
      e.minLatencyMs === base.minLatencyMs &&
      e.latencySpreadMs === base.latencySpreadMs &&
      e.dropRate === base.dropRate &&
      e.duplicateRate === base.duplicateRate &&
      tailRate === baseTail &&
      (tailRate === 0 || tailMs === (base.tailMs ?? 0));
    if (same) return;
    const { minLatencyMs, latencySpreadMs, dropRate, duplicateRate } = e;
    open = { start: e.t, end, minLatencyMs, latencySpreadMs, dropRate, duplicateRate, tailRate, tailMs, index };
    out.push(open);
  });
  return out.filter((span) => span.end > span.start);
}

/** `≈ 24% loss, 24% dup, 1–33 ms, 5% up to +300 ms`: only what is switched on. */
export function networkText(n: Pick<NetworkSpan, 'minLatencyMs' | 'latencySpreadMs' | 'dropRate' | 'duplicateRate' | 'tailRate' | 'tailMs'>): string {
  const parts: string[] = [];
  if (n.dropRate > 0) parts.push(`${pct(n.dropRate)} loss`);
  if (n.duplicateRate > 0) parts.push(`${pct(n.duplicateRate)} dup`);
  parts.push(`${n.minLatencyMs}–${n.minLatencyMs + n.latencySpreadMs} ms`);
  if (n.tailRate > 0) parts.push(`${pct(n.tailRate)} up to +${n.tailMs} ms`);
  return parts.join(', ');
}

/**
 * Stretches where a node's clock runs fast or slow. The rate holds until the next
 * `clock` event for that node (a crash does not reset it: the host keeps its clock).
 */
export function clockSpans(events: readonly TraceEvent[], end: number): ClockSpan[] {
  const out: ClockSpan[] = [];
  const open = new Map<number, ClockSpan>();
  events.forEach((e, index) => {
    if (e.k !== 'clock') return;
    const prev = open.get(e.node);
    if (prev) prev.end = e.t;
    open.delete(e.node);
    if (e.rate === 1) return;
    const span: ClockSpan = { node: e.node, start: e.t, end, rate: e.rate, index };
    open.set(e.node, span);
    out.push(span);
  });
  return out.filter((span) => span.end > span.start);
}

/** `×2.5`, `×0.4`: what the lane shows; rounded so a drawn rate stays short. */
export function rateText(rate: number): string {
  return `×${Math.round(rate * 100) / 100}`;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/**
 * The nemesis's fault profile in one line for the header: which faults, how often,
 * and only the strengths of the faults it uses (a drift bound means nothing without
 * the clock fault).
 */
export function profileText(p: FaultProfile): string {
  const uses = (kind: string) => p.faults.some((f) => f === kind);
  const parts = [p.faults.join(', '), `a step every ~${p.intervalMs} ms${p.concurrency > 1 ? `, up to ${p.concurrency} at once` : ''}`, `leader targeted ${pct(p.leaderBias)}`];
  if (uses('flaky')) parts.push(`flaky up to ${pct(p.maxDropRate)} loss, ${pct(p.maxDuplicateRate)} dup, +${p.maxExtraSpreadMs} ms spread`);
  if (uses('delay')) parts.push(`delay ${pct(p.tailRate)} of messages up to ${p.tailMs} ms`);
  if (uses('clock')) parts.push(`clocks drift up to ×${p.maxDrift}`);
  if (uses('slow-disk')) parts.push(`syncs take up to ${p.maxSyncMs} ms`);
  return parts.join(' · ');
}
