/**
 * Values no read can tell apart, for the etcd model.
 *
 * The model looks at a key's value only to test it for equality: a checked read
 * (a get, a txn's get, a range's kv) returns it and must match, and a txn compare
 * `value = x` / `value != x` tests it against x. So two values of key k that no
 * checked read of k returns and no compare on k names behave the same in every
 * step of every op of the history: the model may store one stand-in, UNREAD, for
 * all of them. (A compare `value < x` or `>` orders values; a key with one keeps
 * its values as they are.) Proof: replacing every unread value of k by UNREAD in
 * every state maps each step of the real model to the same step of this one and
 * back, because every test of k's value compares it with a read or compared value
 * v, and v = w holds for an unread w exactly when v = UNREAD does: never, since
 * UNREAD is chosen different from every read or compared value.
 *
 * Why: nemesis histories hold dozens of timed-out (info) puts of distinct values
 * that nothing ever read. Each one that took effect left a different state, so the
 * search explored every choice of them as its own configuration; with one stand-in
 * they leave the same state, and twins.ts can take them in one canonical order.
 */
import type { PrepareOp } from '../model.js';
import type { EtcdInput, EtcdOutput, GetResult, TxnOp } from './etcd-parse.js';

export interface ValueSpace {
  /** The value the model stores for a write of `value` to `key`: itself, or UNREAD. */
  stored(key: string, value: string): string;
  /** How a state shows a stored value. */
  show(value: string): string;
}

/** Nothing known about reads: every value is kept. */
export const ALL_VALUES: ValueSpace = { stored: (_key, value) => value, show: (value) => JSON.stringify(value) };

/** The stand-in for unread values: a string no read returns and no compare names. */
function standIn(named: ReadonlySet<string>): string {
  let unread = '\0unread';
  while (named.has(unread)) unread += '\0';
  return unread;
}

/** The values each key's checked reads return and its compares name (see the file comment). */
export function readValues(ops: readonly PrepareOp<EtcdInput, EtcdOutput>[]): ValueSpace {
  const read = new Map<string, Set<string>>();
  const ordered = new Set<string>(); // keys some compare orders by value
  const note = (key: string, value: string | null) => {
    if (value === null) return;
    let values = read.get(key);
    if (values === undefined) read.set(key, (values = new Set()));
    values.add(value);
  };
  const noteResult = (key: string, r: GetResult) => note(key, r.value);
  for (const { input, output } of ops) {
    if (input.f === 'txn') {
      for (const c of input.compare) {
        if (c.target !== 'value') continue;
        if (c.op === '<' || c.op === '>') ordered.add(c.key);
        note(c.key, String(c.value));
      }
    }
    if (output === undefined) continue;
    if (input.f === 'get' && output.f === 'get' && !input.serializable) noteResult(input.key, output.result);
    if (input.f === 'range' && output.f === 'range' && !input.serializable) for (const kv of output.kvs) noteResult(kv.key, kv);
    if (input.f === 'txn' && output.f === 'txn') {
      const branch: readonly TxnOp[] = output.succeeded ? input.success : input.failure;
      branch.forEach((op, i) => {
        const r = output.results[i];
        if (op.f === 'get' && r !== undefined && 'modRevision' in r) noteResult(op.key, r);
      });
    }
  }
  const named = new Set<string>();
  for (const values of read.values()) for (const v of values) named.add(v);
  const unread = standIn(named);
  return {
    stored: (key, value) => (ordered.has(key) || read.get(key)?.has(value) === true ? value : unread),
    show: (value) => (value === unread ? '(a value no read returned)' : JSON.stringify(value)),
  };
}

/**
 * For an info op (no output): a text equal for two ops exactly when they step alike
 * from every state, under `values` (Model.effectKey). Reads have none: info reads
 * are dropped as no-ops before the search.
 */
export function etcdEffectKey(input: EtcdInput, values: ValueSpace): string | undefined {
  const op = (t: TxnOp) => (t.f === 'put' ? { ...t, value: values.stored(t.key, t.value) } : t);
  switch (input.f) {
    case 'put':
      return JSON.stringify(['put', input.key, values.stored(input.key, input.value)]);
    case 'delete':
      return JSON.stringify(['delete', input.key]);
    case 'txn':
      return JSON.stringify(['txn', input.compare, input.success.map(op), input.failure.map(op)]);
    default:
      return undefined;
  }
}
