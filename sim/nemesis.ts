import type { NodeId } from '../src/raft/types.js';
import type { Cluster } from './cluster.js';
import { applyFault } from './faults.js';
import type { NetworkSettings } from './network.js';
import type { RandomStream } from './random.js';
import type { FaultAction, NemesisFault } from './scenario.js';
import type { FaultProfile } from './swarm.js';

/** A fault without its time: the nemesis decides what, the simulator says when. */
type Untimed<A> = A extends FaultAction ? Omit<A, 'at'> : never;
export type NemesisAction = Untimed<FaultAction>;

/**
 * A random nemesis in the manner of Jepsen's: it alternates between injecting one
 * fault, drawn from the profile's kinds, and healing it. All draws come from the
 * nemesis stream, so the same seed breaks the cluster the same way. Each step is an
 * ordinary fault action, carried out by applyFault like a scheduled one, so a run's
 * nemesis can be written down as an explicit schedule and shrunk.
 */
export class Nemesis {
  /** How to undo each fault that is on, oldest first. */
  private readonly healing: NemesisAction[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly random: RandomStream,
    readonly profile: FaultProfile,
    private readonly baseNetwork: NetworkSettings,
  ) {}

  /** Takes one step: the fault as carried out (if any), and the delay until the next step. */
  step(now: number): { applied: FaultAction | undefined; delayMs: number } {
    const applied = this.injectNext() ? this.inject(this.random.pick(this.profile.faults), now) : this.apply(this.healing.shift()!, now);
    return { applied, delayMs: Math.max(1, Math.round(this.profile.intervalMs * (0.5 + this.random.float()))) };
  }

  /** Inject while nothing is on; heal once the profile's limit is reached; in between, toss a coin. */
  private injectNext(): boolean {
    const on = this.healing.length;
    if (on === 0) return true;
    if (on >= this.profile.concurrency) return false;
    return this.random.chance(0.5);
  }

