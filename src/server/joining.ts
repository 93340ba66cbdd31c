import type { NodeId } from '../raft/types.js';
import type { ServerConfig } from './config.js';
import { getJson } from './http-util.js';
import { parseClusterBirth, type ClusterBirth, type MemberTableState } from './member-table.js';
import { CLUSTER_PATH, type ClusterInfo } from './peer-api.js';
import { StartError } from './start-error.js';
import { readWalIdentity, WalError } from './wal.js';

/** Who this member is and which cluster it boots into. */
export interface Birth extends ClusterBirth {
  readonly id: NodeId;
  readonly clusterId: string;
  /** How it was found: for the start-up line. */
  readonly source: 'flags' | 'log' | 'joined';
}

/**
 * As etcd decides at start-up: a member whose data directory already has a log boots from
 * it (with `--initial-cluster-state existing`, from the cluster the log's header records;
 * otherwise the flags must name the member and cluster the log belongs to). A member with
 * no log yet starts a new cluster from `--initial-cluster`, or with `existing` joins a
 * running one: it asks the members listed there who is in the cluster, and finds itself
 * by its peer URL, which `member add` must have named.
 */
export async function resolveBirth(config: ServerConfig, walFile: string): Promise<Birth> {
  const logged = readWalIdentity(walFile);
  if (config.initialClusterState === 'existing' && logged?.cluster) {
    if (logged.name !== config.name) throw new WalError(`${walFile}: belongs to member "${logged.name}" (id ${logged.member}), not "${config.name}"`);
    return { id: logged.member, clusterId: logged.clusterId, ...logged.cluster, source: 'log' };
  }
  if (config.initialClusterState === 'existing' && !logged) return join(config);
  const table: MemberTableState = { members: config.cluster.map((m) => ({ ...m, learner: false })), removed: [] };
  const fromFlags: ClusterBirth = { voters: config.cluster.map((m) => m.id), table };
  // A log from before headers recorded the cluster boots as it always did, from the flags.
  return { id: config.self.id, clusterId: config.clusterId, ...(logged?.cluster ?? fromFlags), source: logged ? 'log' : 'flags' };
}

async function join(config: ServerConfig): Promise<Birth> {
  const others = config.cluster.filter((m) => m.peerUrl !== config.self.peerUrl);
  if (others.length === 0) throw new StartError('--initial-cluster-state existing: --initial-cluster names no other member to join through');
  const answers = await Promise.all(others.map((m) => askCluster(m.peerUrl)));
  const answered = answers.filter((info): info is ClusterInfo => info !== undefined);
  if (answered.length === 0) throw new StartError(`--initial-cluster-state existing: no member answered at ${others.map((m) => m.peerUrl).join(', ')}`);
  for (const info of answered) {
    const self = info.table.members.find((m) => m.peerUrl === config.self.peerUrl);
    if (self) return { id: self.id, clusterId: info.clusterId, voters: info.voters, table: info.table, source: 'joined' };
  }
  throw new StartError(
    `--initial-cluster-state existing: the cluster has no member with peer URL ${config.self.peerUrl}; ` +
      `add it first: raftsim ctl member add ${config.name} --peer-urls ${config.self.peerUrl}`,
  );
}

/** A running member's view of the cluster; undefined when it does not answer soon. */
async function askCluster(peerUrl: string): Promise<ClusterInfo | undefined> {
  return clusterInfo(await getJson(new URL(CLUSTER_PATH, peerUrl), 2000));
}

function clusterInfo(value: unknown): ClusterInfo | undefined {
  const clusterId = (value as { clusterId?: unknown } | undefined)?.clusterId;
  const parsed = parseClusterBirth(value);
  return typeof clusterId === 'string' && parsed.ok ? { clusterId, ...parsed.birth } : undefined;
}
