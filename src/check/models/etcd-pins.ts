/**
 * What the whole history tells the etcd model before any search.
 *
 * Free revisions. A revision is created by exactly one write. So an info write,
 * if it took effect, took a revision that no ok write reports: after store
 * revision L it lands at the smallest such revision above L or later. Knowing
 * this, an info write placed where ok writes hold consecutive revisions
 * overshoots the next one and the rank guard drops that state at once.
 *
 * Pinned info writes. An ok linearizable read (a get, a txn's get, or a range
 * returning k) that returns value v for key k with modRevision m saw the last write
 * to k before it: a put of v to k (a put op, or one branch of a txn) that took
 * revision m. The writers of (k, v) that cannot be that write: an ok write that
 * reports a revision other than m (its revision is exact), an ok txn whose taken
 * branch is not the one putting v (it did not write it), and any op called after
 * the earliest such read returned (real time). When exactly one writer is left it
 * is the write; if it is an info op it took effect at revision m, before that
 * read returned, and is checked as an ok op with revision m completing then:
 * every valid linearization of the history is one of the rewritten history and
 * back. (Values repeat in the simulator's workload, so "the only op that ever
 * writes v to k" alone pinned too little.) Reads are grouped by (k, v, m): one
 * revision is one write. A txn is pinned only when the branch that writes v holds
 * nothing but puts (their results are then all {revision: m}).
 */
import type { Pin, PrepareOp } from '../model.js';
import { writeRevision, type EtcdInput, type EtcdOutput, type TxnOp } from './etcd-parse.js';
import { selects } from './etcd-range.js';

export interface RevisionSpace {
  /** The smallest revision above `after` that no known write took. */
  nextFree(after: number): number;
  /** True when no known write took revision r. */
  isFree(r: number): boolean;
}

/** Nothing known: any revision may be free. */
export const OPEN_SPACE: RevisionSpace = { nextFree: (after) => after + 1, isFree: () => true };

/** The revisions `claimed` are taken; nextFree skips a run of taken ones in O(1). */
export function revisionSpace(claimed: Iterable<number>): RevisionSpace {
  const sorted = [...new Set(claimed)].sort((a, b) => a - b);
  const taken = new Set(sorted);
  // runEnd.get(r): the first revision after the run of taken revisions containing r.
  const runEnd = new Map<number, number>();
  for (let i = sorted.length - 1; i >= 0; i--) {
    const r = sorted[i];
    runEnd.set(r, runEnd.get(r + 1) ?? r + 1);
  }
  return {
    nextFree: (after) => runEnd.get(after + 1) ?? after + 1,
    isFree: (r) => !taken.has(r),
  };
}

type Branch = 'put' | 'success' | 'failure';
interface Writer {
  readonly op: number;
  readonly branch: Branch;
}
interface Observation {
  readonly mod: number;
  readonly ret: number;
}

