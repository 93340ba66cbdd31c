/**
 * `etcd`: our etcd-like store, checked per key. Event shapes (the simulator
 * produces exactly these):
 *
 *   put    invoke {"f":"put","key":"k","value":{"value":"v"}}
 *          ok     {"value":"v","revision":R}      R = the store revision the put created
 *   get    invoke {"f":"get","key":"k","value":null}  or value {"serializable":true}
 *          ok     {"value":"v"|null,"version":n,"createRevision":c,"modRevision":m}
 *                 (null/0/0/0 for a missing key)
 *   delete invoke {"f":"delete","key":"k","value":null}
 *          ok     {"deleted":0|1,"revision":R}    R: the revision the delete created; with
 *                                                  deleted = 0 the store's revision then
 *   txn    invoke {"f":"txn","value":{"compare":[{"key","target","op","value"}],
 *                                     "success":[ops],"failure":[ops]}}
 *          target: "value" | "version" | "createRevision" | "modRevision"; op: "=" "!=" "<" ">"
 *          ops: {"f":"put","key","value":"v"} | {"f":"get","key"} | {"f":"delete","key"}
 *          ok     {"succeeded":bool,"revision":R,"results":[per op of the taken branch:
 *                  put {"revision":R} | get (same object as get's ok value) | delete {"deleted":n}]}
 *                 R: the revision it created, or the store's revision for a txn that wrote nothing
 *   range  see etcd-range.ts: the live keys of an interval, with count, more and the header revision
 *
 * Rules checked:
 * - value and version are exact. A missing key compares as version = createRevision =
 *   modRevision = 0, and a `value` compare on a missing key is false (as in etcd).
 * - The state carries `rev`, a lower bound on the store revision (exact when every
 *   write is known). Every write (put, delete of an existing key, a txn with an
 *   effective write) has a revision R > rev and sets rev = R; R becomes the key's
 *   modRevision (createRevision too when it created the key). All writes of one
 *   txn share one R. A txn or delete that wrote nothing reports the store revision
 *   H: rev <= H, and then rev = H. Revisions are global, so one part sees all of
 *   its keys' writes in one order; cross-part order is checkRevisionOrder's job.
 * - A get (or a get inside a txn) must return exactly the current state; so must a
 *   range, for every live key of its interval (etcd-range.ts). A range joins the parts
 *   of every key of the history in its interval (Model.intervals).
 * - Serializable gets may be stale by design, so the model does not check them: they
 *   are dropped from the search as always legal and state-preserving (serializable.ts
 *   checks apart that each returns a state its key had).
 * - An `info` write took effect with an unknown revision, one no ok write reports
 *   (etcd-pins.ts): rev moves to the next such free revision, and the key's
 *   revision is only known to be at least that, until a later read reveals it. Info
 *   writes whose value a read returned are pinned to that read's modRevision first.
 * - The rank is rev; an ok write with revision R has rank limit R - 1, a read-only
 *   op reporting H (a range among them) has limit H (see rank.ts for the pruning this allows).
 * - Values that no checked read returns and no compare names are stored as one stand-in
 *   (etcd-values.ts), so info writes of them are twins (twins.ts) when they agree otherwise.
 *
 * Known limitation: an `info` txn whose compare depends on such an unknown revision
 * (neither provably true nor false) is assumed not to have taken effect at that point.
 */
import { type Model, type Prepared, hashCombine, hashString } from '../model.js';
import type { KeyNeed } from '../model.js';
import {
  branchOf,
  describeEtcd,
  etcdKeys,
  parseEtcdInput,
  parseEtcdOutput,
  writeRevision,
  type Compare,
  type CompareOp,
  type EtcdInput,
  type EtcdOutput,
  type GetResult,
  type TxnOp,
} from './etcd-parse.js';
import { OPEN_SPACE, pinInfoWrites, revisionSpace, settlePins, type RevisionSpace } from './etcd-pins.js';
import { rangeIntervals, stepRange, type RangeOutput } from './etcd-range.js';
import { copyKeys, MISSING, read, rec, write, type EtcdState, type KeyRec } from './etcd-state.js';
import { ALL_VALUES, etcdEffectKey, readValues, type ValueSpace } from './etcd-values.js';
import { etcdWriteShape, freeRanks, writeSlots, type FreeRanks, type WriteSlots } from './etcd-slots.js';

