import { createServer, type Server } from 'node:http';
import type { NodeId } from '../raft/types.js';
import { clientApi, type MemberInfo } from './client-api.js';
import { memberIdOf, type ServerConfig } from './config.js';
import { checkDataDir, openDataDir } from './data-dir.js';
import { RequestExecutor } from './forwarding.js';
import { getJson } from './http-util.js';
import { resolveBirth } from './joining.js';
import { Histogram, REQUEST_BUCKETS, renderMetrics, type Metric } from './metrics.js';
import { Member } from './member.js';
import { changeAtLeader, changeMembership } from './member-changes.js';
import { MemberTable, type MemberRecord } from './member-table.js';
import { MEMBER_PATH, peerApi, type SelfInfo } from './peer-api.js';
import { PeerTransport } from './peer-transport.js';
import type { PeerActivity } from './reconfig-check.js';
import { recover } from './recovery.js';
import { StartError } from './start-error.js';
import type { Wal } from './wal.js';

export { StartError } from './start-error.js';

export const SERVER_VERSION = '3.5.0-raftsim';
const REMOVED_GRACE_MS = 500;

export interface RunningServer {
  readonly member: Member;
  /** The ports actually bound (a URL with port 0 gets a free one). */
  readonly clientPorts: readonly number[];
  readonly peerPort: number;
  /** Who this member is, and how it found out (see joining.ts). */
  readonly identity: { readonly id: NodeId; readonly members: number; readonly source: 'flags' | 'log' | 'joined' };
  /** Settles once this member is removed from the cluster: it then takes no part, and should stop. */
  readonly removed: Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(new StartError(`cannot listen on ${url.origin}: ${error.code ?? error.message}`)));
    server.listen(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''), () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : Number(url.port));
    });
  });
}

/** Asks a peer who it is, for `member list`; undefined when it does not answer soon. */
async function askPeer(peerUrl: string): Promise<SelfInfo | undefined> {
  const info = await getJson(new URL(MEMBER_PATH, peerUrl), 500);
  const clientURLs = (info as Partial<SelfInfo> | undefined)?.clientURLs;
  return Array.isArray(clientURLs) && clientURLs.every((url) => typeof url === 'string') ? (info as SelfInfo) : undefined;
}

/**
 * Boots one member: finds out who it is (its log, the flags, or the cluster it joins),
 * loads its newest usable snapshot, opens (and repairs) its WAL, restores a fresh RaftNode
 * and KvService from them, then listens for peers and clients and ticks.
 */
