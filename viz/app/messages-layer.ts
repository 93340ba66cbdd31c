import { upperBound } from '../prepare.js';
import type { ScaleLinear } from 'd3';
import { MSG_DROPPED, MSG_IN_FLIGHT, type Messages } from '../types.js';
import { messageColor, OP_COLOR, VIOLATION_COLOR } from './colors.js';
import { parseRgb, Raster } from './raster.js';

/** Beyond this many messages on screen they are rasterised by hand (see raster.ts). */
const RASTER_ABOVE = 3000;

interface Buckets {
  readonly lines: number[];
  readonly vertical: number[];
  readonly heads: number[];
  readonly crosses: number[];
  readonly dashed: number[];
}
import type { Geometry } from './geometry.js';
import type { Store } from './store.js';

export type TimeScale = (t: number) => number;

/** A message's drawn segment; dropped ones stop halfway, where the network lost them. */
export function segment(m: Messages, row: number, x: TimeScale, g: Geometry): [number, number, number, number] {
  // Arrows leave and enter at the band edges so the role bands stay readable underneath.
  const from = g.addressY(m.from[row]);
  const to = g.addressY(m.to[row]);
  const down = to > from ? 1 : -1;
  const y1 = from === to ? from : from + down * g.edgeHalf(m.from[row]);
  const yTo = from === to ? to : to - down * g.edgeHalf(m.to[row]);
  const y2 = m.status[row] === MSG_DROPPED ? y1 + (yTo - y1) * 0.55 : yTo;
  return [x(m.sendT[row]), y1, x(m.endT[row]), y2];
}

/** Rows that may cross the window [t0, t1]: sent before t1 and not long before t0. */
export function visibleRange(m: Messages, t0: number, t1: number): [number, number] {
  const lo = upperBound(m.count, (i) => m.sendT[i], t0 - m.maxDuration - 1e-9);
  const hi = upperBound(m.count, (i) => m.sendT[i], t1);
  return [lo, hi];
}

/** Calls `fn` for every row on screen that passes the filters, in send order. */
export function forEachVisible(store: Store, fn: (row: number) => void): void {
  const m = store.model.messages;
  const [t0, t1] = store.domain;
  const [lo, hi] = visibleRange(m, t0, t1);
  const hiddenType = new Uint8Array(m.types.length);
  m.types.forEach((type, i) => (hiddenType[i] = store.hiddenTypes.has(type) ? 1 : 0));
  const hiddenNodes = store.hiddenNodes;
  const anyHiddenNode = hiddenNodes.size > 0;
  const visit = (r: number) => {
    if (m.endT[r] < t0 || hiddenType[m.type[r]]) return;
    if (anyHiddenNode && (hiddenNodes.has(m.from[r]) || hiddenNodes.has(m.to[r]))) return;
    fn(r);
  };
  for (const r of m.openRows) if (r < lo && m.sendT[r] <= t1) visit(r);
  for (let r = lo; r < hi; r++) visit(r);
}

export function messageShown(store: Store, row: number): boolean {
  const m = store.model.messages;
  return (
    !store.hiddenTypes.has(m.types[m.type[row]]) && !store.hiddenNodes.has(m.from[row]) && !store.hiddenNodes.has(m.to[row])
  );
}

/**
 * The dense layer: every message as a line on a canvas, only those on screen. When
 * zoomed out thousands share a pixel column, so a message is skipped when one with
 * the same endpoints, type and shape was already drawn in the same column, and the
 * alpha drops with density. Per-address y values and the time scale are hoisted
 * out of the loop: at full zoom-out of a long run it visits 300,000 rows a frame.
 */