export type { Compare, CompareOp, EtcdInput, EtcdOutput, GetResult, RangeInput, RangeKv, Target, TxnOp, TxnResult } from './etcd-parse.js';
export type { EtcdState, KeyRec } from './etcd-state.js';
export type { RangeOutput } from './etcd-range.js';

function cmp(a: number | string, op: CompareOp, b: number | string): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '>':
      return a > b;
  }
}

/** A revision we only know to be above `bound`: true/false when that decides it, else undefined. */
function cmpAbove(bound: number, op: CompareOp, x: number): boolean | undefined {
  // The real value v satisfies v >= bound + 1.
  if (op === '=' && x <= bound) return false;
  if (op === '!=' && x <= bound) return true;
  if (op === '<' && x <= bound + 1) return false;
  if (op === '>' && x <= bound) return true;
  return undefined;
}

function evalCompare(r: KeyRec, c: Compare): boolean | undefined {
  if (c.target === 'value') return r.value !== null && cmp(r.value, c.op, c.value);
  if (c.target === 'version') return cmp(r.version, c.op, c.value);
  const x = c.value as number;
  if (r.value === null) return cmp(0, c.op, x);
  const known = c.target === 'createRevision' ? r.createKnown : r.modKnown;
  const v = c.target === 'createRevision' ? r.create : r.mod;
  return known ? cmp(v, c.op, x) : cmpAbove(v, c.op, x);
}

function hasEffectiveWrite(keys: ReadonlyMap<string, KeyRec>, ops: readonly TxnOp[]): boolean {
  // Keys an earlier delete of this txn found missing (made only when one does: most txns never delete).
  let deleted: Set<string> | undefined;
  for (const op of ops) {
    if (op.f === 'put') return true;
    if (op.f === 'delete') {
      if (deleted?.has(op.key) !== true && rec(keys, op.key).value !== null) return true;
      (deleted ??= new Set()).add(op.key);
    }
  }
  return false;
}

type TxnIn = Extract<EtcdInput, { f: 'txn' }>;
type TxnOut = Extract<EtcdOutput, { f: 'txn' }>;

function stepTxn(state: EtcdState, input: TxnIn, output: TxnOut | undefined, space: RevisionSpace, values: ValueSpace): EtcdState | undefined {
  let decided: boolean | undefined = true;
  for (const c of input.compare) {
    const result = evalCompare(rec(state.keys, c.key), c);
    if (result === false) {
      decided = false;
      break;
    }
    if (result === undefined) decided = undefined;
  }
  if (decided === undefined && output === undefined) return undefined;
  if (decided !== undefined && output !== undefined && decided !== output.succeeded) return undefined;
  const succeeded = output?.succeeded ?? (decided as boolean);
  const ops = succeeded ? input.success : input.failure;
  if (output !== undefined && output.results.length !== ops.length) return undefined;
  const effective = hasEffectiveWrite(state.keys, ops);
  let rev = state.rev;
  let known = true;
  if (effective && output !== undefined) {
    if (output.revision <= rev) return undefined;
    rev = output.revision;
  } else if (effective) {
    rev = space.nextFree(rev);
    known = false;
  } else if (output !== undefined && output.revision > 0) {
    // Wrote nothing: it reports the store revision at that point.
    if (output.revision < rev) return undefined;
    rev = output.revision;
  }
  const writeRev = rev;
  const next = copyKeys(state.keys);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const r = rec(next, op.key);
    const result = output?.results[i];
    let updated: KeyRec | undefined = r;
    if (op.f === 'put') {
      if (result !== undefined && (result as { revision: number }).revision !== writeRev) return undefined;
      updated = write(r, values.stored(op.key, op.value), writeRev, known);
    } else if (op.f === 'delete') {
      if (result !== undefined && (result as { deleted: number }).deleted !== (r.value === null ? 0 : 1)) return undefined;
      if (r.value !== null) updated = write(r, null, writeRev, known);
    } else if (result !== undefined) {
      updated = read(r, result as GetResult, space);
      if (updated !== undefined && updated !== r) rev = Math.max(rev, updated.mod);
    }
    if (updated === undefined) return undefined;
    next.set(op.key, updated);
  }
  // A revealed revision cannot be above the revision this txn reports.
  if (output !== undefined && output.revision > 0 && rev > output.revision) return undefined;
  return { keys: next, rev };
}