export async function startServer(config: ServerConfig, log: (line: string) => void): Promise<RunningServer> {
  // A member that cannot find its cluster leaves no data directory behind.
  const birth = await resolveBirth(config, checkDataDir(config.dataDir));
  const walFile = openDataDir(config.dataDir);
  const { id, clusterId } = birth;
  const identity = { member: id, name: config.name, clusterId, cluster: { voters: birth.voters, table: birth.table } };
  const { wal, snapshotter, restored, recovery } = recover(config.dataDir, walFile, identity, log);
  if (recovery.tornBytes > 0) log(`repaired a torn write at the end of ${walFile}: dropped ${recovery.tornBytes} bytes at offset ${recovery.tornOffset}`);
  const table = new MemberTable(birth.table);
  const peerUrls = () => new Map(table.list().filter((m) => m.id !== id).map((m) => [m.id, m.peerUrl]));
  let markRemoved = () => undefined as void;
  const removed = new Promise<void>((resolve) => {
    let told = false;
    markRemoved = () => {
      if (told) return;
      told = true;
      log('this member was removed from the cluster: it stops');
      // A removed leader answers the change that removed it before it goes.
      setTimeout(resolve, REMOVED_GRACE_MS);
    };
  });
  const transport = new PeerTransport(peerUrls(), markRemoved);
  const member = new Member({
    id,
    voters: birth.voters,
    tickMs: config.tickMs,
    electionTicks: config.electionTicks,
    wal,
    snapshotter,
    restored,
    snapshotCount: config.snapshotCount,
    snapshotCatchUpEntries: config.snapshotCatchUpEntries,
    table,
    log,
    send: (messages) => transport.send(messages),
    onMembershipChange: (removedSelf) => {
      transport.setPeers(peerUrls());
      if (removedSelf) markRemoved();
    },
    onLeaderChange: (leader, term) => {
      const name = table.get(leader)?.name;
      log(name ? `term ${term}: ${name === config.name ? 'this member leads' : `${name} leads`}` : `term ${term}: no leader`);
    },
  });
  const executor = new RequestExecutor(member, (peer) => table.get(peer)?.peerUrl);
  const externalId = (peer: NodeId) => {
    const record = table.get(peer);
    return record ? memberIdOf(record, clusterId) : '0';
  };
  const self: SelfInfo = { id, name: config.name, peerURLs: [config.self.peerUrl], clientURLs: [...config.advertiseClientUrls] };
  const knownClientUrls = new Map<NodeId, string[]>([[self.id, self.clientURLs]]);
  const memberInfo = (record: MemberRecord): MemberInfo => ({
    ID: memberIdOf(record, clusterId),
    name: record.name,
    peerURLs: [record.peerUrl],
    clientURLs: knownClientUrls.get(record.id) ?? [],
    ...(record.learner ? { isLearner: true } : {}),
  });
  // When the leader last heard from each member: etcd's strict reconfiguration check counts on it.
  const lastHeard = new Map<NodeId, number>();
  const activeMs = 2 * config.electionTicks * config.tickMs;
  const peers: PeerActivity = {
    started: (peer) => peer === id || lastHeard.has(peer),
    active: (peer) => peer === id || performance.now() - (lastHeard.get(peer) ?? -Infinity) < activeMs,
  };
  const requestCounts = new Map<string, number>();
  const latency = new Histogram(REQUEST_BUCKETS);

  const peerServer = createServer(
    { keepAlive: true },
    peerApi({
      member,
      self,
      isPeer: (peer) => peer !== id && table.has(peer),
      wasRemoved: (peer) => table.wasRemoved(peer),
      cluster: () => ({ clusterId, voters: birth.voters, table: table.state() }),
      changeMembership: (request, timeoutMs) => changeAtLeader(member, table, peers, request, timeoutMs),
      heard: (peer) => lastHeard.set(peer, performance.now()),
      log,
    }),
  );
  // A peer's message stream is one request that lasts as long as both members do.
  peerServer.requestTimeout = 0;
  const handleClient = clientApi({
    member,
    executor,
    who: { clusterId, memberId: externalId(id) },
    version: SERVER_VERSION,
    memberIdOf: externalId,
    raftIdOf: (externalMemberId) => table.list().find((record) => memberIdOf(record, clusterId) === externalMemberId)?.id,
    walBytes: () => wal.bytes,
    memberList: async () => {
      await Promise.all(
        [...peerUrls()].map(async ([peer, url]) => {
          const info = await askPeer(url);
          if (info) knownClientUrls.set(peer, info.clientURLs);
        }),
      );
      return table.list().map(memberInfo);
    },
    changeMembership: async (request, timeoutMs) => {
      const result = await changeMembership(member, table, peers, request, timeoutMs);
      return result.kind === 'done' ? { kind: 'done', member: memberInfo(result.member), members: result.members.map(memberInfo) } : result;
    },
    metrics: () => renderMetrics(collectMetrics(member, wal, transport, requestCounts, latency)),
    observe: (path, status, seconds) => {
      const key = `${path.startsWith('/v3/') ? path : 'other'} ${status}`;
      requestCounts.set(key, (requestCounts.get(key) ?? 0) + 1);
      if (path.startsWith('/v3/kv/')) latency.observe(seconds);
    },
  });
  const clientServers = config.listenClientUrls.map(() => createServer({ keepAlive: true }, handleClient));
  const servers: Server[] = [peerServer, ...clientServers];
  // A malformed HTTP request closes its connection, and nothing else.
  for (const server of servers) server.on('clientError', (_error, socket) => socket.destroy());
  try {
    const peerPort = await listen(peerServer, config.listenPeerUrl);
    const clientPorts = await Promise.all(clientServers.map((server, i) => listen(server, config.listenClientUrls[i])));
    member.start();
    return {
      member,
      clientPorts,
      peerPort,
      identity: { id, members: table.list().length, source: birth.source },
      removed,
      close: async () => {
        await member.stop();
        transport.close();
        executor.close();
        await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })));
        wal.close();
      },
    };
  } catch (error) {
    for (const server of servers) server.close();
    wal.close();
    throw error;
  }
}