export class MessagesLayer {
  private readonly ctx: CanvasRenderingContext2D;
  /** How many messages the last frame drew, for tests and the status line. */
  drawn = 0;
  private ratio = 1;
  private readonly raster: Raster;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly store: Store,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('canvas 2d context unavailable');
    this.ctx = ctx;
    this.raster = new Raster(ctx);
  }

  private rasterize(g: Geometry, byType: readonly Buckets[], count: number): void {
    const q = this.ratio;
    const m = this.store.model.messages;
    const skip = new Uint8Array(this.canvas.height);
    for (const node of this.store.model.nodes) {
      const half = g.bandHeight / 2 + 1;
      for (let y = Math.floor((g.nodeY(node) - half) * q); y <= Math.ceil((g.nodeY(node) + half) * q); y++) if (y >= 0 && y < skip.length) skip[y] = 1;
    }
    this.raster.begin(
      this.canvas.width,
      this.canvas.height,
      { x0: g.plotLeft * q, y0: (g.nodeTop - 2) * q, x1: (g.plotLeft + g.plotWidth) * q, y1: (g.lanesBottom + 2) * q },
      skip,
    );
    const alpha = Math.max(0.08, Math.min(0.8, (0.3 * g.plotWidth) / count));
    m.types.forEach((type, i) => {
      const bucket = byType[i];
      const rgb = parseRgb(messageColor(type));
      for (const list of [bucket.vertical, bucket.lines, bucket.dashed]) {
        for (let j = 0; j < list.length; j += 4) this.raster.line(list[j] * q, list[j + 1] * q, list[j + 2] * q, list[j + 3] * q, rgb, alpha);
      }
    });
    const red = parseRgb(VIOLATION_COLOR);
    for (const bucket of byType) {
      const s = bucket.crosses;
      for (let j = 0; j < s.length; j += 2) {
        const x = s[j] * q;
        const y = s[j + 1] * q;
        const d = 2.5 * q;
        this.raster.line(x - d, y - d, x + d, y + d, red, 0.9);
        this.raster.line(x - d, y + d, x + d, y - d, red, 0.9);
      }
    }
    this.raster.end();
  }

  resize(g: Geometry): void {
    const ratio = window.devicePixelRatio || 1;
    this.ratio = ratio;
    this.canvas.width = Math.round(g.width * ratio);
    this.canvas.height = Math.round(g.height * ratio);
    this.canvas.style.width = `${g.width}px`;
    this.canvas.style.height = `${g.height}px`;
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  }

  clear(g: Geometry): void {
    this.ctx.clearRect(0, 0, g.width, g.height);
  }

  draw(x: ScaleLinear<number, number>, g: Geometry): void {
    const { ctx, store } = this;
    const m = store.model.messages;
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.plotLeft, g.nodeTop - 2, g.plotWidth, g.lanesBottom - g.nodeTop + 4);
    ctx.clip();
    const [d0, d1] = x.domain();
    const [r0, r1] = x.range();
    const k = (r1 - r0) / (d1 - d0);
    const b = r0 - k * d0;
    const addresses = [...store.model.nodes, ...store.model.clients];
    const maxAddress = Math.max(...addresses, 1) + 1;
    const laneY = new Float64Array(maxAddress);
    const edge = new Float64Array(maxAddress);
    // Dense lane numbers keep the de-duplication table small whatever the client addresses.
    const lane = new Int32Array(maxAddress);
    addresses.forEach((a, i) => {
      laneY[a] = g.addressY(a);
      edge[a] = g.edgeHalf(a);
      lane[a] = i;
    });
    const lanes = addresses.length;
    const byType: Buckets[] = m.types.map(() => ({ lines: [], vertical: [], heads: [], crosses: [], dashed: [] }));
    // Last pixel column drawn for each (from, to, type, length bucket): rows come in send order.
    const combos = lanes * lanes * m.types.length * 8;
    const lastColumn = combos <= 4_000_000 ? new Float64Array(combos).fill(-1) : null;
    let count = 0;
    forEachVisible(store, (r) => {
      const from = m.from[r];
      const to = m.to[r];
      const x1 = k * m.sendT[r] + b;
      const x2 = k * m.endT[r] + b;
      if (lastColumn && x2 - x1 < 3) {
        const column = Math.round(x1);
        const key = ((lane[from] * lanes + lane[to]) * m.types.length + m.type[r]) * 8 + Math.max(0, Math.min(7, Math.round(x2 - x1) * 2));
        if (lastColumn[key] === column) return;
        lastColumn[key] = column;
      }
      const yFrom = laneY[from];
      const yTo = laneY[to];
      const down = yTo > yFrom ? 1 : -1;
      const y1 = yFrom === yTo ? yFrom : yFrom + down * edge[from];
      const yEnd = yFrom === yTo ? yTo : yTo - down * edge[to];
      const dropped = m.status[r] === MSG_DROPPED;
      const y2 = dropped ? y1 + (yEnd - y1) * 0.55 : yEnd;
      count++;
      const bucket = byType[m.type[r]];
      // Near-vertical lines (zoomed out) fill as thin rectangles: far cheaper than stroked paths.
      const target = m.copyOf[r] >= 0 ? bucket.dashed : x2 - x1 < 1 ? bucket.vertical : bucket.lines;
      target.push(x1, y1, x2, y2);
      if (dropped) bucket.crosses.push(x2, y2);
      else if (m.status[r] !== MSG_IN_FLIGHT && (x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1) > 144) bucket.heads.push(x1, y1, x2, y2);
    });
    this.drawn = count;
    if (count > RASTER_ABOVE) {
      this.rasterize(g, byType, count);
      ctx.restore();
      return;
    }
    // Fade with density: zoomed out, the bands tell the story and messages are texture.
    const perPixel = count / g.plotWidth;
    const dense = perPixel > 0.6;
    ctx.globalAlpha = Math.max(0.12, Math.min(0.9, 0.5 / perPixel));
    ctx.lineWidth = dense ? 0.8 : 1.3;
    m.types.forEach((type, i) => {
      const bucket = byType[i];
      if (bucket.lines.length + bucket.dashed.length === 0) return;
      const color = messageColor(type);
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      strokeSegments(ctx, bucket.lines);
      fillVertical(ctx, bucket.vertical, dense ? 0.8 : 1.2);
      ctx.setLineDash([4, 3]);
      strokeSegments(ctx, bucket.dashed);
      ctx.setLineDash([]);
      arrowHeads(ctx, bucket.heads, dense ? 5 : 7);
      crosses(ctx, bucket.crosses, dense ? 3 : 4.5);
    });
    ctx.restore();
    ctx.globalAlpha = 1;
  }

  /** Client operations as plain rectangles, for views with too many for SVG. */
  drawOps(x: ScaleLinear<number, number>, g: Geometry, rows: readonly number[]): void {
    const { ctx, store } = this;
    const ops = store.model.ops;
    const lin = store.model.linearization;
    const h = Math.max(8, g.clientHeight - 6);
    ctx.save();
    ctx.beginPath();
    ctx.rect(g.plotLeft, g.clientsTop, g.plotWidth, g.lanesBottom - g.clientsTop);
    ctx.clip();
    for (const status of ['ok', 'fail', 'info', 'pending'] as const) {
      ctx.fillStyle = OP_COLOR[status];
      ctx.beginPath();
      for (const i of rows) {
        const op = ops[i];
        if (op.status !== status) continue;
        const x1 = Math.max(g.plotLeft - 2, x(op.start));
        const x2 = Math.min(g.plotLeft + g.plotWidth + 2, x(op.end));
        ctx.globalAlpha = lin && !lin.involved.has(op.op) ? 0.3 : 1;
        ctx.rect(x1, g.clientY(op.client) - h / 2, Math.max(1, x2 - x1), h);
      }
      ctx.fill();
    }
    ctx.restore();
    ctx.globalAlpha = 1;
  }
}