function withKey(state: EtcdState, key: string, r: KeyRec | undefined, rev: number): EtcdState | undefined {
  if (r === undefined) return undefined;
  if (r === rec(state.keys, key) && rev === state.rev) return state;
  const keys = copyKeys(state.keys);
  keys.set(key, r);
  return { keys, rev };
}

function recEqual(a: KeyRec, b: KeyRec): boolean {
  return a.value === b.value && a.version === b.version && a.create === b.create && a.createKnown === b.createKnown && a.mod === b.mod && a.modKnown === b.modKnown;
}

function describeRec(r: KeyRec, values: ValueSpace): string {
  if (r.value === null) return 'missing';
  const create = r.createKnown ? `${r.create}` : `>${r.create}`;
  const mod = r.modKnown ? `${r.mod}` : `>${r.mod}`;
  return `${values.show(r.value)} v${r.version} create=${create} mod=${mod}`;
}

function stepEtcd(state: EtcdState, input: EtcdInput, output: EtcdOutput | undefined, space: RevisionSpace, values: ValueSpace): EtcdState | undefined {
  switch (input.f) {
    case 'get': {
      if (input.serializable || output === undefined) return state;
      const r = rec(state.keys, input.key);
      const seen = read(r, (output as Extract<EtcdOutput, { f: 'get' }>).result, space);
      return withKey(state, input.key, seen, seen === undefined || seen === r ? state.rev : Math.max(state.rev, seen.mod));
    }
    case 'put': {
      const r = rec(state.keys, input.key);
      const value = values.stored(input.key, input.value);
      if (output === undefined) {
        const rev = space.nextFree(state.rev);
        return withKey(state, input.key, write(r, value, rev, false), rev);
      }
      const R = (output as Extract<EtcdOutput, { f: 'put' }>).revision;
      return R > state.rev ? withKey(state, input.key, write(r, value, R, true), R) : undefined;
    }
    case 'delete': {
      const r = rec(state.keys, input.key);
      const out = output as Extract<EtcdOutput, { f: 'delete' }> | undefined;
      if (out === undefined) {
        // An unknown delete of a missing key changes nothing: same as never happening.
        if (r.value === null) return undefined;
        const rev = space.nextFree(state.rev);
        return withKey(state, input.key, MISSING, rev);
      }
      if (out.deleted === 0) {
        if (r.value !== null) return undefined;
        if (out.revision === 0) return state;
        return out.revision >= state.rev ? withKey(state, input.key, r, out.revision) : undefined;
      }
      if (out.deleted !== 1 || r.value === null || out.revision <= state.rev) return undefined;
      return withKey(state, input.key, MISSING, out.revision);
    }
    case 'txn':
      return stepTxn(state, input, output as TxnOut | undefined, space, values);
    case 'range':
      return stepRange(state, input, output as RangeOutput | undefined, space);
  }
}

/**
 * The etcd model over a revision space (OPEN_SPACE: nothing known about other writes)
 * and a value space (ALL_VALUES: every value kept; etcd-values.ts).
 */
