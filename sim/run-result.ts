// What a run takes besides its scenario (RunOptions), and what it hands back (RunResult).
import type { BugName } from '../src/bugs.js';
import type { HistoryEvent } from './history.js';
import type { Violation } from './invariants.js';
import type { LinearizabilityReport } from './kv-checks.js';
import type { FaultAction, Scenario } from './scenario.js';
import type { FaultProfile } from './swarm.js';
import type { TraceEvent, TraceLevel } from './trace.js';

export interface RunOptions {
  readonly seed: number;
  /** 'full' keeps every event (for files and the viewer); 'hash' only hashes; 'off' is fastest. */
  readonly trace?: TraceLevel;
  /**
   * Budget of the linearizability check in search steps (default DEFAULT_CHECK_STEPS); past it
   * the verdict is `unknown`. Steps, not time, so the verdict is the same on every machine.
   */
  readonly checkSteps?: number;
  /** A planted bug to switch on (src/bugs.ts); absent, the code runs as written. */
  readonly bug?: BugName;
  /**
   * False skips the end-of-run checks of the clients' history (HISTORY_CHECKS): for a caller
   * that only asks whether a run breaks a Raft invariant, as the shrinker does. The
   * simulation itself, its trace and every in-run check are the same either way.
   */
  readonly historyChecks?: boolean;
}

export interface RunStats {
  events: number;
  simulatedMs: number;
  wallMs: number;
  /** Of `wallMs`, the end-of-run checks of the clients' history (linearizability above all). */
  checkMs: number;
  messagesSent: number;
  messagesDelivered: number;
  messagesDropped: number;
  leaderChanges: number;
  maxTerm: number;
  committed: number;
  proposals: number;
  /** Client operations by outcome (KV workloads). */
  ops: { ok: number; fail: number; info: number };
  /** Virtual ms from the final heal until a stable leader, or null without a liveness phase. */
  recoveryMs: number | null;
}

export interface RunResult {
  readonly scenario: string;
  readonly seed: number;
  /** The planted bug the run had switched on, if any. */
  readonly bug?: BugName;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  readonly stats: RunStats;
  readonly traceHash: string;
  readonly events: readonly TraceEvent[];
  /** The clients' history (KV workloads), Jepsen-style. */
  readonly history: readonly HistoryEvent[];
  /** The checker's verdict on the history, or null when the workload has no model (or a safety check failed first). */
  readonly linearizability: LinearizabilityReport | null;
  /** Every fault as it was carried out (scheduled or by the nemesis), node references resolved. */
  readonly faults: readonly FaultAction[];
  /** How the nemesis behaved (drawn for this seed under swarm testing), or null without one. */
  readonly profile: FaultProfile | null;
  /** The network the run started on (a swarm profile may slow the scenario's down). */
  readonly network: Scenario['network'];
}

/** Client operations by outcome, from a history. */
export function countOutcomes(history: readonly HistoryEvent[]): RunStats['ops'] {
  const ops = { ok: 0, fail: 0, info: 0 };
  for (const event of history) if (event.type !== 'invoke') ops[event.type]++;
  return ops;
}