function fillVertical(ctx: CanvasRenderingContext2D, s: number[], width: number): void {
  if (s.length === 0) return;
  ctx.beginPath();
  for (let i = 0; i < s.length; i += 4) {
    const top = Math.min(s[i + 1], s[i + 3]);
    ctx.rect(s[i] - width / 2, top, width, Math.abs(s[i + 3] - s[i + 1]));
  }
  ctx.fill();
}

function strokeSegments(ctx: CanvasRenderingContext2D, s: number[]): void {
  if (s.length === 0) return;
  ctx.beginPath();
  for (let i = 0; i < s.length; i += 4) {
    ctx.moveTo(s[i], s[i + 1]);
    ctx.lineTo(s[i + 2], s[i + 3]);
  }
  ctx.stroke();
}

function arrowHeads(ctx: CanvasRenderingContext2D, s: number[], size: number): void {
  if (s.length === 0) return;
  ctx.beginPath();
  for (let i = 0; i < s.length; i += 4) {
    const angle = Math.atan2(s[i + 3] - s[i + 1], s[i + 2] - s[i]);
    const x = s[i + 2];
    const y = s[i + 3];
    ctx.moveTo(x, y);
    ctx.lineTo(x - size * Math.cos(angle - 0.4), y - size * Math.sin(angle - 0.4));
    ctx.lineTo(x - size * Math.cos(angle + 0.4), y - size * Math.sin(angle + 0.4));
    ctx.closePath();
  }
  ctx.fill();
}

function crosses(ctx: CanvasRenderingContext2D, s: number[], size: number): void {
  if (s.length === 0) return;
  const width = ctx.lineWidth;
  ctx.lineWidth = 1.8;
  ctx.strokeStyle = '#d62728';
  ctx.beginPath();
  for (let i = 0; i < s.length; i += 2) {
    ctx.moveTo(s[i] - size, s[i + 1] - size);
    ctx.lineTo(s[i] + size, s[i + 1] + size);
    ctx.moveTo(s[i] - size, s[i + 1] + size);
    ctx.lineTo(s[i] + size, s[i + 1] - size);
  }
  ctx.stroke();
  ctx.lineWidth = width;
}

/** The message nearest to a point, within `radius` pixels, among those drawn. */
export function messageAt(store: Store, x: ScaleLinear<number, number>, g: Geometry, px: number, py: number, radius = 5): number | null {
  const m = store.model.messages;
  const t0 = x.invert(px - radius);
  const t1 = x.invert(px + radius);
  let best: number | null = null;
  let bestDistance = radius;
  forEachVisible(store, (r) => {
    if (m.sendT[r] > t1 || m.endT[r] < t0) return;
    const [x1, y1, x2, y2] = segment(m, r, x, g);
    const d = distanceToSegment(px, py, x1, y1, x2, y2);
    if (d <= bestDistance) {
      bestDistance = d;
      best = r;
    }
  });
  return best;
}

export function distanceToSegment(px: number, py: number, x1: number, y1: number, x2: number, y2: number): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const length2 = dx * dx + dy * dy;
  const u = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / length2));
  return Math.hypot(px - (x1 + u * dx), py - (y1 + u * dy));
}