export function makeEtcdModel(space: RevisionSpace, values: ValueSpace = ALL_VALUES, slots?: { readonly write: WriteSlots; readonly free: FreeRanks }): Model<EtcdState, EtcdInput, EtcdOutput> {
  return {
    ...(slots === undefined ? {} : { writeSlots: slots.write, freeRanks: slots.free }),
    name: 'etcd',
    fs: ['put', 'get', 'delete', 'txn', 'range'],
    parseInput: parseEtcdInput,
    parseOutput: parseEtcdOutput,
    partition: etcdKeys,
    intervals: rangeIntervals,
    isNoop: (input, output) => (input.f === 'get' || input.f === 'range') && (input.serializable || output === undefined),
    // Read-only ops that report H only raise rev to H: no-op now means no-op later (Model.isReadOnly).
    isReadOnly: (input, output) =>
      input.f === 'get' ||
      input.f === 'range' ||
      (input.f === 'delete' && output.f === 'delete' && output.deleted === 0) ||
      (input.f === 'txn' && output.f === 'txn' && branchOf(input, output).every((op) => op.f === 'get')),
    rank: (state) => state.rev,
    // Lifetimes (lifetimes.ts): epoch = createRevision, count = version; and the last
    // write: epoch = modRevision, version fixed until the next write (a delete ends both). A get, a range's
    // kvs and an all-get txn's gets of a live key need exactly what they returned (read()
    // checks version and createRevision; an unknown createRevision fits only above its
    // bound; the same for modRevision). write() creates a key at the write's revision R > rev, or with a bound
    // nextFree(rev) - 1 >= rev, and so sets modRevision; a live key keeps create and only bumps version; a read
    // makes rev >= modRevision >= createRevision when it reveals them.
    lifeNeeds(input, output) {
      const needs: KeyNeed[] = [];
      // A result of the wrong shape or count makes the op illegal everywhere: no need then.
      const need = (key: string, r: GetResult | undefined) => {
        if (r !== undefined && typeof r === 'object' && 'createRevision' in r && r.value !== null) needs.push({ key, epoch: r.createRevision, last: r.modRevision, count: r.version, value: r.value });
      };
      if (input.f === 'get' && output.f === 'get' && !input.serializable) need(input.key, output.result);
      if (input.f === 'range' && output.f === 'range' && !input.serializable) for (const kv of output.kvs) need(kv.key, kv);
      if (input.f === 'txn' && output.f === 'txn') {
        const branch = branchOf(input, output);
        if (branch.every((op) => op.f === 'get')) branch.forEach((op, i) => need(op.key, output.results[i] as GetResult | undefined));
      }
      return needs;
    },
    // Keys read missing (absence.ts): a get, or an all-get txn's get, that returned no value (read() then
    // needs the key missing); only deletes and txns deleting the key end one that lives (mayWrite.ends).
    absentKeys(input, output) {
      const missing = (r: GetResult | undefined) => r !== undefined && typeof r === 'object' && 'createRevision' in r && r.value === null;
      if (input.f === 'get' && output.f === 'get') return !input.serializable && missing(output.result) ? [input.key] : [];
      if (input.f !== 'txn' || output.f !== 'txn') return [];
      const branch = branchOf(input, output);
      if (!branch.every((op) => op.f === 'get')) return [];
      return branch.flatMap((op, i) => (missing(output.results[i] as GetResult | undefined) ? [op.key] : []));
    },
    // Known writes (pending.ts): an ok put at revision R, or an ok txn whose taken branch puts k
    // (b times) and does not delete it, is legal only below R (rankLimit R - 1); from a live k,
    // write() keeps createRevision and adds one version per put. An ok delete, or a txn deleting
    // k, ends it at R. After any read needing modRevision l the store revision is >= l: a known
    // modRevision was set by a write that moved rev to it, and a revealed one raises rev to it
    // (get, range, txn get). An info write moves rev to nextFree(rev), a free revision.
    knownWrites(input, output) {
      const revision = writeRevision(input, output);
      if (revision === undefined) return [];
      if (input.f === 'put') return [{ key: input.key, rank: revision, count: 1, ends: false }];
      if (input.f === 'delete') return [{ key: input.key, rank: revision, count: 0, ends: true }];
      if (input.f !== 'txn' || output.f !== 'txn') return [];
      const puts = new Map<string, number>();
      const deleted = new Set<string>();
      branchOf(input, output).forEach((op, i) => {
        if (op.f === 'put') puts.set(op.key, (puts.get(op.key) ?? 0) + 1);
        if (op.f === 'delete' && ((output.results[i] as { deleted?: number } | undefined)?.deleted ?? 0) > 0) deleted.add(op.key);
      });
      const raised = [...puts].filter(([key]) => !deleted.has(key)).map(([key, count]) => ({ key, rank: revision, count, ends: false }));
      return [...raised, ...[...deleted].map((key) => ({ key, rank: revision, count: 0, ends: true }))];
    },
    mayWrite: etcdWriteShape,
    life(state, key) {
      const r = rec(state.keys, key);
      if (r.value === null) return undefined;
      return { life: { epoch: r.create, exact: r.createKnown, count: r.version }, last: { epoch: r.mod, exact: r.modKnown, count: r.version, value: r.value } };
    },
    rankLimit(input, output) {
      if (output.f === 'get') return Infinity;
      const written = writeRevision(input, output);
      if (written !== undefined) return written - 1;
      return output.revision > 0 ? output.revision : Infinity;
    },
    // An etcd store starts at revision 1: the first write creates revision 2.
    init: () => ({ keys: new Map<string, KeyRec>(), rev: 1 }),
    step: (state, input, output) => stepEtcd(state, input, output, space, values),
    effectKey: (input) => etcdEffectKey(input, values),
    equal(a, b) {
      if (a === b) return true;
      if (a.rev !== b.rev) return false;
      // Missing keys may or may not be present in the map.
      for (const [k, r] of a.keys) if (!recEqual(r, rec(b.keys, k))) return false;
      for (const [k, r] of b.keys) if (!recEqual(r, rec(a.keys, k))) return false;
      return true;
    },
    hash(state) {
      let h = 0;
      for (const [k, r] of state.keys) {
        if (recEqual(r, MISSING)) continue;
        let x = hashString(k);
        x = hashCombine(x, r.value === null ? -1 : hashString(r.value));
        x = hashCombine(x, r.version);
        x = hashCombine(x, r.create * 2 + (r.createKnown ? 1 : 0));
        x = hashCombine(x, r.mod * 2 + (r.modKnown ? 1 : 0));
        h = (h + x) | 0; // order-independent: Map order depends on history
      }
      return hashCombine(h, state.rev);
    },
    describe: describeEtcd,
    describeState(state) {
      const keys = [...state.keys.keys()].filter((k) => !recEqual(rec(state.keys, k), MISSING)).sort();
      const body = keys.map((k) => `; ${k}: ${describeRec(rec(state.keys, k), values)}`).join('');
      return `{revision >= ${state.rev}${body}}`;
    },
  };
}

export const etcdModel: Model<EtcdState, EtcdInput, EtcdOutput> = {
  ...makeEtcdModel(OPEN_SPACE),
  prepare(ops): Prepared<EtcdState, EtcdInput, EtcdOutput> {
    const { claimed, pins } = settlePins(ops, pinInfoWrites(ops));
    const searched = ops.map((o, i) => {
      const pin = pins.get(i);
      return pin === undefined ? o : { ...o, type: 'ok' as const, output: pin.output, ret: pin.ret };
    });
    return { model: makeEtcdModel(revisionSpace(claimed), readValues(ops), { write: writeSlots(searched, claimed), free: freeRanks(claimed) }), pinned: pins };
  },
};
