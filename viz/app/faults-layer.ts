import type { Selection } from 'd3';
import { networkText, rateText } from '../faults.js';
import type { Model } from '../types.js';
import { CLOCK_COLOR, CLOG_COLOR, PARTITION_TINTS } from './colors.js';
import type { Geometry } from './geometry.js';
import type { TimeScale } from './messages-layer.js';

type G = Selection<SVGGElement, unknown, null, undefined>;

/**
 * What the nemesis did, drawn where it happened: partition tints under the lanes,
 * per-lane notes (which links are cut, in which direction; a drifting clock) and the
 * labelled spans of the faults strip. SVG: a few hundred shapes at most on screen.
 */

/** Clamp far-off-screen coordinates: browsers draw huge SVG coordinates badly. */
export function clampX(g: Geometry, x: number): number {
  return Math.max(g.plotLeft - 50, Math.min(g.plotLeft + g.plotWidth + 50, x));
}

export function visible<T extends { start: number; end: number }>(items: readonly T[], t0: number, t1: number): T[] {
  return items.filter((item) => item.end >= t0 && item.start <= t1);
}

/** Text fits when a label of n characters is narrower than the space (about 6.3 px a character). */
export function fits(text: string, width: number): boolean {
  return text.length * 6.3 + 8 < width;
}

/** The visible part of [start, end] in pixels: left edge and width. */
function onScreen(g: Geometry, x: TimeScale, start: number, end: number): { left: number; room: number } {
  const left = Math.max(g.plotLeft, x(start));
  return { left, room: Math.min(g.plotLeft + g.plotWidth, x(end)) - left };
}

/** Tints every marked lane for the span, and dashes its edges through the strip and lanes. */
export function drawPartitionTints(tints: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const spans = visible(model.partitions, t0, t1);
  const rects: { x: number; w: number; y: number; h: number; fill: string; node: number }[] = [];
  const edges: number[] = [];
  for (const p of spans) {
    const x1 = clampX(g, x(p.start));
    const x2 = clampX(g, x(p.end));
    edges.push(x1, x2);
    for (const lane of p.lanes) {
      const y = g.nodeY(lane.node) - g.laneHeight / 2;
      rects.push({ x: x1, w: x2 - x1, y, h: g.laneHeight, fill: PARTITION_TINTS[lane.tint % PARTITION_TINTS.length], node: lane.node });
    }
  }
  tints
    .selectAll('rect.tint')
    .data(rects)
    .join('rect')
    .attr('class', 'tint')
    .attr('data-node', (r) => r.node)
    .attr('x', (r) => r.x)
    .attr('y', (r) => r.y)
    .attr('width', (r) => Math.max(1, r.w))
    .attr('height', (r) => r.h)
    .attr('fill', (r) => r.fill);
  tints
    .selectAll('line.edge')
    .data(edges)
    .join('line')
    .attr('class', 'edge')
    .attr('x1', (e) => e)
    .attr('x2', (e) => e)
    .attr('y1', g.stripTop)
    .attr('y2', g.nodeTop + g.laneHeight * model.nodes.length)
    .attr('stroke', '#d98989')
    .attr('stroke-dasharray', '4 3');
}

interface Note {
  readonly node: number;
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly cls: string;
}

/**
 * Above a marked lane's band, what it lost (`✂ 4,5 →3 ←1`) and, over a dotted line, which
 * of its links hold their messages (`▥ →1`); below a drifting node's band, a dashed
 * underline for as long as the drift lasts and its rate (`◷ ×2.5`).
 */
