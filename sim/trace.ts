import type { ConfState, Role } from '../src/raft/types.js';

/**
 * One line of a run's story, in virtual milliseconds (`t`). The set of kinds and their
 * fields is part of the trace format (see README, "Trace format"); add, never rename.
 */
export type TraceEvent =
  | { t: number; k: 'send'; id: number; from: number; to: number; type: string; term: number; info: MessageInfo }
  | { t: number; k: 'deliver'; id: number; from: number; to: number }
  | { t: number; k: 'drop'; id: number; from: number; to: number; reason: DropReason }
  | { t: number; k: 'duplicate'; id: number; copy: number }
  | { t: number; k: 'timeout'; node: number; term: number }
  | { t: number; k: 'state'; node: number; role: Role; term: number; vote: number; lead: number }
  | { t: number; k: 'append'; node: number; from: number; terms: number[] }
  | { t: number; k: 'commit'; node: number; index: number }
  | { t: number; k: 'apply'; node: number; from: number; to: number }
  | { t: number; k: 'progress'; node: number; peer: number; match: number; next: number }
  /** A node compacted its log behind a snapshot of its state machine at `index`. */
  | { t: number; k: 'snapshot'; node: number; index: number; term: number }
  /** A follower replaced its log and state machine with the snapshot its leader `from` sent. */
  | { t: number; k: 'installSnapshot'; node: number; from: number; index: number }
  /** A leader's view of a follower changed state (probe, replicate, snapshot); only recorded around snapshots. */
  | { t: number; k: 'progressState'; node: number; peer: number; state: 'probe' | 'replicate' | 'snapshot'; pendingSnapshot?: number }
  | { t: number; k: 'crash'; node: number; lostWrites: number; keptWrites?: number; torn?: boolean }
  | { t: number; k: 'restart'; node: number; term: number; vote: number; commit: number; lastIndex: number }
  | { t: number; k: 'pause'; node: number }
  | { t: number; k: 'resume'; node: number; queued: number }
  | { t: number; k: 'partition'; cuts: [number, number][]; label: string }
  | { t: number; k: 'network'; minLatencyMs: number; latencySpreadMs: number; dropRate: number; duplicateRate: number; tailRate?: number; tailMs?: number }
  | { t: number; k: 'clock'; node: number; rate: number }
  | { t: number; k: 'disk'; node: number; syncMs: number }
  | { t: number; k: 'propose'; node: number; data: string; result: string }
  /** A membership change proposed at the leader (`change` as describeConfChange writes it), appended or refused. */
  | { t: number; k: 'confPropose'; node: number; change: string; result: string }
  /** The node applied the conf entry at `index`: `conf` is its configuration from now on. */
  | { t: number; k: 'conf'; node: number; index: number; conf: ConfState }
  | { t: number; k: 'client'; client: number; op: number; type: 'invoke' | 'ok' | 'fail' | 'info'; f: string; key?: string; value?: unknown; node?: number }
  | { t: number; k: 'note'; text: string }
  /** A leadership transfer from `from` (leader in `term`) to `to`: started, then finished (`to` leads) or abandoned. */
  | { t: number; k: 'transfer'; phase: 'started' | 'finished' | 'abandoned'; from: number; to: number; term: number; reason?: string }
  /** A leader gave up leadership on its own (CheckQuorum found no majority answering). */
  | { t: number; k: 'stepDown'; node: number; term: number; reason: string }
  | { t: number; k: 'violation'; invariant: string; message: string };

export type TraceKind = TraceEvent['k'];
export type DropReason = 'loss' | 'partition' | 'crashed' | 'paused-overflow';

/** The fields of a message worth seeing, without entry payloads. */
export type MessageInfo = Record<string, number | string | boolean>;

export type TraceLevel = 'off' | 'hash' | 'full';

/**
 * Records events and keeps a running 64-bit FNV-1a hash over their JSON text (as two
 * 32-bit lanes), so two runs are identical exactly when their hashes are. With level
 * 'off' nothing is built at all: callers check `enabled` before constructing an event.
 */
export class TraceRecorder {
  readonly enabled: boolean;
  readonly events: TraceEvent[] = [];
  count = 0;
  private readonly keep: boolean;
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  constructor(level: TraceLevel) {
    this.enabled = level !== 'off';
    this.keep = level === 'full';
  }

  record(event: TraceEvent): void {
    this.count++;
    this.mix(JSON.stringify(event));
    if (this.keep) this.events.push(event);
  }

  hash(): string {
    return hex32(this.hi) + hex32(this.lo);
  }

  private mix(text: string): void {
    let hi = this.hi;
    let lo = this.lo;
    for (let i = 0; i <= text.length; i++) {
      // A separator after each event keeps event boundaries in the hash.
      const c = i < text.length ? text.charCodeAt(i) : 10;
      lo = (lo ^ c) >>> 0;
      // Multiply the 64-bit value by the FNV prime 2^40 + 0x1b3, in 32-bit halves.
      const loProduct = lo * 0x1b3;
      const carry = Math.floor(loProduct / 0x100000000);
      hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
      lo = loProduct >>> 0;
    }
    this.hi = hi;
    this.lo = lo;
  }
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** The index of the first event where two traces part, or -1 when they are identical. */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return a.length === b.length ? -1 : n;
}
