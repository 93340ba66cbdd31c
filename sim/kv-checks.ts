// The checker's modules, not its index: the index also exports the file-reading CLI, and the simulator runs in a browser too.
import { checkOperations, operationsOf, resolveModel } from '../src/check/checker.js';
import type { Counterexample, ImpossibleOp } from '../src/check/counterexample.js';
import type { Operations } from '../src/check/history.js';
import { checkOperationRevisions } from '../src/check/revisions.js';
import { checkSerializableReads } from '../src/check/serializable.js';
import { prefixEnd } from '../src/kv/keyIndex.js';
import type { KvService } from '../src/kv/service.js';
import type { HistoryEvent } from './history.js';
import type { InvariantName, Violation } from './invariants.js';
import type { LeaseRecord } from './workloads/lease.js';
import { describe, WATCH_PREFIX, type SeenEvent, type WatchClient } from './watch-client.js';
import type { MvccStore } from '../src/kv/store.js';
import type { WorkloadConfig } from './scenario.js';
import { BANK_INITIAL_BALANCE } from './workloads/bank.js';

/** A failed end-of-run check reads like any other violation. */
export type CheckFailure = Violation;

/** The checks made of the clients' history once a run ends; every other check is made as the run goes. */
export const HISTORY_CHECKS: ReadonlySet<InvariantName> = new Set<InvariantName>(['linearizability', 'bank', 'lease', 'watch']);

/** Jepsen's bank invariant: every successful read sees all accounts or none, summing to the same total. */
export function checkBank(history: readonly HistoryEvent[], accounts: number): CheckFailure[] {
  const total = accounts * BANK_INITIAL_BALANCE;
  const failures: CheckFailure[] = [];
  for (const event of history) {
    if (event.type !== 'ok' || event.f !== 'read') continue;
    const balances = event.value as Record<string, number>;
    const names = Object.keys(balances);
    if (names.length === 0) continue;
    const sum = names.reduce((acc, name) => acc + balances[name], 0);
    if (names.length !== accounts || sum !== total) {
      failures.push({
        invariant: 'bank',
        message: `read (op ${event.op}, process ${event.process}) saw ${names.length} of ${accounts} accounts summing to ${sum}, expected ${total}: ${JSON.stringify(balances)}`,
        time: event.time,
      });
      break;
    }
  }
  return failures;
}

/** The checker's verdict on a run's history, with the counterexample in the run's own op ids (for the viewer). */
export interface LinearizabilityReport {
  readonly model: string;
  readonly verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  readonly ops: number;
  readonly parts: number;
  /** Search steps over all parts: what the step budget counts. */
  readonly steps: number;
  readonly wallMs: number;
  readonly counterexample?: {
    readonly keys: readonly string[];
    /** The longest linearizable prefix (its tail), as op ids in linearization order. */
    readonly prefix: readonly number[];
    /** Ops that could come next, none of which can. */
    readonly impossible: readonly number[];
    readonly detail: Counterexample;
  };
}

const MODEL_OF: Partial<Record<WorkloadConfig['type'], string>> = { register: 'register', kv: 'etcd', watch: 'etcd' };
const WATCH_END = prefixEnd(WATCH_PREFIX);

/**
 * The history paired into operations for its workload's model, once for every check that
 * reads it (the revision order and linearizability); undefined for workloads without one.
 */
export function historyOperations(config: WorkloadConfig, history: readonly HistoryEvent[]): Operations | undefined {
  const model = MODEL_OF[config.type];
  return model ? operationsOf(history, model) : undefined;
}

