import type { ScaleLinear } from 'd3';
import { upperBound } from '../prepare.js';
import type { Model } from '../types.js';
import type { Geometry } from './geometry.js';
import type { Item } from './store.js';

/**
 * Hit tests for the newer Raft marks. Lane marks and transfer arcs are small and sit
 * above the messages, so they are asked before the messages are.
 */

type X = ScaleLinear<number, number>;

/** A compaction, installed snapshot or step-down within a few pixels; the rare kinds win over compactions. */
export function laneMarkAt(model: Model, x: X, g: Geometry, px: number, py: number): Item | null {
  const node = g.nodeAt(py);
  if (node === 0 || Math.abs(py - g.nodeY(node)) > g.bandHeight / 2 + 14) return null;
  const all = model.laneMarks;
  const lo = upperBound(all.length, (i) => all[i].t, x.invert(px - 6));
  const hi = upperBound(all.length, (i) => all[i].t, x.invert(px + 6));
  let best = -1;
  for (let i = lo; i < hi; i++) {
    if (all[i].node !== node) continue;
    if (best < 0 || (all[best].kind === 'snapshot' && all[i].kind !== 'snapshot')) best = i;
  }
  return best >= 0 ? { kind: 'laneMark', index: best } : null;
}

/** Near a transfer's arc (sampled along its curve) or on its label above the old leader's band. */
export function transferAt(model: Model, x: X, g: Geometry, px: number, py: number): Item | null {
  const [t0, t1] = x.domain();
  for (let i = 0; i < model.transfers.length; i++) {
    const s = model.transfers[i];
    if (s.end < t0 || s.start > t1) continue;
    const x1 = x(s.start);
    const x2 = x(s.end);
    const label = py <= g.nodeY(s.from) - g.bandHeight / 2 && py >= g.nodeY(s.from) - g.bandHeight / 2 - 14 && px >= x1 && px <= x1 + 110;
    if (label) return { kind: 'transfer', index: i };
    const down = g.nodeY(s.to) > g.nodeY(s.from) ? 1 : -1;
    const y1 = g.nodeY(s.from) + down * (g.bandHeight / 2);
    const y2 = g.nodeY(s.to) - down * (g.bandHeight / 2 + 2);
    const bulge = Math.max(14, Math.min(60, (x2 - x1) / 2 + 14));
    for (let k = 0; k <= 24; k++) {
      const u = k / 24;
      const v = 1 - u;
      const cx = v * v * v * x1 + 3 * v * v * u * (x1 + bulge) + 3 * v * u * u * (x2 - bulge) + u * u * u * x2;
      const cy = v * v * v * y1 + 3 * v * v * u * y1 + 3 * v * u * u * y2 + u * u * u * y2;
      if (Math.abs(cx - px) < 5 && Math.abs(cy - py) < 5) return { kind: 'transfer', index: i };
    }
  }
  return null;
}

/** The membership stripe above a non-voter's band, or its label below. */
export function memberAt(model: Model, g: Geometry, t: number, py: number): Item | null {
  const node = g.nodeAt(py);
  const dy = node === 0 ? 0 : py - g.nodeY(node);
  const half = g.bandHeight / 2;
  const onStripe = dy >= -half - 7 && dy <= -half;
  const onLabel = dy >= half + 1 && dy <= half + 15;
  if (node === 0 || !(onStripe || onLabel)) return null;
  const index = model.members.findIndex((s) => s.node === node && s.status !== 'voter' && s.start <= t && t < s.end);
  return index >= 0 ? { kind: 'member', index } : null;
}

export function confAt(model: Model, g: Geometry, t: number, py: number): Item | null {
  if (g.configHeight === 0 || py < g.configTop || py >= g.configTop + g.configHeight) return null;
  const index = model.confs.findIndex((c) => c.start <= t && t < c.end);
  return { kind: 'conf', index: index >= 0 ? index : model.confs.length - 1 };
}
