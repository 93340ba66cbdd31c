import type { Selection } from 'd3';
import { upperBound } from '../prepare.js';
import { confText, memberLabel } from '../raft.js';
import type { LaneMark, MemberStatus, Model, TransferSpan } from '../types.js';
import { JOINT_COLOR, MEMBER_COLOR, SNAPSHOT_COLOR, STEP_DOWN_COLOR, TRANSFER_COLOR } from './colors.js';
import { clampX, fits, visible } from './faults-layer.js';
import type { Geometry } from './geometry.js';
import type { TimeScale } from './messages-layer.js';

type G = Selection<SVGGElement, unknown, null, undefined>;

/**
 * The newer Raft features on the timeline, as d3 joins over plain model data:
 * membership stripes and the config row (under the messages), and lane marks and
 * transfer arcs (above them, so a snapshot or a step-down is never buried in traffic).
 */

/** Beyond this many lane marks in view only the rare kinds keep their labels, one mark per pixel column. */
const DENSE_MARKS = 600;

/** Short lane-gutter badge: what a node is at the cursor. */
export function memberBadge(status: MemberStatus, joint: boolean): string {
  if (status === 'voter') return joint ? 'voter ◫' : 'voter';
  return status === 'incoming' ? 'joining' : status === 'outgoing' ? 'leaving' : status;
}

/**
 * A stripe hugging the top of a non-voter's band, its label just under the band (where
 * a lane's name is read), and a veil over an outside node's whole lane.
 */
export function drawMembers(root: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const spans = visible(model.members, t0, t1).filter((s) => s.status !== 'voter');
  const top = (node: number) => g.nodeY(node) - g.laneHeight / 2;
  const box = (s: (typeof spans)[number]) => {
    const x1 = clampX(g, x(s.start));
    return { x1, w: Math.max(1, clampX(g, x(s.end)) - x1) };
  };
  root
    .selectAll<SVGRectElement, (typeof spans)[number]>('rect.member-veil')
    .data(spans.filter((s) => s.status === 'outside'))
    .join('rect')
    .attr('class', 'member-veil')
    .attr('data-node', (s) => s.node)
    .attr('x', (s) => box(s).x1)
    .attr('width', (s) => box(s).w)
    .attr('y', (s) => top(s.node))
    .attr('height', g.laneHeight);
  root
    .selectAll<SVGRectElement, (typeof spans)[number]>('rect.member-stripe')
    .data(spans)
    .join('rect')
    .attr('class', (s) => `member-stripe ${s.status}`)
    .attr('data-node', (s) => s.node)
    .attr('data-status', (s) => s.status)
    .attr('x', (s) => box(s).x1)
    .attr('width', (s) => box(s).w)
    .attr('y', (s) => g.nodeY(s.node) - g.bandHeight / 2 - 5)
    .attr('height', 4)
    .attr('fill', (s) => MEMBER_COLOR[s.status]);
  const labels = spans.flatMap((s) => {
    const left = Math.max(g.plotLeft, x(s.start));
    const room = Math.min(g.plotLeft + g.plotWidth, x(s.end)) - left;
    const long = memberLabel(s.status, model.confs[s.conf].conf, s.node);
    const text = fits(long, room) ? long : fits(s.status, room) ? s.status : '';
    return text ? [{ node: s.node, status: s.status, x: left + 4, y: g.nodeY(s.node) + g.bandHeight / 2 + 12, text }] : [];
  });
  root
    .selectAll<SVGTextElement, (typeof labels)[number]>('text.member-label')
    .data(labels)
    .join('text')
    .attr('class', (l) => `member-label ${l.status}`)
    .attr('data-node', (l) => l.node)
    .attr('x', (l) => l.x)
    .attr('y', (l) => l.y)
    .attr('fill', (l) => MEMBER_COLOR[l.status])
    .text((l) => l.text);
}

