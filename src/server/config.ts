import type { NodeId } from '../raft/types.js';

/** etcd's flags, under etcd's names; `raftsim serve --help` lists them. */
export interface ServeFlags {
  name?: string;
  dataDir?: string;
  listenClientUrls?: string;
  advertiseClientUrls?: string;
  listenPeerUrls?: string;
  initialAdvertisePeerUrls?: string;
  initialCluster?: string;
  initialClusterToken?: string;
  initialClusterState?: string;
  heartbeatInterval?: string;
  electionTimeout?: string;
  snapshotCount?: string;
  experimentalSnapshotCatchupEntries?: string;
}

export interface ClusterMember {
  readonly id: NodeId;
  readonly name: string;
  readonly peerUrl: string;
}

export interface ServerConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly listenClientUrls: readonly URL[];
  readonly advertiseClientUrls: readonly string[];
  readonly listenPeerUrl: URL;
  readonly cluster: readonly ClusterMember[];
  readonly self: ClusterMember;
  readonly clusterToken: string;
  /** `existing`: join a running cluster (or restart a member that joined one), as etcd's flag says. */
  readonly initialClusterState: 'new' | 'existing';
  /** Milliseconds between ticks: etcd's heartbeat interval; a leader heartbeats every tick. */
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly clusterId: string;
  /** Applied entries between snapshots (etcd's --snapshot-count). */
  readonly snapshotCount: number;
  /** Entries kept behind a snapshot for slow followers (etcd's --experimental-snapshot-catchup-entries). */
  readonly snapshotCatchUpEntries: number;
}

/**
 * etcd snapshots every 100,000 entries; here the default is 10,000, because this store's
 * snapshot is one JSON document of the whole MVCC history, encoded and written on the event
 * loop (etcd's bbolt store is already on disk and its snapshot streams in the background):
 * a tenth of the interval keeps each pause, the WAL and a restart's replay a tenth as long.
 */
export const DEFAULT_SNAPSHOT_COUNT = 10_000;
/** etcd's default. */
export const DEFAULT_SNAPSHOT_CATCHUP_ENTRIES = 5000;

/** A flag is wrong: the CLI prints this one line and exits 2. */
export class ConfigError extends Error {}

function parseUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--${flag}: "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:') throw new ConfigError(`--${flag}: only http:// URLs are supported, not "${text}"`);
  if (url.port === '') throw new ConfigError(`--${flag}: "${text}" names no port`);
  return url;
}

function urls(text: string, flag: string): URL[] {
  const list = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (list.length === 0) throw new ConfigError(`--${flag}: no URL given`);
  return list.map((part) => parseUrl(part, flag));
}

function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function positiveMs(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new ConfigError(`--${flag}: expected a positive number of milliseconds, not "${text}"`);
  return Number(text);
}

function count(text: string | undefined, fallback: number, flag: string, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) throw new ConfigError(`--${flag}: expected a whole number of at least ${min}, not "${text}"`);
  return Number(text);
}

/** 64-bit FNV-1a as a decimal string: etcd's member and cluster ids are uint64s hashed from names and URLs. */
export function fnv64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString();
}

/**
 * A member's id as etcdctl shows it, the same on every member: hashed from the cluster and
 * its Raft id (never reused), so it stays the member's own when `member update` moves it.
 */
export function memberIdOf(member: { readonly id: NodeId }, clusterId: string): string {
  return fnv64(`${clusterId}/${member.id}`);
}

/**
 * Fills in etcd's defaults: with no flags at all, a single member named "default" with
 * its data in ./default.raftsim and clients on 127.0.0.1:2379. The first members' Raft ids
 * are their positions in --initial-cluster, so every one of them must be given the same
 * list; members added later get theirs from the cluster (see joining.ts).
 */
export function resolveConfig(flags: ServeFlags): ServerConfig {
  const name = flags.name ?? 'default';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new ConfigError(`--name: "${name}" may only hold letters, digits, ".", "_" and "-"`);
  const listenClientUrls = urls(flags.listenClientUrls ?? 'http://127.0.0.1:2379', 'listen-client-urls');
  const advertiseClientUrls = flags.advertiseClientUrls
    ? urls(flags.advertiseClientUrls, 'advertise-client-urls').map(origin)
    : listenClientUrls.map(origin);
  const listenPeerUrls = urls(flags.listenPeerUrls ?? 'http://127.0.0.1:2380', 'listen-peer-urls');
  if (listenPeerUrls.length > 1) throw new ConfigError('--listen-peer-urls: raftsim listens on one peer URL');
  const listenPeerUrl = listenPeerUrls[0];
  const advertisedPeer = flags.initialAdvertisePeerUrls ? urls(flags.initialAdvertisePeerUrls, 'initial-advertise-peer-urls')[0] : listenPeerUrl;
  const clusterText = flags.initialCluster ?? `${name}=${origin(advertisedPeer)}`;
  const cluster: ClusterMember[] = [];
  for (const part of clusterText.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--initial-cluster: "${part}" is not name=http://host:port`);
    const memberName = part.slice(0, eq);
    if (cluster.some((m) => m.name === memberName)) throw new ConfigError(`--initial-cluster: "${memberName}" is listed twice`);
    cluster.push({ id: cluster.length + 1, name: memberName, peerUrl: origin(parseUrl(part.slice(eq + 1), 'initial-cluster')) });
  }
  const self = cluster.find((m) => m.name === name);
  if (!self) throw new ConfigError(`--initial-cluster: has no member named "${name}" (the --name of this member)`);
  if (flags.initialClusterState !== undefined && !['new', 'existing'].includes(flags.initialClusterState)) {
    throw new ConfigError(`--initial-cluster-state: expected new or existing, not "${flags.initialClusterState}"`);
  }
  const heartbeat = positiveMs(flags.heartbeatInterval, 100, 'heartbeat-interval');
  const election = positiveMs(flags.electionTimeout, 1000, 'election-timeout');
  if (election < 2 * heartbeat) throw new ConfigError('--election-timeout: must be at least twice --heartbeat-interval');
  const clusterToken = flags.initialClusterToken ?? 'raftsim-cluster';
  return {
    name,
    dataDir: flags.dataDir ?? `${name}.raftsim`,
    listenClientUrls,
    advertiseClientUrls,
    listenPeerUrl,
    cluster,
    self,
    clusterToken,
    initialClusterState: flags.initialClusterState === 'existing' ? 'existing' : 'new',
    tickMs: heartbeat,
    electionTicks: Math.round(election / heartbeat),
    snapshotCount: count(flags.snapshotCount, DEFAULT_SNAPSHOT_COUNT, 'snapshot-count', 1),
    snapshotCatchUpEntries: count(flags.experimentalSnapshotCatchupEntries, DEFAULT_SNAPSHOT_CATCHUP_ENTRIES, 'experimental-snapshot-catchup-entries', 0),
    clusterId: fnv64(`${clusterToken}|${cluster.map((m) => `${m.name}=${m.peerUrl}`).join(',')}`),
  };
}