export function checkLinearizability(
  config: WorkloadConfig,
  history: readonly HistoryEvent[],
  maxSteps: number,
  operations = historyOperations(config, history),
): LinearizabilityReport | null {
  const model = MODEL_OF[config.type];
  if (!model || !operations) return null;
  const result = checkOperations(operations.ops, resolveModel(model), { maxSteps, fileName: 'history' }, operations.failed);
  const opAt = (index: number) => history[index].op;
  const ce = result.counterexample;
  return {
    model,
    verdict: result.verdict,
    ops: result.ops,
    parts: result.parts,
    steps: result.steps,
    wallMs: Math.round(result.wallMs),
    ...(ce
      ? { counterexample: { keys: ce.keys, prefix: ce.prefix.map((step) => opAt(step.invokeIndex)), impossible: ce.impossible.map((op) => opAt(op.invokeIndex)), detail: ce } }
      : {}),
  };
}

/**
 * Describes a non-linearizable history in one line: the operation to look at first, then how
 * many others could not come next either (all of them are in the counterexample).
 */
export function linearizabilityFailure(report: LinearizabilityReport, history: readonly HistoryEvent[]): CheckFailure {
  const ce = report.counterexample;
  if (!ce || ce.detail.impossible.length === 0) return { invariant: 'linearizability', message: `history is not linearizable (${report.model} model)`, time: 0 };
  const impossible = ce.detail.impossible;
  const id = (op: ImpossibleOp) => `op ${history[op.invokeIndex].op}`;
  const named = (op: ImpossibleOp) => `${id(op)} (${op.description})`;
  // The completed op that returned first had to be placed before every later call: it is the one
  // to look at, the others are merely its rivals.
  const returned = impossible.filter((op) => op.ret !== null).sort((a, b) => (a.ret as number) - (b.ret as number));
  const first = returned[0] ?? impossible[0];
  const verdict = returned.length > 0 ? ' returned first, so it had to, but cannot' : ' cannot';
  const rest = rivals(impossible.filter((op) => op !== first), id, named);
  const keys = `key${ce.keys.length === 1 ? '' : 's'} ${ce.keys.join(', ')}`;
  return {
    invariant: 'linearizability',
    message: `history is not linearizable (${report.model} model) on ${keys}: after ${ce.detail.prefixLength} linearized ops no op can come next: ${named(first)}${verdict}${rest}`,
    time: history[first.invokeIndex].time,
  };
}

/** The other ops that cannot come next either: named when few, else counted and the first few listed. */
function rivals(others: readonly ImpossibleOp[], id: (op: ImpossibleOp) => string, named: (op: ImpossibleOp) => string): string {
  if (others.length === 0) return '';
  if (others.length <= 3) return `; nor can ${others.map(named).join(', ')}`;
  const unknown = others.filter((op) => op.ret === null).length;
  const outcomes = unknown > 0 ? `; ${unknown} of unknown outcome` : '';
  return `; nor can any of the ${others.length} others (${others.slice(0, 5).map(id).join(', ')}, …${outcomes})`;
}

/**
 * etcd's revisions are one global order: distinct per write, consistent with real time, and
 * with none skipped (the simulated store starts empty and every write to it is a client's).
 */
export function checkRevisions(operations: Operations): CheckFailure[] {
  const report = checkOperationRevisions(operations.ops, { limit: 1, contiguous: true });
  return report.violations.map((violation) => ({ invariant: 'linearizability' as const, message: `revision order: ${violation.message}`, time: Math.ceil(violation.at) }));
}

/** Serializable gets may be stale, never invented: each returns a state its key had (src/check/serializable.ts). */
export function checkSerializable(operations: Operations): CheckFailure[] {
  return checkSerializableReads(operations.ops)
    .slice(0, 1)
    .map((violation) => ({ invariant: 'linearizability' as const, message: `serializable read: ${violation.message}`, time: Math.ceil(violation.at) }));
}

export function checkWorkloadInvariants(config: WorkloadConfig, history: readonly HistoryEvent[], operations = historyOperations(config, history)): CheckFailure[] {
  if (config.type === 'bank') return checkBank(history, config.accounts);
  if ((config.type === 'kv' || config.type === 'watch') && operations) return [...checkRevisions(operations), ...checkSerializable(operations)];
  return [];
}

