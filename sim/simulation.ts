import { bugSwitches } from '../src/bugs.js';
import { KvService } from '../src/kv/service.js';
import type { Message, NodeId } from '../src/raft/types.js';
import { ClientFleet, hasClients } from './clients.js';
import { NodeClock } from './clock.js';
import { Cluster } from './cluster.js';
import { EventQueue } from './event-queue.js';
import { applyFault } from './faults.js';
import { InvariantChecker } from './invariants.js';
import { History } from './history.js';
import {
  checkLeases,
  checkWatchers,
  checkLinearizability,
  checkWorkloadInvariants,
  historyOperations,
  linearizabilityFailure,
  type LinearizabilityReport,
} from './kv-checks.js';
import { describeMessage } from './messages.js';
import { Nemesis } from './nemesis.js';
import { Network, type InFlight } from './network.js';
import { AppliedLog } from './applied-log.js';
import { NodeHost } from './node-host.js';
import { isClientAddress, type Packet } from './packets.js';
import { RandomStreams } from './random.js';
import { profileFor } from './swarm.js';
import { changesMembership, type FaultAction, type Scenario } from './scenario.js';
import { countOutcomes, type RunOptions, type RunResult } from './run-result.js';
import { TraceRecorder } from './trace.js';
import { TransferWatch } from './transfers.js';
import { ProposalWorkload } from './workload.js';

export type { RunOptions, RunResult, RunStats } from './run-result.js';

type SimEvent =
  | { readonly kind: 'tick'; readonly node: NodeId }
  | InFlight<Packet>
  | { readonly kind: 'client'; readonly client: number; readonly token: number }
  | { readonly kind: 'fault'; readonly index: number }
  | { readonly kind: 'nemesis' }
  | { readonly kind: 'workload' }
  | { readonly kind: 'heal' }
  | { readonly kind: 'callback'; readonly run: () => void };

