import type { TraceEvent } from '../sim/trace.js';
import { upperBound } from './prepare.js';
import type { ConfState, Role } from './types.js';

/** What a leader believes of one follower; `state` only once the trace said (it does so around snapshots). */
export interface PeerProgress {
  readonly match: number;
  readonly next: number;
  readonly state?: 'probe' | 'replicate' | 'snapshot';
  readonly pendingSnapshot?: number;
}

/** One node as RaftScope shows it, at some moment. */
export interface NodeState {
  readonly id: number;
  role: Role;
  term: number;
  vote: number;
  lead: number;
  commit: number;
  applied: number;
  /** Entry terms: `log[i]` is the term of index i + 1 (0 where unknown: installed from a snapshot). */
  log: number[];
  /** The log up to here is compacted into a snapshot (0: none); its entries are gone from the node. */
  snapIndex: number;
  snapTerm: number;
  /** The membership this node has applied (its own view; a lagging node's differs from the leader's). */
  conf: ConfState;
  status: 'up' | 'crashed' | 'paused';
  /** The node's clock rate (1: true time); its timers and leases run this much faster. */
  clock: number;
  /** What this node, as leader, believes of each peer; empty unless it leads. */
  progress: Map<number, PeerProgress>;
}

export interface ClusterState {
  /** Number of events applied: the state after events[0 .. applied - 1]. */
  readonly applied: number;
  readonly nodes: readonly NodeState[];
  readonly partition: string;
}

/** Every node at boot: empty logs, and the boot configuration every node is given. */
export function initialStates(nodes: readonly number[], conf: ConfState = plainConf(nodes)): NodeState[] {
  return nodes.map((id) => ({
    id,
    role: 'follower',
    term: 0,
    vote: 0,
    lead: 0,
    commit: 0,
    applied: 0,
    log: [],
    snapIndex: 0,
    snapTerm: 0,
    conf,
    status: 'up',
    clock: 1,
    progress: new Map(),
  }));
}

function plainConf(voters: readonly number[]): ConfState {
  return { voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
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
      if (node) node.progress.set(e.peer, { ...node.progress.get(e.peer), match: e.match, next: e.next });
      break;
    case 'progressState': {
      if (!node) break;
      const prev = node.progress.get(e.peer) ?? { match: 0, next: 0 };
      node.progress.set(e.peer, { match: prev.match, next: prev.next, state: e.state, ...(e.pendingSnapshot ? { pendingSnapshot: e.pendingSnapshot } : {}) });
      break;
    }
    case 'snapshot':
      if (!node) break;
      node.snapIndex = e.index;
      node.snapTerm = e.term;
      break;
    case 'installSnapshot':
      if (!node) break;
      // The leader's snapshot replaces the log up to its index; the terms before it are not in the trace.
      node.log.length = 0;
      while (node.log.length < e.index) node.log.push(0);
      node.snapIndex = e.index;
      node.snapTerm = 0;
      node.commit = Math.max(node.commit, e.index);
      node.applied = Math.max(node.applied, e.index);
      break;
    case 'conf':
      if (node) node.conf = e.conf;
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
      // Applying restarts from the snapshot the disk kept, not from index 0 (the trace does not
      // say which snapshot survived, so the last one taken stands, within the synced log).
      node.snapIndex = Math.min(node.snapIndex, e.lastIndex);
      node.applied = node.snapIndex;
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
    private readonly bootConf?: ConfState,
  ) {
    // About 128 checkpoints whatever the length: bounded memory, bounded replay.
    this.interval = interval ?? Math.max(512, Math.ceil(events.length / 128));
    let nodes = initialStates(nodeIds, bootConf);
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
    if (!cp) return { applied: 0, nodes: initialStates(this.nodeIds, this.bootConf), partition: '' };
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
