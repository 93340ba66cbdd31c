import type { NodeId } from '../src/raft/types.js';
import type { FaultAction, NodeRef } from './scenario.js';
import type { Cluster } from './cluster.js';
import type { RandomStream } from './random.js';

/**
 * Carries out one fault and returns it as it happened, every node reference resolved to
 * a node id (so a run's faults can be replayed, or shrunk, as an explicit schedule).
 * References resolve at the moment the fault fires: 'leader' is whoever leads then (the
 * newest term wins), 'random' draws from the nemesis stream. A fault whose target does
 * not exist is skipped with a note, and returns undefined.
 */
export function applyFault(cluster: Cluster, action: FaultAction, random: RandomStream): FaultAction | undefined {
  switch (action.action) {
    case 'partition': {
      const groups = action.groups.map((group) => group.map((ref) => resolve(cluster, ref, random)));
      if (groups.some((group) => group.includes(undefined))) return skip(cluster, `partition skipped: no ${JSON.stringify(action.groups)}`);
      const ids = groups as NodeId[][];
      cluster.partition(ids, `partition ${ids.map((g) => `[${g.join(',')}]`).join(' | ')}`);
      return { ...action, groups: ids };
    }
    case 'isolate': {
      const node = resolve(cluster, action.node, random);
      if (node === undefined) return skip(cluster, `isolate skipped: no ${action.node} node`);
      cluster.partition([[node]], `isolate ${node}`);
      return { ...action, node };
    }
    case 'cut': {
      const from = resolve(cluster, action.from, random);
      const to = resolve(cluster, action.to, random);
      if (from === undefined || to === undefined) return skip(cluster, 'cut skipped: no such node');
      cluster.cut(from, to);
      return { ...action, from, to };
    }
    case 'heal':
      cluster.heal();
      return action;
    case 'crash':
      return forNode(cluster, action, action.node, random, (id) => cluster.crash(id));
    case 'restart':
      if (action.node === 'all') {
        cluster.restartAll();
        return action;
      }
      return forNode(cluster, action, action.node, random, (id) => cluster.restart(id));
    case 'pause':
      return forNode(cluster, action, action.node, random, (id) => cluster.pause(id));
    case 'resume':
      if (action.node === 'all') {
        cluster.resumeAll();
        return action;
      }
      return forNode(cluster, action, action.node, random, (id) => cluster.resume(id));
    case 'network': {
      const settings = { ...cluster.networkSettings(), ...action.settings };
      cluster.setNetwork(settings);
      return { ...action, settings };
    }
  }
}

type NodeAction = Extract<FaultAction, { node: unknown }>;

function forNode(cluster: Cluster, action: NodeAction, ref: NodeRef, random: RandomStream, act: (id: NodeId) => void): FaultAction | undefined {
  const id = resolve(cluster, ref, random);
  if (id === undefined) return skip(cluster, `${action.action} skipped: no ${ref} node`);
  act(id);
  return { ...action, node: id };
}

function skip(cluster: Cluster, text: string): undefined {
  cluster.note(text);
  return undefined;
}

export function resolve(cluster: Cluster, ref: NodeRef, random: RandomStream): NodeId | undefined {
  if (typeof ref === 'number') return ref;
  if (ref === 'leader') return cluster.leader();
  const candidates = ref === 'follower' ? cluster.liveFollowers() : cluster.ids();
  return candidates.length === 0 ? undefined : random.pick(candidates);
}