/** The config row: one box per configuration, joint ones hatched amber, each labelled with its members. */
export function drawConfigRow(root: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const spans = g.configHeight > 0 ? visible(model.confs, t0, t1) : [];
  const y = g.configTop + 2;
  const h = g.configHeight - 4;
  const cells = spans.map((s) => {
    const x1 = clampX(g, x(s.start));
    const x2 = clampX(g, x(s.end));
    const left = Math.max(g.plotLeft, x1);
    const room = Math.min(g.plotLeft + g.plotWidth, x2) - left;
    const full = confText(s.conf);
    const text = fits(full, room) ? full : fits(full.slice(0, 8), room) ? `${full.slice(0, Math.max(6, Math.floor((room - 8) / 6.3) - 1))}…` : '';
    return { x1, w: Math.max(1, x2 - x1 - 1), joint: s.joint, left, text, index: model.confs.indexOf(s) };
  });
  const cell = root
    .selectAll<SVGGElement, (typeof cells)[number]>('g.conf-cell')
    .data(cells)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'conf-cell');
      e.append('rect').attr('rx', 3);
      e.append('text');
      return e;
    })
    .attr('data-conf', (c) => c.index)
    .classed('joint', (c) => c.joint);
  cell
    .select('rect')
    .attr('x', (c) => c.x1)
    .attr('width', (c) => c.w)
    .attr('y', y)
    .attr('height', h)
    .attr('fill', (c) => (c.joint ? 'url(#hatch-joint)' : '#eef1f5'))
    .attr('stroke', (c) => (c.joint ? JOINT_COLOR : '#cfd6de'));
  cell
    .select('text')
    .attr('class', (c) => `conf-label${c.joint ? ' joint' : ''}`)
    .attr('x', (c) => c.left + 5)
    .attr('y', y + h / 2 + 4)
    .text((c) => c.text);
}

/** Indices of the marks inside [t0, t1], thinned when there are too many to read. */
export function marksInView(model: Model, x: TimeScale, t0: number, t1: number): { rows: number[]; dense: boolean } {
  const all = model.laneMarks;
  const lo = upperBound(all.length, (i) => all[i].t, t0 - 1e-9);
  const hi = upperBound(all.length, (i) => all[i].t, t1);
  const dense = hi - lo > DENSE_MARKS;
  const rows: number[] = [];
  // Compactions are routine and can number thousands: one per lane and pixel column.
  const seen = new Set<number>();
  for (let i = lo; i < hi; i++) {
    const m = all[i];
    const key = Math.round(x(m.t)) * 64 + m.node;
    if (dense && m.kind === 'snapshot' && seen.has(key)) continue;
    seen.add(key);
    rows.push(i);
  }
  return { rows, dense };
}

interface DrawnMark {
  readonly mark: LaneMark;
  readonly index: number;
  readonly x: number;
  readonly label: string;
}

/** Compactions as brown ticks across the band, installed snapshots and step-downs as labelled flags. */
export function drawLaneMarks(root: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const { rows, dense } = marksInView(model, x, t0, t1);
  const drawn = withLabels(model.laneMarks, rows, x, dense);
  const bh = g.bandHeight;
  const mark = root
    .selectAll<SVGGElement, DrawnMark>('g.lane-mark')
    .data(drawn, (d) => d.index)
    .join((enter) => {
      const e = enter.append('g');
      e.append('path');
      e.append('text');
      return e;
    })
    .attr('class', (d) => `lane-mark ${d.mark.kind}`)
    .attr('data-node', (d) => d.mark.node);
  mark
    .select('path')
    .attr('d', (d) => {
      const y = g.nodeY(d.mark.node);
      if (d.mark.kind === 'snapshot') return `M${d.x},${y - bh / 2}V${y + bh / 2}`;
      if (d.mark.kind === 'install') return `M${d.x},${y - bh / 2 - 5}V${y + bh / 2 + 5}M${d.x - 4},${y + bh / 2 + 1}L${d.x},${y + bh / 2 + 5}L${d.x + 4},${y + bh / 2 + 1}`;
      return `M${d.x - 5},${y - bh / 2 - 7}H${d.x + 5}L${d.x},${y - bh / 2}Z`;
    })
    .attr('stroke', (d) => (d.mark.kind === 'stepDown' ? STEP_DOWN_COLOR : SNAPSHOT_COLOR))
    .attr('fill', (d) => (d.mark.kind === 'stepDown' ? STEP_DOWN_COLOR : 'none'));
  mark
    .select('text')
    .attr('x', (d) => d.x + (d.mark.kind === 'snapshot' ? 3 : 6))
    .attr('y', (d) => (d.mark.kind === 'snapshot' ? g.nodeY(d.mark.node) + bh / 2 + 10 : g.nodeY(d.mark.node) - bh / 2 - 5))
    .attr('fill', (d) => (d.mark.kind === 'stepDown' ? STEP_DOWN_COLOR : SNAPSHOT_COLOR))
    .text((d) => d.label);
}