  private inject(kind: NemesisFault, now: number): FaultAction | undefined {
    const ids = this.cluster.ids();
    const heal: NemesisAction = { action: 'heal' };
    switch (kind) {
      case 'partition': {
        const shuffled = this.random.shuffled(ids);
        const cutAt = this.random.int(1, Math.max(1, ids.length - 1));
        const groups = [shuffled.slice(0, cutAt).sort(byId), shuffled.slice(cutAt).sort(byId)];
        return this.injectThenHeal({ action: 'partition', groups }, heal, now);
      }
      case 'isolate':
        return this.injectThenHeal({ action: 'isolate', node: this.pickTarget() }, heal, now);
      case 'bridge':
        return this.injectThenHeal({ action: 'bridge' }, heal, now);
      case 'ring':
        return this.injectThenHeal({ action: 'ring' }, heal, now);
      case 'one-way': {
        // The node still hears everyone but nobody hears it, or the other way round.
        const node = this.pickTarget();
        const others = ids.filter((id) => id !== node);
        const outbound = this.random.chance(0.5);
        const links = others.map((other): [NodeId, NodeId] => (outbound ? [node, other] : [other, node]));
        return this.injectThenHeal({ action: 'cuts', links }, heal, now);
      }
      case 'flaky-link': {
        const [from, to] = this.random.shuffled(ids);
        return this.injectThenHeal({ action: 'cut', from, to }, { action: 'uncut', from, to }, now);
      }
      case 'clog': {
        // One direction of one link stalls and then delivers its backlog in one burst.
        const [from, to] = this.random.shuffled(ids);
        return this.injectThenHeal({ action: 'clog', from, to }, { action: 'unclog', from, to }, now);
      }
      case 'crash-voter':
        // A trap rather than a strike now: elections are short, and a nemesis step rarely
        // lands inside one. It heals itself: the voter comes back at once.
        return this.apply({ action: 'crash-voter', restartAfterMs: this.random.int(0, 1) }, now);
      case 'crash':
      case 'lost-fsync':
      case 'torn-write': {
        const node = this.pickTarget();
        const unsynced = kind === 'crash' ? undefined : kind === 'lost-fsync' ? 'keep-some' : 'tear';
        return this.injectThenHeal({ action: 'crash', node, ...(unsynced ? { unsynced } : {}) }, { action: 'restart', node }, now);
      }
      case 'kill': {
        const node = this.pickTarget();
        return this.injectThenHeal({ action: 'kill', node }, { action: 'restart', node }, now);
      }
      case 'pause': {
        const node = this.pickTarget();
        return this.injectThenHeal({ action: 'pause', node }, { action: 'resume', node }, now);
      }
      case 'flaky': {
        const base = this.baseNetwork;
        const profile = this.profile;
        const settings = {
          ...base,
          latencySpreadMs: base.latencySpreadMs + this.random.int(5, profile.maxExtraSpreadMs),
          dropRate: this.random.float() * profile.maxDropRate,
          duplicateRate: this.random.float() * profile.maxDuplicateRate,
        };
        return this.injectThenHeal({ action: 'network', settings }, { action: 'network', settings: { ...base } }, now);
      }
      case 'delay': {
        const base = this.baseNetwork;
        const settings = { ...base, tailRate: this.profile.tailRate, tailMs: this.profile.tailMs };
        return this.injectThenHeal({ action: 'network', settings }, { action: 'network', settings: { ...base } }, now);
      }
      case 'slow-disk': {
        const node = this.pickTarget();
        const syncMs = this.random.int(1, this.profile.maxSyncMs);
        return this.injectThenHeal({ action: 'disk', node, syncMs }, { action: 'disk', node, syncMs: 0 }, now);
      }
      case 'membership':
        // A membership change is no fault to heal: the cluster simply has new members.
      {
        const change = this.drawConfChange();
        if (change) return this.apply(change, now);
        this.cluster.note('membership: no change to make (three voters and nobody outside)');
        return undefined;
      }
      case 'transfer':
        // Nothing to heal: the transfer completes or is abandoned on its own.
        return this.apply({ action: 'transfer' }, now);
      case 'clock': {
        const node = this.random.pick(ids);
        // Fast or slow with even odds, up to the profile's drift either way.
        const drift = 1 + this.random.float() * (this.profile.maxDrift - 1);
        const rate = Math.round((this.random.chance(0.5) ? drift : 1 / drift) * 100) / 100;
        return this.injectThenHeal({ action: 'clock', node, rate }, { action: 'clock', node, rate: 1 }, now);
      }
    }
  }

  /**
   * A sensible next change for the leader's config: promote a learner; or remove a voter
   * (never below three); or bring a node outside the cluster back, as a learner to be
   * promoted later or straight as a voter. A joint config is left alone: it leaves itself.
   */
  private drawConfChange(): NemesisAction | undefined {
    const conf = this.cluster.confState();
    if (conf.votersOutgoing.length > 0) return { action: 'leave-joint' };
    if (conf.learners.length > 0) return { action: 'promote', node: this.random.pick(conf.learners) };
    const outside = this.cluster.ids().filter((id) => !conf.voters.includes(id));
    if (conf.voters.length > 3 && (outside.length === 0 || this.random.chance(0.5))) return { action: 'remove', node: this.random.pick(conf.voters) };
    if (outside.length > 0) return { action: this.random.chance(0.5) ? 'add-learner' : 'add-voter', node: this.random.pick(outside) };
    return undefined;
  }

  private injectThenHeal(fault: NemesisAction, heal: NemesisAction, now: number): FaultAction | undefined {
    this.healing.push(heal);
    return this.apply(fault, now);
  }

  private apply(action: NemesisAction, now: number): FaultAction | undefined {
    return applyFault(this.cluster, { ...action, at: now } as FaultAction, this.random);
  }

  /** The leader as often as the profile says (the most interesting victim), otherwise any node. */
  private pickTarget(): NodeId {
    const leader = this.random.chance(this.profile.leaderBias) ? this.cluster.leader() : undefined;
    return leader ?? this.random.pick(this.cluster.ids());
  }
}

function byId(a: number, b: number): number {
  return a - b;
}