export function drawLaneNotes(root: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const aboveBands: Note[] = [];
  const above = g.bandHeight / 2 + 4;
  for (const p of visible(model.partitions, t0, t1)) {
    const { left, room } = onScreen(g, x, p.start, p.end);
    for (const lane of p.lanes) {
      if (fits(lane.label, room)) aboveBands.push({ node: lane.node, x: left + 4, y: g.nodeY(lane.node) - above, text: lane.label, cls: 'cut-label' });
    }
  }
  const clogs = visible(model.clogLanes, t0, t1);
  for (const c of clogs) {
    const { left, room } = onScreen(g, x, c.start, c.end);
    if (fits(c.label, room)) aboveBands.push({ node: c.node, x: left + 4, y: g.nodeY(c.node) - above, text: c.label, cls: 'clog-label' });
  }
  drawLaneLines(root, 'clog-line', clogs, x, g, { dy: -g.bandHeight / 2 - 1.5, color: CLOG_COLOR, dash: () => '1 2' });
  const notes = spreadOnLanes(aboveBands);
  const clocks = visible(model.clocks, t0, t1);
  const below = g.bandHeight / 2 + 3;
  for (const c of clocks) {
    const { left, room } = onScreen(g, x, c.start, c.end);
    const long = `◷ clock ${rateText(c.rate)}`;
    const text = fits(long, room) ? long : fits(rateText(c.rate), room) ? rateText(c.rate) : '';
    if (text) notes.push({ node: c.node, x: left + 4, y: g.nodeY(c.node) + below + 10, text, cls: `clock-label ${c.rate > 1 ? 'fast' : 'slow'}` });
  }
  drawLaneLines(root, 'clock-line', clocks, x, g, { dy: below, color: CLOCK_COLOR, dash: (c) => (c.rate > 1 ? '2 2' : '8 3') });
  root
    .selectAll<SVGTextElement, Note>('text.note')
    .data(notes)
    .join('text')
    .attr('class', (n) => `note ${n.cls}`)
    .attr('data-node', (n) => n.node)
    .attr('x', (n) => n.x)
    .attr('y', (n) => n.y)
    .text((n) => n.text);
}

/** A line along a lane for each span, `dy` from the lane's middle. */
function drawLaneLines<S extends { node: number; start: number; end: number }>(
  root: G,
  cls: string,
  spans: readonly S[],
  x: TimeScale,
  g: Geometry,
  style: { dy: number; color: string; dash: (span: S) => string },
): void {
  root
    .selectAll<SVGLineElement, S>(`line.${cls}`)
    .data(spans)
    .join('line')
    .attr('class', cls)
    .attr('x1', (s) => clampX(g, x(s.start)))
    .attr('x2', (s) => clampX(g, x(s.end)))
    .attr('y1', (s) => g.nodeY(s.node) + style.dy)
    .attr('y2', (s) => g.nodeY(s.node) + style.dy)
    .attr('stroke', style.color)
    .attr('stroke-width', 2)
    .attr('stroke-dasharray', style.dash);
}

/** A cut and a clog on one lane at once would print over each other: each note starts after the one before it on its lane. */
function spreadOnLanes(notes: readonly Note[]): Note[] {
  const reach = new Map<number, number>();
  return [...notes]
    .sort((a, b) => a.node - b.node || a.x - b.x)
    .map((note) => {
      const x = Math.max(note.x, (reach.get(note.node) ?? -Infinity) + 6);
      reach.set(note.node, x + note.text.length * 6.3);
      return { ...note, x };
    });
}

/** The strip above the lanes: a label per partition, a hatched and labelled span per network phase. */
export function drawStrip(strip: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const y = g.stripTop + 3;
  const h = g.stripHeight - 6;
  const networks = visible(model.networks, t0, t1);
  strip
    .selectAll<SVGRectElement, (typeof networks)[number]>('rect.flaky')
    .data(networks)
    .join('rect')
    .attr('class', 'flaky')
    .attr('x', (n) => clampX(g, x(n.start)))
    .attr('width', (n) => Math.max(1, clampX(g, x(n.end)) - clampX(g, x(n.start))))
    .attr('y', y + h / 2)
    .attr('height', h / 2)
    .attr('fill', 'url(#hatch-flaky)');
  const labels: { x: number; w: number; text: string; cls: string }[] = [];
  for (const p of visible(model.partitions, t0, t1)) {
    const { left, room } = onScreen(g, x, p.start, p.end);
    labels.push({ x: left, w: room, text: `✂ ${p.label}`, cls: 'partition-label' });
  }
  for (const n of networks) {
    const { left, room } = onScreen(g, x, n.start, n.end);
    labels.push({ x: left, w: room, text: `≈ network: ${networkText(n)}`, cls: 'flaky-label' });
  }
  strip
    .selectAll<SVGTextElement, (typeof labels)[number]>('text')
    .data(labels.filter((l) => fits(l.text.slice(0, 6), l.w)))
    .join('text')
    .attr('class', (l) => l.cls)
    .attr('x', (l) => l.x + 4)
    .attr('y', y + 9)
    .text((l) => (fits(l.text, l.w) ? l.text : `${l.text.slice(0, Math.max(4, Math.floor((l.w - 8) / 6.3) - 1))}…`));
}