/** A compaction's label is drawn only up to the next compaction on its lane; the rare kinds always. */
function withLabels(all: readonly LaneMark[], rows: readonly number[], x: TimeScale, dense: boolean): DrawnMark[] {
  const nextX = new Map<number, number>();
  const out: DrawnMark[] = new Array(rows.length);
  for (let i = rows.length - 1; i >= 0; i--) {
    const m = all[rows[i]];
    const px = x(m.t);
    const room = (nextX.get(m.node) ?? Infinity) - px;
    const label = m.kind !== 'snapshot' ? m.label : !dense && fits(m.label, room) ? m.label : '';
    out[i] = { mark: m, index: rows[i], x: px, label };
    if (m.kind === 'snapshot') nextX.set(m.node, px);
  }
  return out;
}

/** The arc of a transfer: from the old leader's band when it starts to the target's when it ends. */
export function transferPath(s: TransferSpan, x: TimeScale, g: Geometry): string {
  const x1 = clampX(g, x(s.start));
  const x2 = clampX(g, x(s.end));
  const down = g.nodeY(s.to) > g.nodeY(s.from) ? 1 : -1;
  const y1 = g.nodeY(s.from) + down * (g.bandHeight / 2);
  const y2 = g.nodeY(s.to) - down * (g.bandHeight / 2 + 2);
  const bulge = Math.max(14, Math.min(60, (x2 - x1) / 2 + 14));
  return `M${x1},${y1}C${x1 + bulge},${y1} ${x2 - bulge},${y2} ${x2},${y2}`;
}

export function drawTransfers(root: G, model: Model, x: TimeScale, g: Geometry, t0: number, t1: number): void {
  const spans = visible(model.transfers, t0, t1);
  const arc = root
    .selectAll<SVGGElement, TransferSpan>('g.transfer')
    .data(spans)
    .join((enter) => {
      const e = enter.append('g');
      e.append('path').attr('class', 'transfer-arc');
      e.append('text').attr('class', 'transfer-label');
      e.append('text').attr('class', 'transfer-end');
      return e;
    })
    .attr('class', (s) => `transfer ${s.outcome}`)
    .attr('data-from', (s) => s.from)
    .attr('data-to', (s) => s.to);
  arc
    .select('path')
    .attr('d', (s) => transferPath(s, x, g))
    .attr('stroke', TRANSFER_COLOR)
    .attr('stroke-dasharray', (s) => (s.outcome === 'finished' ? null : '5 3'))
    .attr('marker-end', (s) => (s.outcome === 'finished' ? 'url(#transfer-arrow)' : null));
  arc
    .select('text.transfer-label')
    .attr('x', (s) => clampX(g, x(s.start)) + 4)
    .attr('y', (s) => g.nodeY(s.from) - g.bandHeight / 2 - 5)
    .text((s) => `⇢ transfer ${s.from}→${s.to}${s.outcome === 'abandoned' ? ' ✕ abandoned' : s.outcome === 'open' ? ' …' : ''}`);
  // An abandoned transfer ends with a cross on the old leader's lane, where it gave up.
  arc
    .select('text.transfer-end')
    .attr('x', (s) => clampX(g, x(s.end)) - 4)
    .attr('y', (s) => g.nodeY(s.from) + 4)
    .text((s) => (s.outcome === 'abandoned' ? '✕' : ''));
}