function collectMetrics(member: Member, wal: Wal, transport: PeerTransport, requests: ReadonlyMap<string, number>, latency: Histogram): Metric[] {
  const node = member.node;
  const c = member.counters;
  const gauge = (name: string, help: string, value: number): Metric => ({ name, help, type: 'gauge', samples: [{ value }] });
  const counter = (name: string, help: string, value: number): Metric => ({ name, help, type: 'counter', samples: [{ value }] });
  return [
    gauge('etcd_server_has_leader', 'Whether or not a leader exists. 1 is existence, 0 is not.', node.lead !== 0 ? 1 : 0),
    gauge('etcd_server_is_leader', 'Whether or not this member is a leader. 1 if is, 0 otherwise.', node.role === 'leader' ? 1 : 0),
    counter('etcd_server_leader_changes_seen_total', 'The number of leader changes seen.', c.leaderChanges),
    gauge('etcd_server_proposals_committed_total', 'The total number of consensus proposals committed.', node.commit),
    gauge('etcd_server_proposals_applied_total', 'The total number of consensus proposals applied.', node.applied),
    gauge('etcd_server_proposals_pending', 'The current number of pending proposals to commit.', Math.max(0, node.log.lastIndex() - node.commit)),
    gauge('etcd_debugging_mvcc_current_revision', 'The current revision of store.', member.service.store.revision),
    gauge('raftsim_raft_term', 'The Raft term of this member.', node.term),
    gauge('raftsim_wal_bytes', 'Size of the write-ahead log file.', wal.bytes),
    { name: 'etcd_disk_wal_fsync_duration_seconds', help: 'The latency distributions of fsync called by WAL.', type: 'histogram', samples: [{ value: wal.fsyncSeconds }] },
    counter('raftsim_snapshots_taken_total', 'Snapshots this member took of its store (every --snapshot-count applied entries).', c.snapshotsTaken),
    counter('raftsim_snapshots_installed_total', 'Snapshots received from a leader and installed.', c.snapshotsInstalled),
    gauge('raftsim_snapshot_last_index', 'Raft index of the newest snapshot this member holds (0: none).', node.latestSnapshot()?.metadata.index ?? 0),
    gauge('raftsim_raft_log_compacted_index', 'Entries up to this index are compacted out of the in-memory Raft log.', node.log.compactedIndex),
    gauge('raftsim_wal_entries', 'Entries the write-ahead log holds (after the snapshot it starts from).', wal.entryCount),
    counter('raftsim_wal_rewrites_total', 'Times the write-ahead log was rewritten after a snapshot.', wal.rewrites),
    { name: 'raftsim_snapshot_duration_seconds', help: 'Time taking or installing a snapshot held the event loop (encode, save, fsync, WAL rewrite).', type: 'histogram', samples: [{ value: member.snapshotSeconds }] },
    counter('raftsim_peer_messages_sent_total', 'Raft messages handed to the peer transport.', c.messagesSent),
    counter('raftsim_peer_messages_received_total', 'Raft messages received from peers.', c.messagesReceived),
    counter('raftsim_peer_messages_dropped_total', 'Raft messages dropped because a peer stopped reading.', transport.counters.droppedMessages),
    counter('raftsim_peer_streams_opened_total', 'Message streams opened to peers (one per peer, again after each break).', transport.counters.streams),
    {
      name: 'raftsim_http_requests_total',
      help: 'Client API requests by path and status.',
      type: 'counter',
      samples: [...requests].map(([key, value]) => {
        const [path, code] = key.split(' ');
        return { labels: { path, code }, value };
      }),
    },
    { name: 'raftsim_kv_request_duration_seconds', help: 'Latency of /v3/kv requests.', type: 'histogram', samples: [{ value: latency }] },
  ];
}
