import { axisTop, type ScaleLinear, type Selection } from 'd3';
import type { TraceEvent } from '../../sim/trace.js';
import { rateText } from '../faults.js';
import type { Item } from './store.js';
import type { Store } from './store.js';
import { messageColor, OP_COLOR, TRANSFER_COLOR, VIOLATION_COLOR } from './colors.js';
import { drawLaneMarks, drawTransfers, transferPath } from './raft-layer.js';
import type { Geometry } from './geometry.js';
import { segment } from './messages-layer.js';
import { clampX } from './faults-layer.js';
import { formatTime } from './format.js';

type G = Selection<SVGGElement, unknown, null, undefined>;

/**
 * The layer above the messages: the time ruler, client operations, the
 * linearization drawing, violations, the cursor and the highlighted item.
 */
export class FrontLayer {
  private readonly axis: G;
  private readonly ops: G;
  private readonly lin: G;
  private readonly marks: G;
  private readonly laneMarks: G;
  private readonly transfers: G;
  private readonly highlight: G;
  private readonly cursor: G;

  constructor(
    root: G,
    private readonly store: Store,
  ) {
    const defs = root.append('defs');
    defs.append('clipPath').attr('id', 'front-clip').append('rect');
    defs
      .append('marker')
      .attr('id', 'hl-arrow')
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', 10)
      .attr('markerHeight', 10)
      .attr('orient', 'auto')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10z')
      .attr('fill', '#111');
    defs
      .append('marker')
      .attr('id', 'transfer-arrow')
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 8)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', 9)
      .attr('markerHeight', 9)
      .attr('orient', 'auto')
      .append('path')
      .attr('d', 'M0,0L10,5L0,10z')
      .attr('fill', TRANSFER_COLOR);
    this.axis = root.append('g').attr('class', 'axis');
    const plot = root.append('g').attr('clip-path', 'url(#front-clip)');
    this.ops = plot.append('g').attr('class', 'ops');
    this.lin = plot.append('g').attr('class', 'linearization');
    // Snapshots, step-downs and transfers sit above the message canvas so traffic never buries them.
    this.laneMarks = plot.append('g').attr('class', 'lane-marks');
    this.transfers = plot.append('g').attr('class', 'transfers');
    this.marks = plot.append('g').attr('class', 'marks');
    this.highlight = plot.append('g').attr('class', 'highlight');
    this.cursor = root.append('g').attr('class', 'cursor');
    this.cursor.append('line').attr('class', 'cursor-line');
    this.cursor.append('rect').attr('class', 'cursor-tag').attr('rx', 3);
    this.cursor.append('text').attr('class', 'cursor-text');
  }

  layout(g: Geometry): void {
    const root = this.axis.node()?.ownerSVGElement;
    if (root) {
      const rect = root.querySelector('#front-clip rect');
      rect?.setAttribute('x', String(g.plotLeft));
      rect?.setAttribute('y', '0');
      rect?.setAttribute('width', String(g.plotWidth));
      rect?.setAttribute('height', String(g.height));
    }
  }

  /** `full` redraws what depends on the view; the cursor and highlight always follow. */
  draw(x: ScaleLinear<number, number>, g: Geometry, full: boolean, opRows: readonly number[]): void {
    if (full) this.drawView(x, g, opRows);
    this.drawCursor(x, g);
    this.drawHighlight(x, g);
  }

  private drawView(x: ScaleLinear<number, number>, g: Geometry, opRows: readonly number[]): void {
    const span = this.store.domain[1] - this.store.domain[0];
    this.axis
      .attr('transform', `translate(0,${g.rulerTop + g.rulerHeight})`)
      .call(
        axisTop(x)
          .ticks(Math.max(2, Math.floor(g.plotWidth / 90)))
          .tickFormat((t) => formatTime(Number(t), span))
          .tickSizeOuter(0),
      );
    this.drawOps(x, g, opRows);
    const [t0, t1] = this.store.domain;
    drawLaneMarks(this.laneMarks, this.store.model, x, g, t0, t1);
    drawTransfers(this.transfers, this.store.model, x, g, t0, t1);
    this.drawMarks(x, g);
  }

  /** `shown`: indices of the ops to draw in SVG (empty when the canvas draws them). */
  private drawOps(x: ScaleLinear<number, number>, g: Geometry, shown: readonly number[]): void {
    const { model } = this.store;
    const lin = model.linearization;
    const h = Math.max(8, g.clientHeight - 6);
    this.ops
      .selectAll<SVGGElement, number>('g.op')
      .data(shown as number[], (i) => i)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'op');
        e.append('rect').attr('class', 'op').attr('rx', 3);
        e.append('text').attr('class', 'op-label');
        return e;
      })
      .each(function (i) {
        const op = model.ops[i];
        const x1 = clampX(g, x(op.start));
        const x2 = clampX(g, x(op.end));
        const y = g.clientY(op.client) - h / 2;
        const rect = (this as SVGGElement).querySelector('rect') as SVGRectElement;
        rect.setAttribute('x', String(x1));
        rect.setAttribute('y', String(y));
        rect.setAttribute('width', String(Math.max(2, x2 - x1)));
        rect.setAttribute('height', String(h));
        rect.setAttribute('fill', OP_COLOR[op.status]);
        rect.setAttribute('data-op', String(op.op));
        rect.setAttribute('data-status', op.status);
        const involved = lin?.involved.has(op.op) ?? true;
        const impossible = lin?.impossible.has(op.op) ?? false;
        rect.setAttribute('class', `op${impossible ? ' impossible' : ''}${lin && !involved ? ' faded' : ''}${lin && involved ? ' involved' : ''}`);
        const text = (this as SVGGElement).querySelector('text') as SVGTextElement;
        const left = Math.max(x1, g.plotLeft);
        const room = Math.min(x2, g.plotLeft + g.plotWidth) - left;
        text.textContent = op.label.length * 6 + 8 < room ? op.label : '';
        text.setAttribute('x', String(left + 4));
        text.setAttribute('y', String(y + h / 2 + 4));
      });
    const points = lin ? lin.points.map((p) => ({ x: x(p.t), y: g.clientY(model.ops.find((o) => o.op === p.op)?.client ?? 0) })) : [];
    this.lin
      .selectAll('path')
      .data(points.length > 1 ? [points] : [])
      .join('path')
      .attr('d', (ps) => ps.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(''))
      .attr('class', 'lin-path');
    this.lin
      .selectAll('circle')
      .data(points)
      .join('circle')
      .attr('class', 'lin-point')
      .attr('cx', (p) => p.x)
      .attr('cy', (p) => p.y)
      .attr('r', 4);
  }

  private drawMarks(x: ScaleLinear<number, number>, g: Geometry): void {
    const { model, domain } = this.store;
    const faults = model.markers.filter((m) => m.kind === 'fault' && m.t >= domain[0] && m.t <= domain[1] && faultGlyph(model.events[m.index]) !== '');
    const glyphs = spreadGlyphs(faults.length > 400 ? [] : faults.map((m) => ({ x: x(m.t), text: faultGlyph(model.events[m.index]), kind: model.events[m.index].k })));
    this.marks
      .selectAll<SVGTextElement, (typeof glyphs)[number]>('text.fault-glyph')
      .data(glyphs)
      .join('text')
      .attr('class', (m) => `fault-glyph ${m.kind}`)
      .attr('x', (m) => m.x)
      .attr('y', g.stripTop + g.stripHeight - 4)
      .text((m) => m.text);
    const violations = model.markers.filter((m) => m.kind === 'violation' && m.t >= domain[0] && m.t <= domain[1]);
    const bottom = g.lanesBottom;
    const mark = this.marks
      .selectAll<SVGGElement, (typeof violations)[number]>('g.violation')
      .data(violations)
      .join((enter) => {
        const e = enter.append('g').attr('class', 'violation');
        e.append('line');
        e.append('rect').attr('rx', 3);
        e.append('text');
        return e;
      });
    mark
      .select('line')
      .attr('x1', (m) => x(m.t))
      .attr('x2', (m) => x(m.t))
      .attr('y1', g.stripTop)
      .attr('y2', bottom)
      .attr('stroke', VIOLATION_COLOR)
      .attr('stroke-width', 2.5);
    // The flag names the invariant; the message is in the header, the tooltip and the details.
    const label = (m: (typeof violations)[number]) => `✗ ${(model.events[m.index] as { invariant?: string }).invariant ?? 'violation'}`;
    // Keep the flag on screen: it hangs left of the line near the right edge.
    const anchorLeft = (m: (typeof violations)[number]) => x(m.t) + label(m).length * 6.6 + 12 > g.plotLeft + g.plotWidth;
    mark
      .select('rect')
      .attr('x', (m) => (anchorLeft(m) ? x(m.t) - label(m).length * 6.6 - 12 : x(m.t)))
      .attr('y', g.stripTop + 1)
      .attr('width', (m) => label(m).length * 6.6 + 12)
      .attr('height', g.stripHeight - 2)
      .attr('fill', VIOLATION_COLOR);
    mark
      .select('text')
      .attr('x', (m) => (anchorLeft(m) ? x(m.t) - label(m).length * 6.6 - 6 : x(m.t) + 6))
      .attr('y', g.stripTop + g.stripHeight / 2 + 4)
      .attr('class', 'violation-label')
      .text(label);
  }

  private drawCursor(x: ScaleLinear<number, number>, g: Geometry): void {
    const cx = x(this.store.cursor);
    const inside = cx >= g.plotLeft - 1 && cx <= g.plotLeft + g.plotWidth + 1;
    this.cursor.attr('display', inside ? null : 'none');
    this.cursor.select('line').attr('x1', cx).attr('x2', cx).attr('y1', g.rulerTop + 4).attr('y2', g.lanesBottom);
    const text = formatTime(this.store.cursor, 0);
    const w = text.length * 6.6 + 10;
    const left = Math.min(Math.max(cx - w / 2, g.plotLeft), g.plotLeft + g.plotWidth - w);
    this.cursor.select('rect').attr('x', left).attr('y', g.rulerTop + 1).attr('width', w).attr('height', 16);
    this.cursor.select('text').attr('x', left + w / 2).attr('y', g.rulerTop + 13).text(text);
  }

  private drawHighlight(x: ScaleLinear<number, number>, g: Geometry): void {
    const items = [this.store.selection, this.store.hover].filter((i): i is Item => i !== null);
    const shapes: { d: string; color: string; arrow: boolean; cls: string }[] = [];
    const { model } = this.store;
    items.forEach((item, n) => {
      const cls = n === 0 && item === this.store.selection ? 'selected' : 'hovered';
      if (item.kind === 'message') {
        const [x1, y1, x2, y2] = segment(model.messages, item.row, x, g);
        const type = model.messages.types[model.messages.type[item.row]];
        shapes.push({ d: `M${x1},${y1}L${x2},${y2}`, color: messageColor(type), arrow: model.messages.status[item.row] === 0, cls });
      } else if (item.kind === 'op') {
        const op = model.ops[item.index];
        const h = Math.max(8, g.clientHeight - 6);
        const x1 = clampX(g, x(op.start));
        const x2 = clampX(g, x(op.end));
        const y = g.clientY(op.client) - h / 2;
        shapes.push({ d: `M${x1},${y}H${x2}V${y + h}H${x1}Z`, color: '#111', arrow: false, cls });
      } else if (item.kind === 'band' || item.kind === 'down') {
        const b = item.kind === 'band' ? model.bands[item.index] : model.downs[item.index];
        const h = g.bandHeight + 8;
        const y = g.nodeY(b.node) - h / 2;
        const x1 = clampX(g, x(b.start));
        const x2 = clampX(g, x(b.end));
        shapes.push({ d: `M${x1},${y}H${x2}V${y + h}H${x1}Z`, color: '#111', arrow: false, cls });
      } else if (item.kind === 'transfer') {
        shapes.push({ d: transferPath(model.transfers[item.index], x, g), color: TRANSFER_COLOR, arrow: false, cls });
      } else if (item.kind === 'laneMark') {
        const m = model.laneMarks[item.index];
        const cx = x(m.t);
        const y = g.nodeY(m.node);
        const r = g.bandHeight / 2 + 6;
        shapes.push({ d: `M${cx - 5},${y - r}H${cx + 5}V${y + r}H${cx - 5}Z`, color: '#111', arrow: false, cls });
      } else if (item.kind === 'member') {
        const s = model.members[item.index];
        const y = g.nodeY(s.node) - g.laneHeight / 2 + 1;
        shapes.push({ d: `M${clampX(g, x(s.start))},${y}H${clampX(g, x(s.end))}V${y + 4}H${clampX(g, x(s.start))}Z`, color: '#111', arrow: false, cls });
      } else if (item.kind === 'conf') {
        const c = model.confs[item.index];
        const y = g.configTop + 2;
        shapes.push({ d: `M${clampX(g, x(c.start))},${y}H${clampX(g, x(c.end))}V${y + g.configHeight - 4}H${clampX(g, x(c.start))}Z`, color: '#111', arrow: false, cls });
      }
    });
    this.highlight
      .selectAll('path')
      .data(shapes)
      .join('path')
      .attr('d', (s) => s.d)
      .attr('class', (s) => `hl ${s.cls}`)
      .attr('stroke', (s) => s.color)
      .attr('marker-end', (s) => (s.arrow ? 'url(#hl-arrow)' : null));
  }
}

