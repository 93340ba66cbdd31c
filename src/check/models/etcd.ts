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
 *          ok     {"deleted":0|1,"revision":R}    R only means something when deleted = 1
 *   txn    invoke {"f":"txn","value":{"compare":[{"key","target","op","value"}],
 *                                     "success":[ops],"failure":[ops]}}
 *          target: "value" | "version" | "createRevision" | "modRevision"; op: "=" "!=" "<" ">"
 *          ops: {"f":"put","key","value":"v"} | {"f":"get","key"} | {"f":"delete","key"}
 *          ok     {"succeeded":bool,"revision":R,"results":[per op of the taken branch:
 *                  put {"revision":R} | get (same object as get's ok value) | delete {"deleted":n}]}
 *
 * Rules checked:
 * - value and version are exact. A missing key compares as version = createRevision =
 *   modRevision = 0, and a `value` compare on a missing key is false (as in etcd).
 * - Revisions are global but we see them per key, so only partially: every write
 *   (put, delete of an existing key, a txn with an effective write) gets a revision R
 *   strictly greater than any revision this key had before (its modRevision, or the
 *   revision that deleted it), and R becomes the key's modRevision (createRevision
 *   too when the key was created). All writes of one txn share one R; a txn or
 *   delete that changes nothing creates no revision and its revision is not checked.
 *   Cross-key ordering is left to `checkRevisionOrder` (revisions.ts).
 * - A get (or a get inside a txn) must return exactly the current state.
 * - Serializable gets may be stale by design, so they are NOT checked: they are
 *   dropped from the search as always legal and state-preserving.
 * - An `info` write took effect with an unknown revision: the key's revision is then
 *   only known to be above the old one, until a later read reveals it.
 *
 * Known limitation: an `info` txn whose compare depends on such an unknown revision
 * (neither provably true nor false) is assumed not to have taken effect at that point.
 */
import { FieldError } from '../errors.js';
import { DEFAULT_KEY, hashCombine, hashString, type Model } from '../model.js';

export type Target = 'value' | 'version' | 'createRevision' | 'modRevision';
export type CompareOp = '=' | '!=' | '<' | '>';
export interface Compare {
  readonly key: string;
  readonly target: Target;
  readonly op: CompareOp;
  readonly value: string | number;
}
export type TxnOp =
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'delete'; readonly key: string };

export type EtcdInput =
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'get'; readonly key: string; readonly serializable: boolean }
  | { readonly f: 'delete'; readonly key: string }
  | { readonly f: 'txn'; readonly compare: readonly Compare[]; readonly success: readonly TxnOp[]; readonly failure: readonly TxnOp[] };

export interface GetResult {
  readonly value: string | null;
  readonly version: number;
  readonly createRevision: number;
  readonly modRevision: number;
}
export type TxnResult = { readonly revision: number } | GetResult | { readonly deleted: number };
export type EtcdOutput =
  | { readonly f: 'put'; readonly revision: number }
  | { readonly f: 'get'; readonly result: GetResult }
  | { readonly f: 'delete'; readonly deleted: number; readonly revision: number }
  | { readonly f: 'txn'; readonly succeeded: boolean; readonly revision: number; readonly results: readonly TxnResult[] };

/**
 * What we know about one key. When `createKnown`/`modKnown` is false the field
 * holds an exclusive lower bound instead of the value. `floor`: every later write
 * to this key must have a revision above it.
 */
export interface KeyRec {
  readonly value: string | null;
  readonly version: number;
  readonly create: number;
  readonly createKnown: boolean;
  readonly mod: number;
  readonly modKnown: boolean;
  readonly floor: number;
}
export type EtcdState = ReadonlyMap<string, KeyRec>;

const MISSING: KeyRec = { value: null, version: 0, create: 0, createKnown: true, mod: 0, modKnown: true, floor: 0 };

// ---------------------------------------------------------------- parsing