export interface LeaseCheckContext {
  readonly replicas: readonly { readonly id: number; readonly service: KvService }[];
  /** The last time leadership moved: a new leader gives every lease a fresh TTL. */
  readonly lastLeaderChangeAt: number;
  readonly now: number;
  /** Time the leader may take to notice an expiry and commit the revoke everywhere. */
  readonly slackMs: number;
  /**
   * The worst clock drift of the run, as a factor of at least 1: leases run on the leader's
   * clock, so a fast clock may expire them that much early and a slow one that much late
   * (etcd's leases assume bounded drift, and so does this check).
   */
  readonly drift: number;
}

/**
 * Leases expire neither early nor never: no replica revokes a lease before its TTL has
 * run from the last renewal the client saw succeed, and once the TTL (restarted by any
 * leader change) has run out, every replica has revoked it and deleted its keys.
 */
export function checkLeases(leases: readonly LeaseRecord[], ctx: LeaseCheckContext): CheckFailure[] {
  for (const lease of leases) {
    for (const { id, service } of ctx.replicas) {
      const revokedAt = service.leaseRevokedAt.get(lease.id);
      if (revokedAt !== undefined && revokedAt < lease.renewalSentAt + lease.ttlMs / ctx.drift) {
        return [{ invariant: 'lease', time: revokedAt, message: `node ${id} revoked lease ${lease.id} at ${revokedAt} ms, before its ${lease.ttlMs} ms TTL ran out (renewed by a request sent at ${lease.renewalSentAt} ms)` }];
      }
    }
    const deadline = Math.max(lease.lastRenewedAt, ctx.lastLeaderChangeAt) + lease.ttlMs * ctx.drift + ctx.slackMs;
    if (deadline > ctx.now) continue;
    for (const { id, service } of ctx.replicas) {
      if (service.store.leaseTimeToLive(lease.id).ok) {
        return [{ invariant: 'lease', time: ctx.now, message: `node ${id} still holds lease ${lease.id}, which should have expired by ${deadline} ms (last renewed at ${lease.lastRenewedAt} ms, TTL ${lease.ttlMs} ms)` }];
      }
      for (const key of lease.keys) {
        const range = service.store.range({ key });
        if (range.ok && range.response.kvs.some((kv) => kv.lease === lease.id)) {
          return [{ invariant: 'lease', time: ctx.now, message: `node ${id} still holds key ${key} of expired lease ${lease.id}` }];
        }
      }
    }
  }
  return [];
}

/**
 * Every watcher saw exactly the store's own event log from its start revision up to
 * the last revision it received: in order, with no gaps, no duplicates, and the same
 * keys and values. The reference is the live replica that has applied the most.
 */
export function checkWatchers(watchers: readonly WatchClient[], store: MvccStore | undefined): CheckFailure[] {
  for (const watcher of watchers) {
    if (watcher.problems.length > 0) return [{ invariant: 'watch', time: 0, message: `watcher ${watcher.address}: ${watcher.problems[0]}` }];
  }
  if (!store) return [];
  for (const watcher of watchers) {
    const seen = watcher.seen;
    if (seen.length === 0) continue;
    const log = store.eventsSince(watcher.startRevision, WATCH_PREFIX, WATCH_END);
    if (log.compacted) continue;
    const last = seen[seen.length - 1].revision;
    const expected: SeenEvent[] = log.events
      .filter((event) => event.kv.modRevision <= last)
      .map((event) => ({ revision: event.kv.modRevision, type: event.type, key: event.kv.key, value: event.kv.value }));
    const n = Math.max(expected.length, seen.length);
    for (let i = 0; i < n; i++) {
      const want = expected[i];
      const got = seen[i];
      if (want && got && describe(want) === describe(got)) continue;
      const message = !got
        ? `missed ${describe(want!)} (and ${expected.length - seen.length - 1} more)`
        : !want
          ? `saw ${describe(got)}, which the store never had`
          : `expected ${describe(want)} as event #${i + 1} but saw ${describe(got)}`;
      return [{ invariant: 'watch', time: 0, message: `watcher ${watcher.address}: ${message}` }];
    }
  }
  return [];
}
