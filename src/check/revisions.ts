/**
 * etcd revisions are global, but the linearizability check sees them per key
 * (parts are split by key). This cheap whole-history pass checks the global
 * part: every two ok writes have distinct revisions (one txn is one write), and
 * a write that returned before another was invoked has the smaller revision.
 * With `contiguous` (a history that holds every write to a store that began empty,
 * as the simulator's does) it also checks that no revision was skipped: etcd adds
 * exactly one per request that changed the store, so a revision some op saw but no ok
 * write reports was made by a write of unknown outcome, one each (revision-gaps.ts).
 */
import { operationsOf, type RawEvent } from './checker.js';
import type { HistoryEvent } from './events.js';
import type { Operation } from './history.js';
import { etcdModel, type EtcdInput, type EtcdOutput } from './models/etcd.js';
import { writeRevision } from './models/etcd-parse.js';
import { unfilledGap } from './revision-gaps.js';

export { writeRevision };
import type { AnyModel } from './model.js';

export interface RevisionWrite {
  readonly id: number;
  readonly invokeIndex: number;
  readonly completeIndex: number | null;
  readonly revision: number;
  readonly description: string;
}

export interface RevisionViolation {
  readonly kind: 'duplicate' | 'order' | 'gap';
  readonly message: string;
  /** When the history shows it: the return of the last op it needs (history time). */
  readonly at: number;
  readonly ops: readonly RevisionWrite[];
}

export interface RevisionReport {
  readonly ok: boolean;
  readonly writes: number;
  /** At most `limit` violations are reported. */
  readonly violations: RevisionViolation[];
}

/** A write as the sweep needs it; described (RevisionWrite) only when it is in a violation. */
interface Write extends Omit<RevisionWrite, 'description'> {
  readonly call: number;
  readonly ret: number;
  readonly op: Operation;
}

function writesOf(ops: readonly Operation[]): Write[] {
  const writes: Write[] = [];
  for (const op of ops) {
    if (op.type !== 'ok') continue;
    const revision = writeRevision(op.input as EtcdInput, op.output as EtcdOutput);
    if (revision === undefined) continue;
    writes.push({
      id: op.label,
      invokeIndex: op.invokeIndex,
      completeIndex: op.completeIndex,
      revision,
      call: op.call,
      ret: op.ret,
      op,
    });
  }
  return writes;
}

function describe(op: Operation): string {
  return etcdModel.describe(op.input as EtcdInput, op.output as EtcdOutput);
}

function revisionOp(op: Operation, revision: number): RevisionWrite {
  return { id: op.label, invokeIndex: op.invokeIndex, completeIndex: op.completeIndex, revision, description: describe(op) };
}

function strip(w: Write): RevisionWrite {
  return revisionOp(w.op, w.revision);
}

function name(w: Write): string {
  return `op ${w.id} ${describe(w.op)}`;
}

export interface RevisionOptions {
  readonly limit?: number;
  /** The history holds every write to a store that began empty: no revision may be skipped. */
  readonly contiguous?: boolean;
}

export function checkRevisionOrder(history: readonly (HistoryEvent | RawEvent)[], options: RevisionOptions & { fileName?: string } = {}): RevisionReport {
  return checkOperationRevisions(operationsOf(history, etcdModel as AnyModel, options.fileName).ops, options);
}

/** checkRevisionOrder on a history already paired into operations for the etcd model (see operationsOf). */
export function checkOperationRevisions(ops: readonly Operation[], options: RevisionOptions = {}): RevisionReport {
  const limit = options.limit ?? 20;
  const writes = writesOf(ops);
  const violations: RevisionViolation[] = [];
  const add = (v: RevisionViolation) => {
    if (violations.length < limit) violations.push(v);
  };

  const byRevision = new Map<number, Write>();
  for (const w of writes) {
    const other = byRevision.get(w.revision);
    if (other === undefined) byRevision.set(w.revision, w);
    else add({ kind: 'duplicate', message: `revision ${w.revision} created by both ${name(other)} and ${name(w)}`, at: Math.max(other.ret, w.ret), ops: [strip(other), strip(w)] });
  }

  // Sweep in call order; `best` is the largest revision among writes that returned before.
  const byCall = [...writes].sort((a, b) => a.call - b.call);
  const byRet = [...writes].sort((a, b) => a.ret - b.ret);
  let r = 0;
  let best: Write | undefined;
  for (const w of byCall) {
    while (r < byRet.length && byRet[r].ret < w.call) {
      if (best === undefined || byRet[r].revision > best.revision) best = byRet[r];
      r++;
    }
    if (best !== undefined && best.revision >= w.revision) {
      add({
        kind: 'order',
        message: `${name(best)} returned before ${name(w)} was invoked but has revision ${best.revision} >= ${w.revision}`,
        at: w.ret,
        ops: [strip(best), strip(w)],
      });
    }
  }
  if (options.contiguous) {
    const gap = unfilledGap(ops, byRevision);
    if (gap) add({ kind: 'gap', message: gap.message, at: gap.seenBy.ret, ops: [revisionOp(gap.seenBy, gap.revision)] });
  }
  return { ok: violations.length === 0, writes: writes.length, violations };
}