function obj(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FieldError(field, `expected an object, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value as Record<string, unknown>;
}
function str(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new FieldError(field, `expected a string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}
function int(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new FieldError(field, `expected an integer, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
  return value;
}
function keyOf(value: unknown, field: string): string {
  if (typeof value === 'number') return String(value);
  return str(value, field);
}
function putValue(value: unknown, field: string): string {
  // Accept the bare string too: txn ops carry it directly.
  if (typeof value === 'string') return value;
  return str(obj(value, field).value, `${field}.value`);
}

function parseTxnOp(raw: unknown, field: string): TxnOp {
  const o = obj(raw, field);
  const f = o.f;
  const key = keyOf(o.key, `${field}.key`);
  if (f === 'put') return { f, key, value: putValue(o.value, `${field}.value`) };
  if (f === 'get' || f === 'delete') return { f, key };
  throw new FieldError(`${field}.f`, `expected put, get or delete, got ${JSON.stringify(f) ?? 'nothing'}`);
}

const TARGETS: readonly string[] = ['value', 'version', 'createRevision', 'modRevision'];
const OPS: readonly string[] = ['=', '!=', '<', '>'];

function parseCompare(raw: unknown, field: string): Compare {
  const o = obj(raw, field);
  const key = keyOf(o.key, `${field}.key`);
  if (typeof o.target !== 'string' || !TARGETS.includes(o.target)) {
    throw new FieldError(`${field}.target`, `expected ${TARGETS.join(', ')}, got ${JSON.stringify(o.target) ?? 'nothing'}`);
  }
  if (typeof o.op !== 'string' || !OPS.includes(o.op)) {
    throw new FieldError(`${field}.op`, `expected one of ${OPS.join(' ')}, got ${JSON.stringify(o.op) ?? 'nothing'}`);
  }
  const target = o.target as Target;
  const value = target === 'value' ? str(o.value, `${field}.value`) : int(o.value, `${field}.value`);
  return { key, target, op: o.op as CompareOp, value };
}

function list<T>(raw: unknown, field: string, each: (item: unknown, field: string) => T): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new FieldError(field, `expected an array, got ${JSON.stringify(raw)}`);
  return raw.map((item, i) => each(item, `${field}[${i}]`));
}

function parseGetResult(raw: unknown, field: string): GetResult {
  const o = obj(raw, field);
  const value = o.value === null || o.value === undefined ? null : str(o.value, `${field}.value`);
  return {
    value,
    version: int(o.version ?? 0, `${field}.version`),
    createRevision: int(o.createRevision ?? 0, `${field}.createRevision`),
    modRevision: int(o.modRevision ?? 0, `${field}.modRevision`),
  };
}

function parseTxnResult(op: TxnOp, raw: unknown, field: string): TxnResult {
  if (op.f === 'get') return parseGetResult(raw, field);
  const o = obj(raw, field);
  if (op.f === 'put') return { revision: int(o.revision, `${field}.revision`) };
  return { deleted: int(o.deleted, `${field}.deleted`) };
}

// ---------------------------------------------------------------- semantics

function rec(state: EtcdState, key: string): KeyRec {
  return state.get(key) ?? MISSING;
}

/** Applies a write of `value` (or a delete when null) with revision R (undefined = unknown). */
function write(r: KeyRec, value: string | null, R: number | undefined): KeyRec | undefined {
  if (R !== undefined && R <= r.floor) return undefined;
  const floor = R ?? r.floor;
  if (value === null) return { ...MISSING, floor };
  const exists = r.value !== null;
  return {
    value,
    version: exists ? r.version + 1 : 1,
    create: exists ? r.create : floor,
    createKnown: exists ? r.createKnown : R !== undefined,
    mod: floor,
    modKnown: R !== undefined,
    floor,
  };
}

/** Checks a read against the key and learns unknown revisions from it. */
function read(r: KeyRec, out: GetResult): KeyRec | undefined {
  if (out.value === null || r.value === null) {
    const bothMissing = out.value === null && r.value === null;
    return bothMissing && out.version === 0 && out.createRevision === 0 && out.modRevision === 0 ? r : undefined;
  }
  if (out.value !== r.value || out.version !== r.version) return undefined;
  if (r.createKnown ? out.createRevision !== r.create : out.createRevision <= r.create) return undefined;
  if (r.modKnown ? out.modRevision !== r.mod : out.modRevision <= r.mod) return undefined;
  if (r.createKnown && r.modKnown) return r;
  return {
    ...r,
    create: out.createRevision,
    createKnown: true,
    mod: out.modRevision,
    modKnown: true,
    floor: Math.max(r.floor, out.modRevision),
  };
}

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

function hasEffectiveWrite(state: EtcdState, ops: readonly TxnOp[]): boolean {
  const exists = new Map<string, boolean>();
  for (const op of ops) {
    const present = exists.get(op.key) ?? rec(state, op.key).value !== null;
    if (op.f === 'put') return true;
    if (op.f === 'delete') {
      if (present) return true;
      exists.set(op.key, false);
    }
  }
  return false;
}

function stepTxn(state: EtcdState, input: Extract<EtcdInput, { f: 'txn' }>, output: Extract<EtcdOutput, { f: 'txn' }> | undefined): EtcdState | undefined {
  let decided: boolean | undefined = true;
  for (const c of input.compare) {
    const result = evalCompare(rec(state, c.key), c);
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
  const R = output !== undefined && hasEffectiveWrite(state, ops) ? output.revision : undefined;
  const next = new Map(state);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const r = rec(next, op.key);
    const result = output?.results[i];
    let updated: KeyRec | undefined = r;
    if (op.f === 'put') {
      if (result !== undefined && (result as { revision: number }).revision !== R) return undefined;
      updated = write(r, op.value, R);
    } else if (op.f === 'delete') {
      if (result !== undefined && (result as { deleted: number }).deleted !== (r.value === null ? 0 : 1)) return undefined;
      if (r.value !== null) updated = write(r, null, R);
    } else if (result !== undefined) {
      updated = read(r, result as GetResult);
    }
    if (updated === undefined) return undefined;
    next.set(op.key, updated);
  }
  return next;
}

function withKey(state: EtcdState, key: string, r: KeyRec | undefined): EtcdState | undefined {
  if (r === undefined) return undefined;
  if (r === rec(state, key)) return state;
  const next = new Map(state);
  next.set(key, r);
  return next;
}

function recEqual(a: KeyRec, b: KeyRec): boolean {
  return (
    a.value === b.value &&
    a.version === b.version &&
    a.create === b.create &&
    a.createKnown === b.createKnown &&
    a.mod === b.mod &&
    a.modKnown === b.modKnown &&
    a.floor === b.floor
  );
}

function describeRec(r: KeyRec): string {
  if (r.value === null) return r.floor > 0 ? `missing (deleted at rev > ${r.floor - 1})` : 'missing';
  const create = r.createKnown ? `${r.create}` : `>${r.create}`;
  const mod = r.modKnown ? `${r.mod}` : `>${r.mod}`;
  return `${JSON.stringify(r.value)} v${r.version} create=${create} mod=${mod}`;
}

function describeTxnOp(op: TxnOp): string {
  return op.f === 'put' ? `put ${op.key}=${JSON.stringify(op.value)}` : `${op.f} ${op.key}`;
}

export const etcdModel: Model<EtcdState, EtcdInput, EtcdOutput> = {
  name: 'etcd',
  fs: ['put', 'get', 'delete', 'txn'],
  parseInput(f, key, value) {
    if (f === 'put') return { f, key, value: putValue(value, 'value') };
    if (f === 'get') {
      const serializable = value !== null && value !== undefined && obj(value, 'value').serializable === true;
      return { f, key, serializable };
    }
    if (f === 'delete') return { f, key };
    if (f === 'txn') {
      const o = obj(value, 'value');
      return {
        f,
        compare: list(o.compare, 'value.compare', parseCompare),
        success: list(o.success, 'value.success', parseTxnOp),
        failure: list(o.failure, 'value.failure', parseTxnOp),
      };
    }
    throw new FieldError('f', `unknown operation ${JSON.stringify(f)} for model etcd`);
  },
  parseOutput(input, value) {
    if (input.f === 'get') return { f: 'get', result: parseGetResult(value, 'value') };
    const o = obj(value, 'value');
    if (input.f === 'put') return { f: 'put', revision: int(o.revision, 'value.revision') };
    if (input.f === 'delete') {
      const deleted = int(o.deleted, 'value.deleted');
      return { f: 'delete', deleted, revision: deleted === 0 ? 0 : int(o.revision, 'value.revision') };
    }
    if (typeof o.succeeded !== 'boolean') throw new FieldError('value.succeeded', `expected true or false, got ${JSON.stringify(o.succeeded) ?? 'nothing'}`);
    const ops = o.succeeded ? input.success : input.failure;
    const raw = o.results ?? [];
    if (!Array.isArray(raw)) throw new FieldError('value.results', `expected an array, got ${JSON.stringify(raw)}`);
    const results = raw.map((r, i) => (i < ops.length ? parseTxnResult(ops[i], r, `value.results[${i}]`) : { deleted: -1 }));
    const revision = o.revision === undefined || o.revision === null ? 0 : int(o.revision, 'value.revision');
    return { f: 'txn', succeeded: o.succeeded, revision, results };
  },
  partition(input) {
    if (input.f !== 'txn') return [input.key];
    const keys = new Set<string>();
    for (const c of input.compare) keys.add(c.key);
    for (const op of input.success) keys.add(op.key);
    for (const op of input.failure) keys.add(op.key);
    if (keys.size === 0) keys.add(DEFAULT_KEY);
    return [...keys];
  },
  isNoop: (input, output) => input.f === 'get' && (input.serializable || output === undefined),
  isReadOnly: (input, output) =>
    input.f === 'get' ||
    (input.f === 'delete' && output.f === 'delete' && output.deleted === 0) ||
    (input.f === 'txn' && output.f === 'txn' && (output.succeeded ? input.success : input.failure).every((op) => op.f === 'get')),
  init: () => new Map<string, KeyRec>(),
  step(state, input, output) {
    switch (input.f) {
      case 'get': {
        if (input.serializable || output === undefined) return state;
        return withKey(state, input.key, read(rec(state, input.key), (output as Extract<EtcdOutput, { f: 'get' }>).result));
      }
      case 'put': {
        const R = output === undefined ? undefined : (output as Extract<EtcdOutput, { f: 'put' }>).revision;
        return withKey(state, input.key, write(rec(state, input.key), input.value, R));
      }
      case 'delete': {
        const r = rec(state, input.key);
        const out = output as Extract<EtcdOutput, { f: 'delete' }> | undefined;
        // An unknown delete of a missing key changes nothing: same as never happening.
        if (out === undefined) return r.value === null ? undefined : withKey(state, input.key, write(r, null, undefined));
        if (out.deleted === 0) return r.value === null ? state : undefined;
        if (out.deleted !== 1 || r.value === null) return undefined;
        return withKey(state, input.key, write(r, null, out.revision));
      }
      case 'txn':
        return stepTxn(state, input, output as Extract<EtcdOutput, { f: 'txn' }> | undefined);
    }
  },
  equal(a, b) {
    if (a === b) return true;
    // Missing-and-never-written keys may or may not be present in the map.
    for (const [k, r] of a) if (!recEqual(r, rec(b, k))) return false;
    for (const [k, r] of b) if (!recEqual(r, rec(a, k))) return false;
    return true;
  },
  hash(state) {
    let h = 0;
    for (const [k, r] of state) {
      if (recEqual(r, MISSING)) continue;
      let x = hashString(k);
      x = hashCombine(x, r.value === null ? -1 : hashString(r.value));
      x = hashCombine(x, r.version);
      x = hashCombine(x, r.create * 2 + (r.createKnown ? 1 : 0));
      x = hashCombine(x, r.mod * 2 + (r.modKnown ? 1 : 0));
      x = hashCombine(x, r.floor);
      h = (h + x) | 0; // order-independent: Map order depends on history
    }
    return h;
  },
  describe(input, output) {
    const unknown = output === undefined ? ' (unknown outcome)' : '';
    switch (input.f) {
      case 'get': {
        if (input.serializable) return `serializable get ${input.key} (not checked)`;
        const r = (output as Extract<EtcdOutput, { f: 'get' }> | undefined)?.result;
        return r === undefined
          ? `get ${input.key}${unknown}`
          : `get ${input.key} -> ${r.value === null ? 'missing' : `${JSON.stringify(r.value)} v${r.version} create=${r.createRevision} mod=${r.modRevision}`}`;
      }
      case 'put': {
        const rev = (output as Extract<EtcdOutput, { f: 'put' }> | undefined)?.revision;
        return `put ${input.key}=${JSON.stringify(input.value)}${rev === undefined ? unknown : ` @${rev}`}`;
      }
      case 'delete': {
        const out = output as Extract<EtcdOutput, { f: 'delete' }> | undefined;
        return `delete ${input.key}${out === undefined ? unknown : out.deleted ? ` @${out.revision}` : ' (nothing deleted)'}`;
      }
      case 'txn': {
        const out = output as Extract<EtcdOutput, { f: 'txn' }> | undefined;
        const cs = input.compare.map((c) => `${c.target}(${c.key}) ${c.op} ${JSON.stringify(c.value)}`).join(' && ');
        const then = input.success.map(describeTxnOp).join(', ');
        const otherwise = input.failure.map(describeTxnOp).join(', ');
        const res = out === undefined ? unknown : ` -> ${out.succeeded ? 'succeeded' : 'failed'} @${out.revision}`;
        return `txn if ${cs || 'true'} then [${then}] else [${otherwise}]${res}`;
      }
    }
  },
  describeState(state) {
    const keys = [...state.keys()].filter((k) => !recEqual(rec(state, k), MISSING)).sort();
    if (keys.length === 0) return '{}';
    return `{${keys.map((k) => `${k}: ${describeRec(rec(state, k))}`).join('; ')}}`;
  },
};
