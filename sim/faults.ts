import type { NodeId } from '../src/raft/types.js';
import type { FaultAction, NodeRef } from './scenario.js';
import type { Cluster } from './cluster.js';
import type { RandomStream } from './random.js';

/**
 * Carries out one scheduled fault. Node references resolve at the moment the fault
 * fires: 'leader' is whoever leads then (the newest term wins), 'random' draws from
 * the nemesis stream. A fault whose target does not exist is skipped with a note.
 */
export function applyFault(cluster: Cluster, action: FaultAction, random: RandomStream): void {
  switch (action.action) {
    case 'partition': {
      const groups = action.groups.map((group) => group.map((ref) => resolve(cluster, ref, random)));
      if (groups.some((group) => group.includes(undefined))) return cluster.note(`partition skipped: no ${JSON.stringify(action.groups)}`);
      return cluster.partition(groups as NodeId[][], `partition ${groups.map((g) => `[${g.join(',')}]`).join(' | ')}`);
    }
    case 'isolate': {
      const node = resolve(cluster, action.node, random);
      if (node === undefined) return cluster.note(`isolate skipped: no ${action.node} node`);
      return cluster.partition([[node]], `isolate ${node}`);
    }
    case 'cut': {
      const from = resolve(cluster, action.from, random);
      const to = resolve(cluster, action.to, random);
      if (from === undefined || to === undefined) return cluster.note('cut skipped: no such node');
      return cluster.cut(from, to);
    }
    case 'heal':
      return cluster.heal();
    case 'crash':
      return forNode(cluster, action.node, random, 'crash', (id) => cluster.crash(id));
    case 'restart':
      if (action.node === 'all') return cluster.restartAll();
      return forNode(cluster, action.node, random, 'restart', (id) => cluster.restart(id));
    case 'pause':
      return forNode(cluster, action.node, random, 'pause', (id) => cluster.pause(id));
    case 'resume':
      if (action.node === 'all') return cluster.resumeAll();
      return forNode(cluster, action.node, random, 'resume', (id) => cluster.resume(id));
    case 'network':
      return cluster.setNetwork({ ...cluster.networkSettings(), ...action.settings });
  }
}

function forNode(cluster: Cluster, ref: NodeRef, random: RandomStream, verb: string, act: (id: NodeId) => void): void {
  const id = resolve(cluster, ref, random);
  if (id === undefined) cluster.note(`${verb} skipped: no ${ref} node`);
  else act(id);
}

export function resolve(cluster: Cluster, ref: NodeRef, random: RandomStream): NodeId | undefined {
  if (typeof ref === 'number') return ref;
  if (ref === 'leader') return cluster.leader();
  const candidates = ref === 'follower' ? cluster.liveFollowers() : cluster.ids();
  return candidates.length === 0 ? undefined : random.pick(candidates);
}
