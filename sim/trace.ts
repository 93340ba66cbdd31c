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
  /** `killed`: the process died, not the machine (every write survives; clients are reset). */
  | { t: number; k: 'crash'; node: number; lostWrites: number; keptWrites?: number; torn?: boolean; killed?: boolean }
  | { t: number; k: 'restart'; node: number; term: number; vote: number; commit: number; lastIndex: number }
  | { t: number; k: 'pause'; node: number }
  | { t: number; k: 'resume'; node: number; queued: number }
  | { t: number; k: 'partition'; cuts: [number, number][]; label: string }
  /** The directed link from → to holds every message arriving on it, in order, losing none. */
  | { t: number; k: 'clog'; from: number; to: number }
  /** The link from → to lets its `released` held messages go on at once (one cut meanwhile drops them). */
  | { t: number; k: 'unclog'; from: number; to: number; released: number }
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
/** `chosen`: a `drop` fault of the schedule named the message. */
export type DropReason = 'loss' | 'partition' | 'crashed' | 'chosen';

/** The fields of a message worth seeing, without entry payloads. */
export type MessageInfo = Record<string, number | string | boolean>;

export type TraceLevel = 'off' | 'hash' | 'full';

/**
 * Records events and keeps a running 64-bit FNV-1a hash over their JSON text, so two runs
 * are identical exactly when their hashes are. With level 'off' nothing is built at all:
 * callers check `enabled` before constructing an event.
 */
export class TraceRecorder {
  readonly enabled: boolean;
  readonly events: TraceEvent[] = [];
  count = 0;
  private readonly keep: boolean;
  /** The 64-bit state as four 16-bit limbs, low first: every product stays an exact small integer. */
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

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
    return hex16(this.h3) + hex16(this.h2) + hex16(this.h1) + hex16(this.h0);
  }

  private mix(text: string): void {
    let { h0, h1, h2, h3 } = this;
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      // A separator after each event keeps event boundaries in the hash.
      h0 ^= i < n ? text.charCodeAt(i) : 10;
      // Times the FNV prime 2^40 + 0x1b3: 0x1b3 on every limb, 2^40 shifts limbs 0 and 1 up to 2 and 3 (<< 8).
      const t0 = h0 * 0x1b3;
      const t1 = h1 * 0x1b3 + (t0 >>> 16);
      const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
      h3 = (h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16)) & 0xffff;
      h0 = t0 & 0xffff;
      h1 = t1 & 0xffff;
      h2 = t2 & 0xffff;
    }
    this.h0 = h0;
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
  }
}

function hex16(n: number): string {
  return n.toString(16).padStart(4, '0');
}

/** The index of the first event where two traces part, or -1 when they are identical. */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) return i;
  return a.length === b.length ? -1 : n;
}