/**
 * Small strip glyphs for node faults, with the node (`✖2`, `◷4 ×2.5`); partitions and
 * network phases are labelled spans instead.
 */
export function faultGlyph(e: TraceEvent): string {
  switch (e.k) {
    case 'crash':
      return `✖${e.node}${e.torn ? ' torn' : ''}`;
    case 'restart':
      return `↻${e.node}`;
    case 'pause':
      return `❚❚${e.node}`;
    case 'resume':
      return `▶${e.node}`;
    case 'clock':
      return `◷${e.node} ${rateText(e.rate)}`;
    case 'clog':
      return `▥${e.from}→${e.to}`;
    case 'unclog':
      return `⇉${e.from}→${e.to} ${e.released}`;
    case 'disk':
      return e.syncMs > 0 ? `⛁${e.node} ${e.syncMs}ms` : `⛁${e.node}`;
    case 'transfer':
      return e.phase === 'started' ? `⇢${e.from}→${e.to}` : e.phase === 'abandoned' ? `⇢${e.from}→${e.to} ✕` : '';
    case 'confPropose':
      return `⚙ ${e.change.replace(' (explicit leave)', '')}${e.result.startsWith('refused') ? ' ✕' : ''}`;
    case 'note':
      return 'ℹ';
    default:
      return '';
  }
}

/**
 * Faults that fire together (two clocks set at once, a crash and a partition) would
 * print over each other: each glyph starts after the previous one ends. Input is in
 * time order, so a glyph moves right only as far as its neighbour's text reaches.
 */
export function spreadGlyphs<T extends { x: number; text: string }>(glyphs: readonly T[]): T[] {
  let reach = -Infinity;
  return glyphs.map((glyph) => {
    const x = Math.max(glyph.x, reach + 3);
    reach = x + glyph.text.length * 6;
    return { ...glyph, x };
  });
}
