import type { NodeId } from '../src/raft/types.js';
import type { Cluster } from './cluster.js';
import type { NetworkSettings } from './network.js';
import type { RandomStream } from './random.js';
import type { NemesisFault } from './scenario.js';

/**
 * A random nemesis in the manner of Jepsen's: it alternates between injecting one
 * fault, drawn from the enabled kinds, and healing it. All draws come from the
 * nemesis stream, so the same seed breaks the cluster the same way.
 */
export class Nemesis {
  private active: { kind: NemesisFault; node?: NodeId } | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly random: RandomStream,
    private readonly faults: readonly NemesisFault[],
    private readonly baseNetwork: NetworkSettings,
  ) {}

  /** Takes one step and returns the delay until the next one. */
  step(intervalMs: number): number {
    if (this.active) this.heal();
    else this.inject(this.random.pick(this.faults));
    return Math.max(1, Math.round(intervalMs * (0.5 + this.random.float())));
  }

  heal(): void {
    const active = this.active;
    if (!active) return;
    this.active = null;
    switch (active.kind) {
      case 'partition':
      case 'isolate':
        return this.cluster.heal();
      case 'crash':
        return this.cluster.restart(active.node!);
      case 'pause':
        return this.cluster.resume(active.node!);
      case 'flaky':
        return this.cluster.setNetwork(this.baseNetwork);
    }
  }

  private inject(kind: NemesisFault): void {
    const cluster = this.cluster;
    const ids = cluster.ids();
    switch (kind) {
      case 'partition': {
        const shuffled = this.random.shuffled(ids);
        const cutAt = this.random.int(1, Math.max(1, ids.length - 1));
        const sides = [shuffled.slice(0, cutAt).sort(byId), shuffled.slice(cutAt).sort(byId)];
        cluster.partition(sides, `partition ${sides.map((side) => `[${side.join(',')}]`).join(' | ')}`);
        break;
      }
      case 'isolate': {
        const target = this.random.chance(0.5) ? cluster.leader() : undefined;
        const node = target ?? this.random.pick(ids);
        cluster.partition([[node]], `isolate ${node}${target ? ' (leader)' : ''}`);
        break;
      }
      case 'crash': {
        const node = this.pickTarget();
        cluster.crash(node);
        this.active = { kind, node };
        return;
      }
      case 'pause': {
        const node = this.pickTarget();
        cluster.pause(node);
        this.active = { kind, node };
        return;
      }
      case 'flaky':
        cluster.setNetwork({
          minLatencyMs: this.baseNetwork.minLatencyMs,
          latencySpreadMs: this.baseNetwork.latencySpreadMs + this.random.int(5, 50),
          dropRate: this.random.float() * 0.3,
          duplicateRate: this.random.float() * 0.3,
        });
        break;
    }
    this.active = { kind };
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
