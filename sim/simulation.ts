import type { Entry, Message, NodeId } from '../src/raft/types.js';
import { Cluster } from './cluster.js';
import { EventQueue } from './event-queue.js';
import { applyFault } from './faults.js';
import { InvariantChecker, type Violation } from './invariants.js';
import { describeMessage } from './messages.js';
import { Nemesis } from './nemesis.js';
import { Network, type InFlight } from './network.js';
import { NodeHost, type StateMachine } from './node-host.js';
import { RandomStreams } from './random.js';
import type { FaultAction, Scenario } from './scenario.js';
import { TraceRecorder, type TraceEvent, type TraceLevel } from './trace.js';
import { ProposalWorkload } from './workload.js';

type SimEvent =
  | { readonly kind: 'tick'; readonly node: NodeId }
  | { readonly kind: 'deliver'; readonly message: InFlight<Message> }
  | { readonly kind: 'fault'; readonly action: FaultAction }
  | { readonly kind: 'nemesis' }
  | { readonly kind: 'workload' }
  | { readonly kind: 'heal' };

export interface RunOptions {
  readonly seed: number;
  /** 'full' keeps every event (for files and the viewer); 'hash' only hashes; 'off' is fastest. */
  readonly trace?: TraceLevel;
}

export interface RunStats {
  events: number;
  simulatedMs: number;
  wallMs: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  leaderChanges: number;
  maxTerm: number;
  committed: number;
  proposals: number;
  /** Virtual ms from the final heal until a stable leader, or null without a liveness phase. */
  recoveryMs: number | null;
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly stats: RunStats;
  readonly traceHash: string;
  readonly events: readonly TraceEvent[];
}

/** A run of one scenario under one seed: the whole cluster on a virtual clock. */
export class Simulation {
  private now = 0;
  private readonly queue = new EventQueue<SimEvent>();
  private readonly random: RandomStreams;
  readonly trace: TraceRecorder;
  readonly invariants: InvariantChecker;
  readonly cluster: Cluster;
  private readonly nemesis: Nemesis | null;
  private readonly workload: ProposalWorkload | null;
  private events = 0;
  private leaderChanges = 0;
  private lastLeader: NodeId | undefined;
  private healedAt = -1;
  private recoveryMs: number | null = null;
  private finished = false;

  constructor(
    readonly scenario: Scenario,
    private readonly options: RunOptions,
  ) {
    this.random = new RandomStreams(options.seed);
    this.trace = new TraceRecorder(options.trace ?? 'hash');
    const clock = { now: () => this.now };
    this.invariants = new InvariantChecker(clock);
    const network = new Network<Message>(
      scenario.network,
      this.random.network,
      this.trace,
      clock,
      (time, message) => this.queue.push(time, { kind: 'deliver', message }),
      describeMessage,
    );
    const voters = Array.from({ length: scenario.nodes }, (_, i) => i + 1);
    const hostContext = {
      trace: this.trace,
      invariants: this.invariants,
      now: () => this.now,
      send: (message: Message) => network.send(message),
    };
    const hosts = voters.map(
      (id) =>
        new NodeHost(
          {
            id,
            voters,
            electionTicks: scenario.timing.electionTicks,
            heartbeatTicks: scenario.timing.heartbeatTicks,
            timers: this.random.node(id),
            makeStateMachine: () => appliedLog(),
          },
          hostContext,
        ),
    );
    this.cluster = new Cluster(hosts, network, this.trace, this.invariants, () => this.now);
    this.nemesis = scenario.nemesis
      ? new Nemesis(this.cluster, this.random.nemesis, scenario.nemesis.faults, scenario.network)
      : null;
    this.workload =
      scenario.workload.type === 'proposals'
        ? new ProposalWorkload(this.cluster, this.random.workload, this.trace, () => this.now)
        : null;
  }

  run(): RunResult {
    const started = performance.now();
    this.schedule();
    const end = this.scenario.durationMs + this.scenario.livenessMs;
    while (!this.finished && this.queue.size > 0 && this.queue.peekTime() <= end) {
      const next = this.queue.pop()!;
      this.now = next.time;
      this.events++;
      this.handle(next.item);
      if (!this.invariants.ok) break;
      this.watchLeadership();
    }
    if (this.invariants.ok && this.healedAt >= 0 && this.recoveryMs === null) {
      this.invariants.fail(
        'liveness',
        `no stable leader within ${this.scenario.livenessMs} ms after all faults healed at ${this.healedAt} ms`,
      );
    }
    for (const violation of this.invariants.violations) {
      if (this.trace.enabled) this.trace.record({ t: violation.time, k: 'violation', invariant: violation.invariant, message: violation.message });
    }
    return this.result(performance.now() - started);
  }

