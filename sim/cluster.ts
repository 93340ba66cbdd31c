import { describeConfChange } from '../src/raft/membership.js';
import type { ConfChange, NodeId } from '../src/raft/types.js';
import type { NodeClock } from './clock.js';
import type { InvariantChecker } from './invariants.js';
import type { Network, NetworkSettings } from './network.js';
import type { NodeHost } from './node-host.js';
import type { Packet } from './packets.js';
import type { UnsyncedFate } from './scenario.js';
import type { TraceRecorder } from './trace.js';

/**
 * The servers and the network between them, with the operations faults are made of.
 * Every change is written to the trace so the viewer can show it.
 */
export class Cluster {
  /** Armed by a crash-voter fault: how long its victim stays down, or null when not armed. */
  private voteTrap: number | null = null;

  constructor(
    readonly hosts: readonly NodeHost[],
    readonly network: Network<Packet>,
    private readonly trace: TraceRecorder,
    private readonly invariants: InvariantChecker,
    private readonly now: () => number,
    private readonly clocks: readonly NodeClock[],
    /** Told when a server's process is killed: its clients' connections reset. */
    private readonly connectionsLost: (id: NodeId) => void = () => {},
  ) {}

  host(id: NodeId): NodeHost {
    return this.hosts[id - 1];
  }

  ids(): NodeId[] {
    return this.hosts.map((host) => host.id);
  }

  quorum(): number {
    return Math.floor(this.hosts.length / 2) + 1;
  }

  /** The live leader with the newest term, if any. */
  leader(): NodeId | undefined {
    let best: NodeHost | undefined;
    for (const host of this.hosts) {
      if (host.status === 'crashed' || host.node.role !== 'leader') continue;
      if (!best || host.node.term > best.node.term) best = host;
    }
    return best?.id;
  }