function slot<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Pins for info writes whose value an ok read returned (see the file comment). */
export function pinInfoWrites(ops: readonly PrepareOp<EtcdInput, EtcdOutput>[]): Map<number, Pin<EtcdOutput>> {
  // key -> value -> every (op, branch) that puts it; key -> value -> reads that returned it.
  const writers = new Map<string, Map<string, Writer[]>>();
  const seen = new Map<string, Map<string, Observation[]>>();
  const addWriter = (key: string, value: string, w: Writer) => slot(slot(writers, key, () => new Map()), value, () => []).push(w);
  const observe = (key: string, value: string | null, mod: number, ret: number) => {
    if (value !== null) slot(slot(seen, key, () => new Map()), value, () => []).push({ mod, ret });
  };
  const addBranch = (op: number, branch: Branch, txnOps: readonly TxnOp[]) => {
    for (const t of txnOps) if (t.f === 'put') addWriter(t.key, t.value, { op, branch });
  };
  ops.forEach((o, i) => {
    const input = o.input;
    if (input.f === 'put') addWriter(input.key, input.value, { op: i, branch: 'put' });
    if (input.f === 'txn') {
      addBranch(i, 'success', input.success);
      addBranch(i, 'failure', input.failure);
    }
    if (o.type !== 'ok' || o.output === undefined) return;
    const output = o.output;
    if (input.f === 'get' && !input.serializable && output.f === 'get') observe(input.key, output.result.value, output.result.modRevision, o.ret);
    // A range is a get of each key it returns. A key outside its interval makes the
    // range illegal in every state (its part fails), so only keys inside are evidence.
    if (input.f === 'range' && !input.serializable && output.f === 'range') {
      for (const kv of output.kvs) if (selects(input, kv.key)) observe(kv.key, kv.value, kv.modRevision, o.ret);
    }
    if (input.f === 'txn' && output.f === 'txn') {
      const branch = output.succeeded ? input.success : input.failure;
      branch.forEach((t, j) => {
        const r = output.results[j];
        if (t.f === 'get' && r !== undefined && 'modRevision' in r) observe(t.key, r.value, r.modRevision, o.ret);
      });
    }
  });

  const pins = new Map<number, Pin<EtcdOutput>>();
  const pinAt = new Map<number, number>(); // op -> its revealed revision
  for (const [key, byValue] of writers) {
    for (const [value, ws] of byValue) {
      // Only an info writer is ever pinned: values only ok ops write need no look at their reads.
      if (!ws.some((w) => ops[w.op].type === 'info')) continue;
      const reads = seen.get(key)?.get(value);
      if (reads === undefined) continue;
      // Reads of (k, v) grouped by the modRevision m they report: each group saw one write.
      const byMod = new Map<number, Observation[]>();
      for (const r of reads) slot(byMod, r.mod, () => []).push(r);
      for (const [m, group] of byMod) {
        const first = group.reduce((a, b) => (b.ret < a.ret ? b : a));
        // The write the group saw put v to k at revision m before `first` returned. So it is
        // not an ok write reporting another revision, nor an op called after that return.
        const candidates = ws.filter(({ op, branch }) => {
          const o = ops[op];
          if (o.call > first.ret) return false;
          if (o.type !== 'ok' || o.output === undefined) return true;
          return writeRevision(o.input, o.output) === m && (branch === 'put' || (o.output.f === 'txn' && o.output.succeeded === (branch === 'success')));
        });
        if (candidates.length !== 1) continue;
        const { op, branch } = candidates[0];
        const o = ops[op];
        if (o.type !== 'info') continue;
        let output: EtcdOutput | undefined;
        if (branch === 'put') output = { f: 'put', revision: m };
        else if (o.input.f === 'txn') {
          const txnOps = branch === 'success' ? o.input.success : o.input.failure;
          if (txnOps.every((t) => t.f === 'put')) output = { f: 'txn', succeeded: branch === 'success', revision: m, results: txnOps.map(() => ({ revision: m })) };
        }
        if (output === undefined) continue;
        const earlier = pins.get(op);
        // A txn putting several keys may be seen through each; keep one outcome, the earliest deadline.
        if (earlier !== undefined && (earlier.output.f !== output.f || pinAt.get(op) !== m)) continue;
        const ret = Math.min(first.ret, earlier?.ret ?? Infinity);
        pins.set(op, { output, ret, reason: `took effect at revision ${m}: a read returned its value ${JSON.stringify(value)}` });
        pinAt.set(op, m);
      }
    }
  }
  return pins;
}

/**
 * The revisions known to be taken, and the pins that stand. A pin at a revision
 * an ok write reports, or shared by two pins, is impossible (revisions are unique)
 * but parts are checked apart and would not notice: such pins are dropped, their
 * revision counted as taken, so the read that revealed it fails in its own part.
 */
export function settlePins(ops: readonly PrepareOp<EtcdInput, EtcdOutput>[], pins: ReadonlyMap<number, Pin<EtcdOutput>>): { claimed: number[]; pins: Map<number, Pin<EtcdOutput>> } {
  const claimed: number[] = [];
  for (const o of ops) {
    const r = o.type === 'ok' && o.output !== undefined ? writeRevision(o.input, o.output) : undefined;
    if (r !== undefined) claimed.push(r);
  }
  const ok = new Set(claimed);
  const uses = new Map<number, number>();
  const revisionOf = (i: number, pin: Pin<EtcdOutput>) => writeRevision(ops[i].input, pin.output) as number;
  for (const [i, pin] of pins) uses.set(revisionOf(i, pin), (uses.get(revisionOf(i, pin)) ?? 0) + 1);
  const standing = new Map<number, Pin<EtcdOutput>>();
  for (const [i, pin] of pins) {
    const m = revisionOf(i, pin);
    claimed.push(m);
    if (!ok.has(m) && uses.get(m) === 1) standing.set(i, pin);
  }
  return { claimed, pins: standing };
}
