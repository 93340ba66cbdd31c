import type { NodeId } from '../src/raft/types.js';
import type { Cluster } from './cluster.js';
import { applyFault } from './faults.js';
import type { NetworkSettings } from './network.js';
import type { RandomStream } from './random.js';
import type { FaultAction, NemesisFault } from './scenario.js';

/** A fault without its time: the nemesis decides what, the simulator says when. */
type Untimed<A> = A extends FaultAction ? Omit<A, 'at'> : never;
export type NemesisAction = Untimed<FaultAction>;

/**
 * A random nemesis in the manner of Jepsen's: it alternates between injecting one
 * fault, drawn from the enabled kinds, and healing it. All draws come from the
 * nemesis stream, so the same seed breaks the cluster the same way. Each step is an
 * ordinary fault action, carried out by applyFault like a scheduled one, so a run's
 * nemesis can be written down as an explicit schedule and shrunk.
 */
export class Nemesis {
  private healing: NemesisAction | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly random: RandomStream,
    private readonly faults: readonly NemesisFault[],
    private readonly baseNetwork: NetworkSettings,
  ) {}

  /** Takes one step: the fault as carried out (if any), and the delay until the next step. */
  step(intervalMs: number, now: number): { applied: FaultAction | undefined; delayMs: number } {
    const healing = this.healing;
    this.healing = null;
    const applied = healing ? this.apply(healing, now) : this.inject(this.random.pick(this.faults), now);
    return { applied, delayMs: Math.max(1, Math.round(intervalMs * (0.5 + this.random.float()))) };
  }

  private inject(kind: NemesisFault, now: number): FaultAction | undefined {
    const ids = this.cluster.ids();
    switch (kind) {
      case 'partition': {
        const shuffled = this.random.shuffled(ids);
        const cutAt = this.random.int(1, Math.max(1, ids.length - 1));
        const groups = [shuffled.slice(0, cutAt).sort(byId), shuffled.slice(cutAt).sort(byId)];
        this.healing = { action: 'heal' };
        return this.apply({ action: 'partition', groups }, now);
      }
      case 'isolate': {
        const leader = this.random.chance(0.5) ? this.cluster.leader() : undefined;
        const node = leader ?? this.random.pick(ids);
        this.healing = { action: 'heal' };
        return this.apply({ action: 'isolate', node }, now);
      }
      case 'crash': {
        const node = this.pickTarget();
        this.healing = { action: 'restart', node };
        return this.apply({ action: 'crash', node }, now);
      }
      case 'pause': {
        const node = this.pickTarget();
        this.healing = { action: 'resume', node };
        return this.apply({ action: 'pause', node }, now);
      }
      case 'flaky': {
        const base = this.baseNetwork;
        this.healing = { action: 'network', settings: { ...base } };
        const settings = {
          minLatencyMs: base.minLatencyMs,
          latencySpreadMs: base.latencySpreadMs + this.random.int(5, 50),
          dropRate: this.random.float() * 0.3,
          duplicateRate: this.random.float() * 0.3,
        };
        return this.apply({ action: 'network', settings }, now);
      }
    }
  }

  private apply(action: NemesisAction, now: number): FaultAction | undefined {
    return applyFault(this.cluster, { ...action, at: now } as FaultAction, this.random);
  }

  /** The leader half the time (the most interesting victim), otherwise any node. */
  private pickTarget(): NodeId {
    const leader = this.random.chance(0.5) ? this.cluster.leader() : undefined;
    return leader ?? this.random.pick(this.cluster.ids());
  }
}

function byId(a: number, b: number): number {
  return a - b;
}