  armVoteTrap(restartAfterMs: number): void {
    this.voteTrap = restartAfterMs;
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'note', text: 'crash-voter: armed' });
  }

  /**
   * A node granted a vote in `term`. An armed trap springs if the election is contested
   * (two candidates of the term): it returns how long the voter is to stay down, and disarms.
   */
  springVoteTrap(term: number): number | undefined {
    if (this.voteTrap === null || this.candidatesOfTerm(term) < 2) return undefined;
    const restartAfterMs = this.voteTrap;
    this.voteTrap = null;
    return restartAfterMs;
  }

  private candidatesOfTerm(term: number): number {
    let count = 0;
    for (const host of this.hosts) if (host.isUp && host.node.role === 'candidate' && host.node.term === term) count++;
    return count;
  }

  liveFollowers(): NodeId[] {
    return this.hosts.filter((host) => host.isUp && host.node.role !== 'leader').map((host) => host.id);
  }

  /** Cuts every link between different groups; nodes in no group form one more group together. */
  partition(groups: readonly (readonly NodeId[])[], label: string): void {
    const groupOf = new Map<NodeId, number>();
    groups.forEach((group, g) => group.forEach((id) => groupOf.set(id, g)));
    this.network.healAll();
    for (const a of this.ids()) {
      for (const b of this.ids()) {
        if (a !== b && (groupOf.get(a) ?? -1) !== (groupOf.get(b) ?? -1)) this.network.cut(a, b);
      }
    }
    this.recordPartition(label);
  }

  /** Cuts one direction of one link, in addition to any existing cuts. */
  cut(from: NodeId, to: NodeId): void {
    this.network.cut(from, to);
    this.recordPartition(`cut ${from}→${to}`);
  }

  /** Replaces every cut with exactly these directed links. */
  setCuts(links: readonly (readonly [NodeId, NodeId])[], label: string): void {
    this.network.healAll();
    for (const [from, to] of links) this.network.cut(from, to);
    this.recordPartition(label);
  }

  /** Restores one direction of one link, leaving every other cut in place. */
  uncut(from: NodeId, to: NodeId): void {
    this.network.uncut(from, to);
    this.recordPartition(`restore ${from}→${to}`);
  }

  heal(): void {
    this.network.healAll();
    this.recordPartition('heal');
    for (const [from, to] of this.network.cloggedLinks()) this.unclog(from, to);
  }

  /** The link from → to holds what arrives on it, losing nothing, until unclogged. */
  clog(from: NodeId, to: NodeId): void {
    this.network.clog(from, to);
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'clog', from, to });
  }

  unclog(from: NodeId, to: NodeId): void {
    const released = this.network.unclog(from, to);
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'unclog', from, to, released });
  }

  crash(id: NodeId, fate: UnsyncedFate = 'lose', keep = 0): void {
    this.takeDown(id, (host) => host.crash(fate, keep));
  }

  /** The node's process is killed (its machine stays up): no write is lost, and its clients hear at once. */
  kill(id: NodeId): void {
    if (this.takeDown(id, (host) => host.kill())) this.connectionsLost(id);
  }

  /** Takes a live node down; false when it was down already. */
  private takeDown(id: NodeId, how: (host: NodeHost) => void): boolean {
    const host = this.host(id);
    if (host.status === 'crashed') return false;
    how(host);
    // Each crash is a moment to ask whether committed entries are still safe on disk.
    this.invariants.checkCommittedDurable(this.hosts.map((h) => h.disk), this.quorum());
    return true;
  }

  restart(id: NodeId): void {
    if (this.host(id).status === 'crashed') this.host(id).restart();
  }

  restartAll(): void {
    for (const host of this.hosts) if (host.status === 'crashed') host.restart();
  }

  /** The leader starts handing over to `to`; a paused leader cannot act, and the attempt is noted. */
  transferLeadership(leader: NodeId, to: NodeId): void {
    const host = this.host(leader);
    if (!host.isUp) return this.note(`transfer skipped: leader ${leader} is ${host.status}`);
    host.act((node) => node.transferLeadership(to));
  }

  pause(id: NodeId): void {
    if (this.host(id).status === 'up') this.host(id).pause();
  }

  resume(id: NodeId): void {
    if (this.host(id).status === 'paused') this.host(id).resume();
  }

  resumeAll(): void {
    for (const host of this.hosts) if (host.status === 'paused') host.resume();
  }

  clock(id: NodeId): NodeClock {
    return this.clocks[id - 1];
  }

  /** The worst clock drift so far, as a factor of at least 1 (a rate of 0.5 or 2 is 2). */
  maxDrift = 1;

  setClockRate(id: NodeId, rate: number): void {
    this.maxDrift = Math.max(this.maxDrift, rate, 1 / rate);
    this.clock(id).setRate(rate);
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'clock', node: id, rate });
  }

  setSyncDelay(id: NodeId, syncMs: number): void {
    this.host(id).setSyncDelay(syncMs);
  }

  /** Every disk fast again (the liveness phase heals slow disks too). */
  resetDisks(): void {
    for (const host of this.hosts) if (host.syncDelay !== 0) host.setSyncDelay(0);
  }

  /** Every clock back to true time's rate (the liveness phase heals drift too). */
  resetClocks(): void {
    for (const host of this.hosts) if (this.clock(host.id).speed !== 1) this.setClockRate(host.id, 1);
  }

  networkSettings(): NetworkSettings {
    return this.network.settings;
  }

  setNetwork(settings: NetworkSettings): void {
    this.network.settings = settings;
    if (this.trace.enabled) {
      // The long tail is written only when on, so traces without it read as they always did.
      const { tailRate, tailMs, ...rest } = settings;
      this.trace.record({ t: this.now(), k: 'network', ...rest, ...(tailRate > 0 ? { tailRate, tailMs } : {}) });
    }
  }

  /**
   * Proposes a membership change at the live leader; when there is none, or it refuses,
   * the trace says so. Returns whether the change was appended.
   */
  proposeConfChange(cc: ConfChange): boolean {
    const change = describeConfChange(cc);
    const leader = this.leader();
    if (leader === undefined || !this.host(leader).isUp) {
      this.note(`conf change ${change} skipped: no live leader`);
      return false;
    }
    const result = this.host(leader).act((node) => node.proposeConfChange(cc));
    if (this.trace.enabled) {
      const text = result.kind === 'appended' ? `appended at ${result.index}` : `refused: ${result.reason}`;
      this.trace.record({ t: this.now(), k: 'confPropose', node: leader, change, result: text });
    }
    return result.kind === 'appended';
  }

  /** The configuration in force at the leader of the moment (or, without one, at node 1). */
  confState() {
    return this.host(this.leader() ?? 1).node.confState();
  }

  isLearner(id: NodeId): boolean {
    return this.confState().learners.includes(id);
  }

  note(text: string): void {
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'note', text });
  }

  private recordPartition(label: string): void {
    if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'partition', cuts: this.network.cutLinks(), label });
  }
}
