import type { KvReply } from '../src/kv/protocol.js';
import type { History } from './history.js';
import { KvClient, type Workload } from './kv-client.js';
import { CLIENT_BASE, type ClientRequestPacket, type ConnectionResetPacket } from './packets.js';
import type { RandomStreams } from './random.js';
import type { WorkloadConfig } from './scenario.js';
import type { TraceRecorder } from './trace.js';
import { bankWorkload } from './workloads/bank.js';
import { kvWorkload } from './workloads/kv.js';
import { leaseWorkload, type LeaseRecord } from './workloads/lease.js';
import { registerWorkload } from './workloads/register.js';
import { WATCH_PREFIX, WatchClient } from './watch-client.js';
import { prefixEnd } from '../src/kv/keyIndex.js';

type ClientWorkloadConfig = Extract<WorkloadConfig, { clients: number }>;

export function hasClients(config: WorkloadConfig): config is ClientWorkloadConfig {
  return 'clients' in config;
}

function makeWorkload(config: ClientWorkloadConfig, now: () => number): Workload & { leases?: LeaseRecord[] } {
  switch (config.type) {
    case 'lease':
      return leaseWorkload(config.ttlSeconds, config.keysPerLease, now);
    case 'register':
      return registerWorkload(config.keys, config.hotKeyShare);
    case 'kv':
      return kvWorkload(config.keys, config.serializableShare, 'k', config.hotKeyShare);
    case 'watch':
      return kvWorkload(config.keys, 0, WATCH_PREFIX, config.hotKeyShare);
    case 'bank':
      return bankWorkload(config.accounts);
  }
}

export interface FleetContext {
  readonly nodes: number;
  readonly random: RandomStreams;
  readonly history: History;
  readonly trace: TraceRecorder;
  now(): number;
  /** Client traffic, and the resets a killed server's machine sends its clients. */
  send(packet: ClientRequestPacket | ConnectionResetPacket): void;
  schedule(delayMs: number, client: number, token: number): void;
}

/** The simulated clients of a KV workload, each with its own random stream. */
export class ClientFleet {
  readonly clients: KvClient[];
  /** The leases the clients were granted (lease workload), for the expiry check. */
  readonly leases: readonly LeaseRecord[];
  readonly watchers: WatchClient[];
  private readonly send: FleetContext['send'];

  constructor(config: ClientWorkloadConfig, ctx: FleetContext) {
    this.send = ctx.send;
    const workload = makeWorkload(config, ctx.now);
    this.leases = workload.leases ?? [];
    this.clients = Array.from({ length: config.clients }, (_, index) => {
      const client: KvClient = new KvClient({
        index,
        address: CLIENT_BASE + index,
        clients: config.clients,
        nodes: ctx.nodes,
        timeoutMs: config.timeoutMs,
        thinkMs: config.thinkMs,
        random: ctx.random.named(`client:${index}`),
        workload,
        history: ctx.history,
        trace: ctx.trace,
        now: ctx.now,
        send: ctx.send,
        schedule: (delayMs, token) => ctx.schedule(delayMs, index, token),
      });
      return client;
    });
    const watchers = config.type === 'watch' ? config.watchers : 0;
    this.watchers = Array.from({ length: watchers }, (_, i) => {
      const index = config.clients + i;
      return new WatchClient({
        address: CLIENT_BASE + index,
        nodes: ctx.nodes,
        key: WATCH_PREFIX,
        rangeEnd: prefixEnd(WATCH_PREFIX),
        random: ctx.random.named(`watcher:${i}`),
        trace: ctx.trace,
        now: ctx.now,
        send: ctx.send,
        schedule: (delayMs, token) => ctx.schedule(delayMs, index, token),
      });
    });
  }

  start(): void {
    for (const client of this.clients) client.start();
    for (const watcher of this.watchers) watcher.start();
  }

  deliver(address: number, requestId: number, reply: KvReply): void {
    this.endpoint(address - CLIENT_BASE)?.receive(requestId, reply);
  }

  /** A connection reset reached the client at `address` (ConnectionResetPacket). */
  reset(address: number, requestId: number, refused: boolean): void {
    const endpoint = this.endpoint(address - CLIENT_BASE);
    if (endpoint instanceof KvClient) endpoint.connectionReset(requestId, refused);
  }

  /** Server `node`'s process was killed: its machine resets every client connection with a request in flight to it. */
  connectionsLost(node: number): void {
    for (const client of this.clients) {
      const requestId = client.requestInFlightTo(node);
      if (requestId !== undefined) this.send({ type: 'reset', from: node, to: client.address, term: 0, requestId, refused: false });
    }
  }

  /** Clients first, then watchers, by their index among all endpoints. */
  wake(index: number, token: number): void {
    this.endpoint(index)?.wake(token);
  }

  private endpoint(index: number): KvClient | WatchClient | undefined {
    return index < this.clients.length ? this.clients[index] : this.watchers[index - this.clients.length];
  }

  /** Every client has completed an operation successfully since `time`. */
  allSucceededSince(time: number): boolean {
    return this.clients.every((client) => client.lastOkAt >= time);
  }
}
