import type { TraceEvent } from '../sim/trace.js';
import { upperBound } from './prepare.js';
import type { Role } from './types.js';

/** One node as RaftScope shows it, at some moment. */
export interface NodeState {
  readonly id: number;
  role: Role;
  term: number;
  vote: number;
  lead: number;
  commit: number;
  applied: number;
  /** Entry terms: `log[i]` is the term of index i + 1. */
  log: number[];
  status: 'up' | 'crashed' | 'paused';
  /** The node's clock rate (1: true time); its timers and leases run this much faster. */
  clock: number;
  /** What this node, as leader, believes of each peer; empty unless it leads. */
  progress: Map<number, { match: number; next: number }>;
}

export interface ClusterState {
  /** Number of events applied: the state after events[0 .. applied - 1]. */
  readonly applied: number;
  readonly nodes: readonly NodeState[];
  readonly partition: string;
}

function initial(nodes: readonly number[]): NodeState[] {
  return nodes.map((id) => ({
    id,
    role: 'follower',
    term: 0,
    vote: 0,
    lead: 0,
    commit: 0,
    applied: 0,
    log: [],
    status: 'up',
    clock: 1,
    progress: new Map(),
  }));
}

function clone(nodes: readonly NodeState[]): NodeState[] {
  return nodes.map((n) => ({ ...n, log: n.log.slice(), progress: new Map(n.progress) }));
}

/** Applies one event to the cluster state in place; returns the new partition label if it changed. */
export function applyEvent(nodes: readonly NodeState[], e: TraceEvent): string | undefined {
  const node = 'node' in e && typeof e.node === 'number' ? nodes[e.node - 1] : undefined;
  switch (e.k) {
    case 'state':
      if (!node) break;
      if (e.role === 'leader' && node.role !== 'leader') node.progress = new Map();
      if (e.role !== 'leader') node.progress = new Map();
      node.role = e.role;
      node.term = e.term;
      node.vote = e.vote;
      node.lead = e.lead;
      break;
    case 'append':
      if (!node) break;
      node.log.length = Math.min(node.log.length, e.from - 1);
      while (node.log.length < e.from - 1) node.log.push(0);
      for (const term of e.terms) node.log.push(term);
      break;
    case 'commit':
      if (node) node.commit = e.index;
      break;
    case 'apply':
      if (node) node.applied = e.to;
      break;
    case 'progress':
      if (node) node.progress.set(e.peer, { match: e.match, next: e.next });
      break;
    case 'crash':
      if (node) node.status = 'crashed';
      break;
    case 'restart':
      if (!node) break;
      // A restart keeps only what was synced: hard state and the log up to lastIndex.
      node.status = 'up';
      node.role = 'follower';
      node.term = e.term;
      node.vote = e.vote;
      node.lead = 0;
      node.commit = e.commit;
      node.applied = 0;
      node.log.length = Math.min(node.log.length, e.lastIndex);
      while (node.log.length < e.lastIndex) node.log.push(0);
      node.progress = new Map();
      break;
    case 'clock':
      if (node) node.clock = e.rate;
      break;
    case 'pause':
      if (node) node.status = 'paused';
      break;
    case 'resume':
      if (node && node.status === 'paused') node.status = 'up';
      break;
    case 'partition':
      return e.cuts.length === 0 ? '' : e.label;
    default:
      break;
  }
  return undefined;
}

/**
 * State at any moment by replaying events from the nearest checkpoint, so scrubbing
 * across a long trace costs at most one checkpoint interval of replay.
 */
export class StateIndex {
  private readonly checkpoints: { applied: number; nodes: NodeState[]; partition: string }[] = [];
  readonly interval: number;

  constructor(
    private readonly events: readonly TraceEvent[],
    private readonly nodeIds: readonly number[],
    interval?: number,
  ) {
    // About 128 checkpoints whatever the length: bounded memory, bounded replay.
    this.interval = interval ?? Math.max(512, Math.ceil(events.length / 128));
    let nodes = initial(nodeIds);
    let partition = '';
    for (let i = 0; i < events.length; i++) {
      if (i % this.interval === 0) this.checkpoints.push({ applied: i, nodes: clone(nodes), partition });
      const label = applyEvent(nodes, events[i]);
      if (label !== undefined) partition = label;
    }
    nodes = [];
  }

  /** The state after the first `applied` events. */
  afterEvents(applied: number): ClusterState {
    const n = Math.max(0, Math.min(applied, this.events.length));
    const cp = this.checkpoints[Math.min(Math.floor(n / this.interval), this.checkpoints.length - 1)];
    if (!cp) return { applied: 0, nodes: initial(this.nodeIds), partition: '' };
    const nodes = clone(cp.nodes);
    let partition = cp.partition;
    for (let i = cp.applied; i < n; i++) {
      const label = applyEvent(nodes, this.events[i]);
      if (label !== undefined) partition = label;
    }
    return { applied: n, nodes, partition };
  }

  /** The state once every event at or before virtual time `t` has happened. */
  at(t: number): ClusterState {
    return this.afterEvents(upperBound(this.events.length, (i) => this.events[i].t, t));
  }
}