  private schedule(): void {
    const { timing, faults, nemesis, durationMs, livenessMs } = this.scenario;
    for (const host of this.cluster.hosts) {
      // A random phase per node, from its own stream, keeps the nodes' ticks out of lockstep.
      this.queue.push(this.random.node(host.id).int(0, timing.tickMs - 1), { kind: 'tick', node: host.id });
    }
    for (const action of faults) this.queue.push(action.at, { kind: 'fault', action });
    if (nemesis) this.queue.push(nemesis.intervalMs, { kind: 'nemesis' });
    if (this.workload && this.scenario.workload.type === 'proposals') {
      this.queue.push(this.scenario.workload.intervalMs, { kind: 'workload' });
    }
    if (livenessMs > 0) this.queue.push(durationMs, { kind: 'heal' });
  }

  private handle(event: SimEvent): void {
    switch (event.kind) {
      case 'tick': {
        this.cluster.host(event.node).tick();
        this.queue.push(this.now + this.scenario.timing.tickMs, event);
        return;
      }
      case 'deliver': {
        const message = event.message;
        const network = this.cluster.network;
        if (!network.admit(message)) return;
        const host = this.cluster.host(message.payload.to);
        if (host.status === 'crashed') return network.drop(message.id, message.payload, 'crashed');
        network.recordDelivery(message);
        host.receive(message.payload);
        return;
      }
      case 'fault':
        if (this.healedAt < 0) applyFault(this.cluster, event.action, this.random.nemesis);
        return;
      case 'nemesis': {
        if (this.healedAt >= 0 || !this.scenario.nemesis) return;
        const delay = this.nemesis!.step(this.scenario.nemesis.intervalMs);
        this.queue.push(this.now + delay, event);
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
    }
  }

  /** The liveness phase: every fault ends, and a leader must emerge. */
  private healEverything(): void {
    this.healedAt = this.now;
    this.nemesis?.heal();
    this.cluster.heal();
    this.cluster.restartAll();
    this.cluster.resumeAll();
    this.cluster.setNetwork(this.scenario.network);
    this.cluster.note('liveness phase: all faults healed');
  }

  private watchLeadership(): void {
    const leader = this.cluster.leader();
    if (leader !== this.lastLeader) {
      if (leader !== undefined) this.leaderChanges++;
      this.lastLeader = leader;
    }
    if (this.healedAt >= 0 && this.recoveryMs === null && this.isStable()) {
      this.recoveryMs = this.now - this.healedAt;
      this.finished = true;
    }
  }

  /** One leader that every node follows in its term, with an entry of that term committed. */
  private isStable(): boolean {
    const leaderId = this.cluster.leader();
    if (leaderId === undefined) return false;
    const leader = this.cluster.host(leaderId).node;
    if (leader.log.termAt(leader.commit) !== leader.term) return false;
    return this.cluster.hosts.every((host) => host.node.term === leader.term && host.node.lead === leaderId);
  }

  private result(wallMs: number): RunResult {
    const network = this.cluster.network;
    const maxTerm = Math.max(...this.cluster.hosts.map((host) => host.node.term));
    return {
      scenario: this.scenario.name,
      seed: this.options.seed,
      ok: this.invariants.ok,
      violations: this.invariants.violations,
      stats: {
        events: this.events,
        simulatedMs: this.now,
        wallMs: Math.round(wallMs * 10) / 10,
        messagesSent: network.sent,
        messagesDelivered: network.delivered,
        messagesDropped: network.dropped,
        leaderChanges: this.leaderChanges,
        maxTerm,
        committed: this.invariants.committedCount(),
        proposals: this.workload?.proposed ?? 0,
        recoveryMs: this.recoveryMs,
      },
      traceHash: this.trace.hash(),
      events: this.trace.events,
    };
  }
}

/** The state machine of the plain proposals workload: it only needs to see entries applied. */
function appliedLog(): StateMachine {
  return { apply: (_entry: Entry) => {} };
}

export function runScenario(scenario: Scenario, options: RunOptions): RunResult {
  return new Simulation(scenario, options).run();
}