/** A run of one scenario under one seed: the whole cluster on a virtual clock. */
export class Simulation {
  private now = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly random: RandomStreams;
  readonly trace: TraceRecorder;
  readonly invariants: InvariantChecker;
  readonly cluster: Cluster;
  private readonly nemesis: Nemesis | null;
  private readonly transfers: TransferWatch;
  /** The scenario's scheduled faults in time order (ties keep their written order). */
  private readonly faults: readonly FaultAction[];
  private readonly applied: FaultAction[] = [];
  /** The network the run starts on: the scenario's, slowed down when the fault profile says so. */
  private readonly initialNetwork: Scenario['network'];
  private readonly workload: ProposalWorkload | null;
  private readonly fleet: ClientFleet | null;
  readonly history = new History();
  private events = 0;
  /** The simulated second being counted for the storm check, and the event count at its start. */
  private stormWindowEnd = 1000;
  private stormWindowEvents = 0;
  private leaderChanges = 0;
  private lastLeader: NodeId | undefined;
  private healedAt = -1;
  private recoveryMs: number | null = null;
  private lastLeaderChangeAt = 0;
  /** Set by the hosts when a role or term moved, or one crashed or restarted: the leader is looked up again. */
  private leadershipMoved = true;
  /** Once stable after the final heal, the run goes on until here (the settle time). */
  private stopAt = Infinity;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.random = new RandomStreams(options.seed);
    this.faults = scenario.faults.slice().sort((a, b) => a.at - b.at);
    this.trace = new TraceRecorder(options.trace ?? 'hash');
    const clock = { now: () => this.now };
    this.invariants = new InvariantChecker(clock);
    const profile = scenario.nemesis ? profileFor(scenario.nemesis, this.random) : null;
    this.initialNetwork = profile ? { ...scenario.network, latencySpreadMs: scenario.network.latencySpreadMs + profile.slowNetworkMs } : scenario.network;
    const network = new Network<Packet>(
      this.initialNetwork,
      this.random.network,
      this.trace,
      clock,
      (time, message) => this.queue.push(time, message),
      describeMessage,
      // Clients talk to servers over connections, as etcd's do over gRPC: a request is
      // never lost or delivered twice at random (a second delivery would be a second
      // write, not a fault), but partitions and crashes still cut clients off.
      (packet) => isClientAddress(packet.from) || isClientAddress(packet.to),
    );
    this.fleet = this.makeFleet(scenario, network);
    const ids = Array.from({ length: scenario.nodes }, (_, i) => i + 1);
    // The nodes past `members` start outside the cluster: they know it, but are not in it.
    const voters = ids.slice(0, scenario.members ?? scenario.nodes);
    const clocks = ids.map(() => new NodeClock(() => this.now));
    const bugs = bugSwitches(options.bug);
    this.transfers = new TransferWatch(this.trace, () => this.now);
    const hostContext = {
      trace: this.trace,
      invariants: this.invariants,
      transfers: this.transfers,
      now: () => this.now,
      send: (message: Message) => {
        network.send(message);
        if (message.type === 'voteResp' && message.granted) this.springVoteTrap(message.from, message.term);
      },
      ...(changesMembership(scenario)
        ? { durablyHolds: (node: NodeId, index: number, term: number) => this.cluster.host(node).disk.durablyHolds(index, term) }
        : {}),
      schedule: (delayMs: number, run: () => void) => this.queue.push(this.now + delayMs, { kind: 'callback', run }),
      leadershipMayHaveChanged: () => {
        this.leadershipMoved = true;
      },
    };
    const hosts = ids.map(
      (id) =>
        new NodeHost(
          {
            id,
            voters,
            electionTicks: scenario.timing.electionTicks,
            heartbeatTicks: scenario.timing.heartbeatTicks,
            maxEntriesPerAppend: scenario.raft.maxEntriesPerAppend,
            maxInflight: scenario.raft.maxInflight,
            maxBytesPerAppend: scenario.raft.maxBytesPerAppend,
            maxUncommittedBytes: scenario.raft.maxUncommittedBytes,
            snapshotEntries: scenario.raft.snapshotEntries,
            snapshotCatchUpEntries: scenario.raft.snapshotCatchUpEntries,
            preVote: scenario.raft.preVote,
            checkQuorum: scenario.raft.checkQuorum,
            readMode: scenario.raft.readMode,
            timers: this.random.node(id),
            bugs,
            makeStateMachine: (raft, incarnation) =>
              this.fleet
                ? new KvService({
                    raft,
                    incarnation,
                    bugs,
                    now: () => clocks[id - 1].local(),
                    reply: (client, requestId, reply) =>
                      network.send({ type: 'kvResp', from: id, to: client, term: 0, requestId, reply }),
                  })
                : new AppliedLog(),
          },
          hostContext,
        ),
    );
    network.dropWhenSent(scenario.faults.flatMap((fault) => (fault.action === 'drop' ? [fault.message] : [])));
    this.cluster = new Cluster(hosts, network, this.trace, this.invariants, () => this.now, clocks, (id) => this.fleet?.connectionsLost(id));
    this.nemesis = profile ? new Nemesis(this.cluster, this.random.nemesis, profile, this.initialNetwork) : null;
    this.workload =
      scenario.workload.type === 'proposals'
        ? new ProposalWorkload(this.cluster, this.random.workload, this.trace, () => this.now)
        : null;
  }

  /** Built before the hosts, which ask for it when they make their state machines. */
  private makeFleet(scenario: Scenario, network: Network<Packet>): ClientFleet | null {
    if (!hasClients(scenario.workload)) return null;
    return new ClientFleet(scenario.workload, {
      nodes: scenario.nodes,
      random: this.random,
      history: this.history,
      trace: this.trace,
      now: () => this.now,
      send: (packet) => network.send(packet),
      schedule: (delayMs, client, token) => this.queue.push(this.now + delayMs, { kind: 'client', client, token }),
    });
  }

  run(): RunResult {
    const started = performance.now();
    this.schedule();
    const end = this.scenario.durationMs + this.scenario.livenessMs;
    const settledBy = end + this.scenario.settleMs;
    for (;;) {
      // Until the cluster recovers after the final heal, the run ends at `end` at the latest.
      const limit = this.recoveryMs === null ? Math.min(this.stopAt, settledBy, end) : Math.min(this.stopAt, settledBy);
      const next = this.queue.popDueBy(limit);
      if (next === undefined) break;
      this.now = this.queue.poppedTime;
      this.events++;
      this.handle(next);
      if (this.now >= this.stormWindowEnd) this.startStormWindow();
      else if (this.events - this.stormWindowEvents > this.scenario.maxEventsPerSecond && this.scenario.maxEventsPerSecond > 0) this.reportStorm();
      if (!this.invariants.ok) break;
      this.watchLeadership();
    }
    if (this.invariants.ok && this.healedAt >= 0 && this.recoveryMs === null) {
      const what = this.fleet ? 'stable leader, with every client completing an operation,' : 'stable leader';
      this.invariants.fail('liveness', `no ${what} within ${this.scenario.livenessMs} ms after all faults healed at ${this.healedAt} ms`);
    }
    this.history.closeOpen(this.now);
    if (this.trace.enabled) this.transfers.close();
    const checkStarted = performance.now();
    const linearizability = this.checkHistory();
    const checkMs = performance.now() - checkStarted;
    for (const violation of this.invariants.violations) {
      if (this.trace.enabled) this.trace.record({ t: violation.time, k: 'violation', invariant: violation.invariant, message: violation.message });
    }
    return this.result(performance.now() - started, checkMs, linearizability);
  }

  /** The end-of-run checks of the clients' history: the workload's invariants, then linearizability. */
  private checkHistory(): LinearizabilityReport | null {
    if (!this.invariants.ok || !this.fleet || this.options.historyChecks === false) return null;
    const history = this.history.events;
    const operations = historyOperations(this.scenario.workload, history);
    this.invariants.violations.push(...checkWorkloadInvariants(this.scenario.workload, history, operations));
    if (this.fleet.watchers.length > 0) this.invariants.violations.push(...checkWatchers(this.fleet.watchers, this.mostAdvancedStore()));
    if (this.fleet.leases.length > 0) {
      const { tickMs, electionTicks } = this.scenario.timing;
      const live = this.cluster.hosts
        .filter((host) => host.isUp && host.stateMachine instanceof KvService)
        .map((host) => ({ id: host.id, service: host.stateMachine as KvService }));
      // Only replicas that have caught up are judged: one just back from a pause or a
      // partition has not yet applied the revoke that the others already did.
      const newest = Math.max(0, ...live.map((replica) => replica.service.appliedIndex));
      const replicas = live.filter((replica) => replica.service.appliedIndex === newest);
      const slackMs = 4 * electionTicks * tickMs;
      this.invariants.violations.push(...checkLeases(this.fleet.leases, { replicas, lastLeaderChangeAt: this.lastLeaderChangeAt, now: this.now, slackMs, drift: this.cluster.maxDrift }));
    }
    const report = checkLinearizability(this.scenario.workload, history, this.options.checkSteps ?? DEFAULT_CHECK_STEPS, operations);
    if (report?.verdict === 'not-linearizable') this.invariants.violations.push(linearizabilityFailure(report, history));
    return report;
  }

  private schedule(): void {
    const { timing, nemesis, durationMs, livenessMs } = this.scenario;
    for (const host of this.cluster.hosts) {
      // A random phase per node, from its own stream, keeps the nodes' ticks out of lockstep.
      const phase = this.random.node(host.id).int(0, timing.tickMs - 1);
      this.queue.push(this.cluster.clock(host.id).startTicks(phase), { kind: 'tick', node: host.id });
    }
    // One scheduled fault in the queue at a time, the next pushed as one fires, as the
    // nemesis does: a run's nemesis written down as a schedule then replays it exactly.
    if (this.faults.length > 0) this.queue.push(this.faults[0].at, { kind: 'fault', index: 0 });
    if (nemesis) this.queue.push(nemesis.intervalMs, { kind: 'nemesis' });
    if (this.workload && this.scenario.workload.type === 'proposals') {
      this.queue.push(this.scenario.workload.intervalMs, { kind: 'workload' });
    }
    if (livenessMs > 0) this.queue.push(durationMs, { kind: 'heal' });
    this.fleet?.start();
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick': {
        this.cluster.host(event.node).tick();
        this.queue.push(this.cluster.clock(event.node).nextTick(this.scenario.timing.tickMs), event);
        return;
      }
      case 'deliver': {
        const message = event;
        const network = this.cluster.network;
        if (!network.admit(message)) return;
        const packet = message.payload;
        if (isClientAddress(packet.to)) {
          network.recordDelivery(message);
          if (packet.type === 'kvResp') this.fleet?.deliver(packet.to, packet.requestId, packet.reply);
          else if (packet.type === 'reset') this.fleet?.reset(packet.to, packet.requestId, packet.refused);
          return;
        }
        const host = this.cluster.host(packet.to);
        if (host.status === 'crashed') {
          network.drop(message.id, packet, 'crashed');
          // A killed server's machine refuses the connection; a crashed machine says nothing.
          if (host.killed && packet.type === 'kvReq') network.send({ type: 'reset', from: host.id, to: packet.from, term: 0, requestId: packet.requestId, refused: true });
          return;
        }
        network.recordDelivery(message);
        if (packet.type !== 'kvResp' && packet.type !== 'reset') host.receive(packet);
        return;
      }
      case 'client':
        return this.fleet?.wake(event.client, event.token);
      case 'fault': {
        if (this.healedAt >= 0) return;
        this.recordFault(applyFault(this.cluster, this.faults[event.index], this.random.nemesis));
        const next = this.faults[event.index + 1];
        if (next) this.queue.push(next.at, { kind: 'fault', index: event.index + 1 });
        return;
      }
      case 'nemesis': {
        if (this.healedAt >= 0 || !this.scenario.nemesis) return;
        const { applied, delayMs } = this.nemesis!.step(this.now);
        this.recordFault(applied);
        this.queue.push(this.now + delayMs, event);
        return;
      }
      case 'workload': {
        if (this.scenario.workload.type !== 'proposals') return;
        this.workload!.proposeOnce();
        this.queue.push(this.now + this.scenario.workload.intervalMs, event);
        return;
      }
      case 'heal':
        return this.healEverything();
      case 'callback':
        return event.run();
    }
  }

  /**
   * A crash-voter trap springs: the voter crashes right after its grant left and comes back
   * soon after, while the rival candidate's request may still be on its way. Its vote had
   * to reach its disk before the grant left; a node that forgot it votes twice in one term.
   */
  private springVoteTrap(voter: NodeId, term: number): void {
    const restartAfterMs = this.healedAt < 0 ? this.cluster.springVoteTrap(term) : undefined;
    if (restartAfterMs === undefined) return;
    const whileFaulty = (act: () => void) => () => {
      if (this.healedAt < 0) act();
    };
    this.queue.push(this.now, { kind: 'callback', run: whileFaulty(() => this.cluster.crash(voter, 'lose')) });
    this.queue.push(this.now + restartAfterMs, { kind: 'callback', run: whileFaulty(() => this.cluster.restart(voter)) });
  }

  /** The liveness phase: every fault ends, and a leader must emerge. */
  private healEverything(): void {
    this.healedAt = this.now;
    this.cluster.heal();
    this.cluster.restartAll();
    this.cluster.resumeAll();
    this.cluster.resetClocks();
    this.cluster.resetDisks();
    // Loss and duplication count as faults too, even when the scenario's network has them from the start.
    // Back to the network the run started on (a slow one stays slow), without loss or duplication.
    this.cluster.setNetwork({ ...this.initialNetwork, dropRate: 0, duplicateRate: 0 });
    this.cluster.note('liveness phase: all faults healed');
  }

  private watchLeadership(): void {
    if (this.leadershipMoved) {
      this.leadershipMoved = false;
      const leader = this.cluster.leader();
      if (leader !== this.lastLeader) {
        if (leader !== undefined) this.leaderChanges++;
        this.lastLeader = leader;
        this.lastLeaderChangeAt = this.now;
      }
    }
    if (this.healedAt >= 0 && this.recoveryMs === null && this.isStable() && (!this.fleet || this.fleet.allSucceededSince(this.healedAt))) {
      this.recoveryMs = this.now - this.healedAt;
      this.stopAt = this.now + this.scenario.settleMs;
    }
  }

  /** One leader that every member of its config follows in its term, with an entry of that term committed. */
  private isStable(): boolean {
    const leaderId = this.cluster.leader();
    if (leaderId === undefined) return false;
    const leader = this.cluster.host(leaderId).node;
    if (leader.log.termAt(leader.commit) !== leader.term) return false;
    return leader.members().every((id) => {
      const node = this.cluster.host(id).node;
      return node.term === leader.term && node.lead === leaderId;
    });
  }

  /** The store of the live replica that has applied the most: the reference for watchers. */
  private mostAdvancedStore() {
    let best: KvService | undefined;
    for (const host of this.cluster.hosts) {
      const service = host.stateMachine;
      if (host.isUp && service instanceof KvService && (!best || service.appliedIndex > best.appliedIndex)) best = service;
    }
    return best?.store;
  }

  private result(wallMs: number, checkMs: number, linearizability: LinearizabilityReport | null): RunResult {
    const network = this.cluster.network;
    const maxTerm = Math.max(...this.cluster.hosts.map((host) => host.node.term));
    return {
      scenario: this.scenario.name,
      seed: this.options.seed,
      ...(this.options.bug ? { bug: this.options.bug } : {}),
      ok: this.invariants.ok,
      violations: this.invariants.violations,
      stats: {
        events: this.events,
        simulatedMs: this.now,
        wallMs: Math.round(wallMs * 10) / 10,
        checkMs: Math.round(checkMs * 10) / 10,
        messagesSent: network.sent,
        messagesDelivered: network.delivered,
        messagesDropped: network.dropped,
        leaderChanges: this.leaderChanges,
        maxTerm,
        committed: this.invariants.committedCount(),
        proposals: this.workload?.proposed ?? 0,
        ops: countOutcomes(this.history.events),
        recoveryMs: this.recoveryMs,
      },
      traceHash: this.trace.hash(),
      events: this.trace.events,
      history: this.history.events,
      linearizability,
      faults: this.applied,
      profile: this.nemesis?.profile ?? null,
      network: this.initialNetwork,
    };
  }

  private startStormWindow(): void {
    this.stormWindowEnd = this.now - (this.now % 1000) + 1000;
    this.stormWindowEvents = this.events;
  }

  /** A healthy cluster needs a few thousand events a simulated second; a storm also makes sweeps crawl. */
  private reportStorm(): void {
    const from = this.stormWindowEnd - 1000;
    this.invariants.fail('message-storm', `more than ${this.scenario.maxEventsPerSecond} events between ${from} and ${this.now} ms (messages and timers; a healthy run needs far fewer)`);
  }

  private recordFault(applied: FaultAction | undefined): void {
    if (applied) this.applied.push(applied);
  }
}

/**
 * The end-of-run linearizability check's budget in search steps: past it the verdict is
 * `unknown`, never a guess. About 1-4 s of searching here; the costliest seeds of the built-in
 * scenarios take under a million.
 */
export const DEFAULT_CHECK_STEPS = 2_000_000;

export function runScenario(scenario: Scenario, options: RunOptions): RunResult {
  return new Simulation(scenario, options).run();
}
