import type { ScaleLinear } from 'd3';
import type { Geometry } from './geometry.js';
import { confAt, laneMarkAt, memberAt, transferAt } from './hit-raft.js';
import { faultGlyph } from './front-layer.js';
import { messageAt } from './messages-layer.js';
import type { Item, Store } from './store.js';

/**
 * What is under the pointer. Layers draw with pointer-events off and this one
 * function answers from the model, so canvas messages and SVG shapes behave alike.
 */
export function hitTest(store: Store, x: ScaleLinear<number, number>, g: Geometry, px: number, py: number): Item | null {
  const { model } = store;
  if (px < g.plotLeft || px > g.plotLeft + g.plotWidth) return null;
  const t = x.invert(px);
  const slack = Math.abs(x.invert(px + 3) - t);
  const covers = (s: { start: number; end: number }) => s.start - slack <= t && t <= s.end + slack;
  if (py >= g.stripTop && py < g.stripTop + g.stripHeight) {
    const v = model.markers.findIndex((m) => m.kind === 'violation' && Math.abs(x(m.t) - px) < 6);
    if (v >= 0) return { kind: 'marker', index: v };
    const f = model.markers.findIndex((m) => m.kind === 'fault' && faultGlyph(model.events[m.index]) !== '' && Math.abs(x(m.t) + 6 - px) < 8 && py > g.stripTop + g.stripHeight / 2);
    if (f >= 0) return { kind: 'marker', index: f };
    const half = g.stripTop + g.stripHeight / 2;
    const n = model.networks.findIndex(covers);
    if (n >= 0 && (py >= half || !model.partitions.some(covers))) return { kind: 'network', index: n };
    const p = model.partitions.findIndex(covers);
    if (p >= 0) return { kind: 'partition', index: p };
    return null;
  }
  const conf = confAt(model, g, t, py);
  if (conf) return conf;
  const raft = laneMarkAt(model, x, g, px, py) ?? transferAt(model, x, g, px, py);
  if (raft) return raft;
  if (py >= g.nodeTop && py <= g.lanesBottom) {
    const row = messageAt(store, x, g, px, py);
    if (row !== null) return { kind: 'message', row };
  }
  const node = g.nodeAt(py);
  if (node !== 0) {
    const v = model.markers.findIndex((m) => m.kind === 'violation' && Math.abs(x(m.t) - px) < 4);
    if (v >= 0) return { kind: 'marker', index: v };
    const below = py - g.nodeY(node) - g.bandHeight / 2;
    // The drift underline and its label sit just under the band.
    if (below > 1 && below < 16) {
      const c = model.clocks.findIndex((s) => s.node === node && covers(s));
      if (c >= 0) return { kind: 'clock', index: c };
    }
    // The clog's dotted line and its label sit just over the band.
    const over = g.nodeY(node) - g.bandHeight / 2 - py;
    if (over > -1 && over < 14) {
      const c = model.clogs.findIndex((s) => (s.from === node || s.to === node) && covers(s));
      if (c >= 0) return { kind: 'clog', index: c };
    }
    const member = memberAt(model, g, t, py);
    if (member) return member;
    const dy = Math.abs(py - g.nodeY(node));
    if (dy <= g.bandHeight / 2 + 5) {
      const d = model.downs.findIndex((s) => s.node === node && covers(s));
      if (d >= 0) return { kind: 'down', index: d };
      const b = model.bands.findIndex((s) => s.node === node && s.start <= t && t < s.end);
      if (b >= 0) return { kind: 'band', index: b };
    }
    const p = model.partitions.findIndex((s) => covers(s) && s.lanes.some((lane) => lane.node === node));
    if (p >= 0) return { kind: 'partition', index: p };
    return null;
  }
  const client = g.clientAt(py);
  if (client !== undefined) {
    let best = -1;
    model.ops.forEach((op, i) => {
      if (op.client === client && covers(op) && (best < 0 || model.ops[best].start < op.start)) best = i;
    });
    if (best >= 0) return { kind: 'op', index: best };
  }
  return null;
}
