import type { NodeId } from '../src/raft/types.js';
import type { TraceRecorder } from './trace.js';

interface PendingTransfer {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/**
 * Follows each leadership transfer to its end, for the trace. The old leader knows when
 * it starts a transfer and when it gives one up (after an election timeout, or for
 * another target); whether the target took over only shows when the next leader is
 * elected, which no single node sees. So every `started` is followed by exactly one
 * `finished` (the next leader is the target) or `abandoned` (with the reason).
 */
export class TransferWatch {
  private pending: PendingTransfer[] = [];

  constructor(
    private readonly trace: TraceRecorder,
    private readonly now: () => number,
  ) {}

  started(from: NodeId, to: NodeId, term: number): void {
    this.pending.push({ from, to, term });
    this.record('started', { from, to, term });
  }

  abandoned(from: NodeId, to: NodeId, term: number, reason: string): void {
    const transfer = this.pending.find((p) => p.from === from && p.to === to && p.term === term);
    if (!transfer) return;
    this.pending = this.pending.filter((p) => p !== transfer);
    this.record('abandoned', transfer, reason);
  }

  /** A leader of a later term ends every transfer begun before it. */
  leaderElected(leader: NodeId, term: number): void {
    const ended = this.pending.filter((p) => p.term < term);
    if (ended.length === 0) return;
    this.pending = this.pending.filter((p) => p.term >= term);
    for (const transfer of ended) {
      if (transfer.to === leader) this.record('finished', transfer);
      else this.record('abandoned', transfer, `node ${leader} won term ${term}`);
    }
  }

  /** The run is over: what is still pending never ended. */
  close(): void {
    for (const transfer of this.pending) this.record('abandoned', transfer, 'the run ended');
    this.pending = [];
  }

  private record(phase: 'started' | 'finished' | 'abandoned', transfer: PendingTransfer, reason?: string): void {
    this.trace.record({ t: this.now(), k: 'transfer', phase, from: transfer.from, to: transfer.to, term: transfer.term, ...(reason ? { reason } : {}) });
  }
}
