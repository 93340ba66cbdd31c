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
    case 'uncut': {
      const from = resolve(cluster, action.from, random);
      const to = resolve(cluster, action.to, random);
      if (from === undefined || to === undefined) return skip(cluster, 'uncut skipped: no such node');
      cluster.uncut(from, to);
      return { ...action, from, to };
    }
    case 'clog':
    case 'unclog': {
      const from = resolve(cluster, action.from, random);
      const to = resolve(cluster, action.to, random);
      if (from === undefined || to === undefined) return skip(cluster, `${action.action} skipped: no such node`);
      if (action.action === 'clog') cluster.clog(from, to);
      else cluster.unclog(from, to);
      return { ...action, from, to };
    }
    case 'bridge': {
      const bridge = action.node === undefined ? random.pick(cluster.ids()) : resolve(cluster, action.node, random);
      if (bridge === undefined) return skip(cluster, `bridge skipped: no ${action.node} node`);
      const others = random.shuffled(cluster.ids().filter((id) => id !== bridge));
      const half = Math.ceil(others.length / 2);
      const sides = [others.slice(0, half).sort(byId), others.slice(half).sort(byId)];
      return setCuts(cluster, action.at, crossCuts(sides[0], sides[1]), `bridge ${bridge}: [${sides[0].join(',')}] | [${sides[1].join(',')}]`);
    }
    case 'ring': {
      const ring = random.shuffled(cluster.ids());
      return setCuts(cluster, action.at, ringCuts(ring), `ring ${ring.join('-')}`);
    }
    case 'cuts': {
      const links = action.links.map(([from, to]) => [resolve(cluster, from, random), resolve(cluster, to, random)] as const);
      if (links.some(([from, to]) => from === undefined || to === undefined)) return skip(cluster, 'cuts skipped: no such node');
      return setCuts(cluster, action.at, links as [NodeId, NodeId][], action.label ?? `cuts ${links.map(([f, t]) => `${f}→${t}`).join(' ')}`);
    }
    case 'heal':
      cluster.heal();
      return action;
    case 'crash': {
      const fate = action.unsynced ?? 'lose';
      // How much of what was unsynced reaches the disk is drawn now, and written down.
      const keep = fate === 'lose' ? undefined : (action.keep ?? random.int(0, 3));
      return forNode(cluster, { ...action, ...(keep === undefined ? {} : { keep }) }, action.node, random, (id) => cluster.crash(id, fate, keep));
    }
    case 'kill':
      return forNode(cluster, action, action.node, random, (id) => cluster.kill(id));
    case 'clock':
      return forNode(cluster, action, action.node, random, (id) => cluster.setClockRate(id, action.rate));
    case 'disk':
      return forNode(cluster, action, action.node, random, (id) => cluster.setSyncDelay(id, action.syncMs));
    case 'crash-voter':
      cluster.armVoteTrap(action.restartAfterMs);
      return action;
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
    case 'transfer': {
      const leader = cluster.leader();
      if (leader === undefined) return skip(cluster, 'transfer skipped: no leader');
      const others = cluster.ids().filter((id) => id !== leader);
      const to = action.to === undefined ? (others.length === 0 ? undefined : random.pick(others)) : resolve(cluster, action.to, random);
      if (to === undefined) return skip(cluster, `transfer skipped: no ${action.to ?? 'other'} node`);
      cluster.transferLeadership(leader, to);
      return { ...action, to };
    }
    case 'drop':
      // Carried out by the network when the message is sent (Network.dropWhenSent); listed here so the schedule keeps it.
      return action;
    case 'network': {
      const settings = { ...cluster.networkSettings(), ...action.settings };
      cluster.setNetwork(settings);
      return { ...action, settings };
    }
    case 'add-learner':
    case 'add-voter':
    case 'remove':
      return forNode(cluster, action, action.node, random, (id) => cluster.proposeConfChange({ changes: [{ type: action.action, node: id }] }));
    case 'promote':
      return forNode(cluster, action, action.node, random, (id) => {
        if (cluster.isLearner(id)) cluster.proposeConfChange({ changes: [{ type: 'add-voter', node: id }] });
        else cluster.note(`promote skipped: node ${id} is no learner`);
      });
    case 'joint': {
      const changes = [...action.add.map((node) => ({ type: 'add-voter' as const, node })), ...action.remove.map((node) => ({ type: 'remove' as const, node }))];
      cluster.proposeConfChange({ changes, joint: true, ...(action.autoLeave === undefined ? {} : { autoLeave: action.autoLeave }) });
      return action;
    }
    case 'leave-joint':
      cluster.proposeConfChange({ changes: [] });
      return action;
  }
}

type NodeAction = Extract<FaultAction, { node: unknown }>;

function forNode(cluster: Cluster, action: NodeAction, ref: NodeRef, random: RandomStream, act: (id: NodeId) => void): FaultAction | undefined {
  const id = resolve(cluster, ref, random);
  if (id === undefined) return skip(cluster, `${action.action} skipped: no ${ref} node`);
  act(id);
  return { ...action, node: id };
}

function setCuts(cluster: Cluster, at: number, links: [NodeId, NodeId][], label: string): FaultAction {
  cluster.setCuts(links, label);
  // The label goes along, so the schedule written down replays the very same trace.
  return { at, action: 'cuts', links, label };
}

/** Both directions of every link between two groups. */
function crossCuts(a: readonly NodeId[], b: readonly NodeId[]): [NodeId, NodeId][] {
  return a.flatMap((x) => b.flatMap((y): [NodeId, NodeId][] => [[x, y], [y, x]])).sort(byLink);
}

/**
 * Nodes in ring order; each keeps the links to the nodes within `reach` places of it, so
 * that it sees a majority (itself included) and neighbouring nodes see different ones.
 */
function ringCuts(ring: readonly NodeId[]): [NodeId, NodeId][] {
  const n = ring.length;
  const majority = Math.floor(n / 2) + 1;
  const reach = Math.ceil((majority - 1) / 2);
  const cuts: [NodeId, NodeId][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
      if (distance > reach) cuts.push([ring[i], ring[j]]);
    }
  }
  return cuts.sort(byLink);
}

function byId(a: number, b: number): number {
  return a - b;
}

function byLink(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
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
