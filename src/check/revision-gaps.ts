/**
 * etcd adds exactly one revision per request that changes the store, starting from 1 on an
 * empty store. So in a history that holds every write, each revision some op saw (a write's
 * own, a header, a key's modRevision) was made by one write: an ok write that reports it, or
 * else a write of unknown outcome (info), each of which makes at most one revision and must
 * have been invoked no later than the first op that saw it returned. Which info write filled which
 * revision does not matter for existence: revisions sorted by that deadline, the k-th one
 * needs k info writes invoked by its deadline (Hall's condition for nested sets).
 */
import type { Operation } from './history.js';
import type { EtcdInput, EtcdOutput } from './models/etcd-parse.js';
import { describeEtcd } from './models/etcd-parse.js';

export interface UnfilledGap {
  readonly revision: number;
  /** The first op to return that saw the revision. */
  readonly seenBy: Operation;
  readonly message: string;
}

/** The highest revision an ok op shows to exist when it returns (0 if it shows none). */
export function observedRevision(output: EtcdOutput): number {
  switch (output.f) {
    case 'get':
      return output.result.modRevision;
    case 'range':
      return Math.max(output.revision, ...output.kvs.map((kv) => kv.modRevision));
    case 'txn':
      return Math.max(output.revision, ...output.results.map((r) => ('modRevision' in r ? r.modRevision : 'revision' in r ? r.revision : 0)));
    case 'put':
    case 'delete':
      return output.revision;
  }
}

/** Whether an op of unknown outcome may have changed the store (a txn: if either branch writes). */
function mayWrite(input: EtcdInput): boolean {
  if (input.f === 'put' || input.f === 'delete') return true;
  if (input.f !== 'txn') return false;
  return [...input.success, ...input.failure].some((op) => op.f !== 'get');
}

/** The lowest revision no write can have made, if any: `created` holds the revisions ok writes report. */
export function unfilledGap(ops: readonly Operation[], created: { has(revision: number): boolean }): UnfilledGap | undefined {
  // firstSeen[r]: the first op to return among those that saw a revision >= r.
  const observers = ops
    .filter((op) => op.type === 'ok' && op.output !== undefined)
    .map((op) => ({ op, revision: observedRevision(op.output as EtcdOutput) }))
    .filter((o) => o.revision > 1);
  if (observers.length === 0) return undefined;
  const top = observers.reduce((highest, o) => Math.max(highest, o.revision), 0);
  const firstSeen: (Operation | undefined)[] = new Array(top + 2).fill(undefined);
  for (const { op, revision } of observers) {
    const known = firstSeen[revision];
    if (known === undefined || op.ret < known.ret) firstSeen[revision] = op;
  }
  for (let r = top - 1; r >= 2; r--) {
    const later = firstSeen[r + 1];
    const here = firstSeen[r];
    if (later !== undefined && (here === undefined || later.ret < here.ret)) firstSeen[r] = later;
  }
  const infoCalls = ops
    .filter((op) => op.type === 'info' && mayWrite(op.input as EtcdInput))
    .map((op) => op.call)
    .sort((a, b) => a - b);
  let missing = 0;
  let available = 0;
  for (let r = 2; r <= top; r++) {
    if (created.has(r)) continue;
    const seenBy = firstSeen[r]!;
    missing++;
    // Intervals are closed: a write invoked at the very time the op returned may come before it.
    while (available < infoCalls.length && infoCalls[available] <= seenBy.ret) available++;
    if (missing > available) {
      const op = `op ${seenBy.label} ${describeEtcd(seenBy.input as EtcdInput, seenBy.output as EtcdOutput)}`;
      const why =
        missing === 1 && available === 0
          ? `and no write of unknown outcome was invoked before it returned`
          : `and the ${missing} revisions up to ${r} that no ok write reports need as many writes of unknown outcome invoked before it returned: there ${available === 1 ? 'was' : 'were'} ${available}`;
      return { revision: r, seenBy, message: `revision ${r} was made by no write: ${op} saw it, no ok write reports it, ${why} (etcd adds one revision per change, none for a request that changes nothing)` };
    }
  }
  return undefined;
}
