import type { Model } from '../types.js';

/** Where each lane sits, in pixels of the timeline's drawing area. */
export interface Geometry {
  readonly width: number;
  readonly height: number;
  /** Left gutter for lane labels; the plot spans [plotLeft, plotLeft + plotWidth]. */
  readonly plotLeft: number;
  readonly plotWidth: number;
  readonly rulerTop: number;
  readonly rulerHeight: number;
  /** The strip above the lanes where faults, partitions and violations are labelled. */
  readonly stripTop: number;
  readonly stripHeight: number;
  /** The cluster's configuration row under the strip; 0 high when membership never changes. */
  readonly configTop: number;
  readonly configHeight: number;
  readonly nodeTop: number;
  readonly laneHeight: number;
  readonly bandHeight: number;
  readonly clientsTop: number;
  readonly clientHeight: number;
  readonly lanesBottom: number;
  nodeY(node: number): number;
  /** Lane centre of any address: a server's lane or a client's. */
  addressY(address: number): number;
  /** Half the height of what an arrow attaches to at that address (band or op bar). */
  edgeHalf(address: number): number;
  clientY(client: number): number;
  /** Node lane under a y, or 0. */
  nodeAt(y: number): number;
  clientAt(y: number): number | undefined;
}

export function layout(model: Model, width: number, height: number): Geometry {
  const plotLeft = 78;
  const plotWidth = Math.max(100, width - plotLeft - 14);
  const rulerTop = 0;
  const rulerHeight = 26;
  const stripTop = rulerTop + rulerHeight;
  const stripHeight = 30;
  const configTop = stripTop + stripHeight;
  const configHeight = model.membershipInPlay ? 20 : 0;
  const nodeTop = configTop + configHeight + 4;
  const clients = model.clients;
  const clientHeight = clients.length === 0 ? 0 : Math.max(14, Math.min(26, Math.floor((height * 0.35) / clients.length)));
  const clientsBlock = clients.length === 0 ? 0 : 22 + clients.length * clientHeight;
  const available = height - nodeTop - clientsBlock - 8;
  const laneHeight = Math.max(34, Math.min(110, Math.floor(available / Math.max(1, model.nodes.length))));
  const bandHeight = Math.max(12, Math.min(22, Math.round(laneHeight * 0.32)));
  const clientsTop = nodeTop + laneHeight * model.nodes.length + (clients.length === 0 ? 0 : 22);
  const lanesBottom = clientsTop + clients.length * clientHeight;
  const nodeIndex = new Map(model.nodes.map((n, i) => [n, i]));
  const clientIndex = new Map(clients.map((c, i) => [c, i]));
  return {
    width,
    height: Math.max(height, lanesBottom + 8),
    plotLeft,
    plotWidth,
    rulerTop,
    rulerHeight,
    stripTop,
    stripHeight,
    configTop,
    configHeight,
    nodeTop,
    laneHeight,
    bandHeight,
    clientsTop,
    clientHeight,
    lanesBottom,
    nodeY: (node) => nodeTop + ((nodeIndex.get(node) ?? 0) + 0.5) * laneHeight,
    addressY: (address) => {
      const n = nodeIndex.get(address);
      if (n !== undefined) return nodeTop + (n + 0.5) * laneHeight;
      const c = clientIndex.get(address);
      return c !== undefined ? clientsTop + (c + 0.5) * clientHeight : nodeTop;
    },
    edgeHalf: (address) => (nodeIndex.has(address) ? bandHeight / 2 + 1 : Math.max(8, clientHeight - 6) / 2 + 1),
    clientY: (client) => clientsTop + ((clientIndex.get(client) ?? 0) + 0.5) * clientHeight,
    nodeAt: (y) => {
      const i = Math.floor((y - nodeTop) / laneHeight);
      return i >= 0 && i < model.nodes.length ? model.nodes[i] : 0;
    },
    clientAt: (y) => {
      const i = Math.floor((y - clientsTop) / Math.max(1, clientHeight));
      return i >= 0 && i < clients.length ? clients[i] : undefined;
    },
  };
}
