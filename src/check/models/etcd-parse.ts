/**
 * The etcd model's operation shapes and their parsing from history events (the
 * shapes are documented in etcd.ts), plus the pieces of description and
 * revision bookkeeping that do not depend on model states.
 */
import { FieldError } from '../errors.js';
import { header, int, keyOf, obj, str } from './etcd-fields.js';
import { DEFAULT_KEY } from '../model.js';
import { describeRange, parseRangeInput, parseRangeOutput, type RangeOutput } from './etcd-range.js';

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
  | { readonly f: 'txn'; readonly compare: readonly Compare[]; readonly success: readonly TxnOp[]; readonly failure: readonly TxnOp[] }
  | RangeInput;

/**
 * A range read: the single key `key` when `rangeEnd` is null, else the interval
 * [key, rangeEnd), unbounded above when rangeEnd is "\0" (etcd's forms). limit 0: none.
 */
export interface RangeInput {
  readonly f: 'range';
  readonly key: string;
  readonly rangeEnd: string | null;
  readonly limit: number;
  readonly serializable: boolean;
}
export interface RangeKv extends GetResult {
  readonly key: string;
  readonly value: string;
}

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
  | { readonly f: 'txn'; readonly succeeded: boolean; readonly revision: number; readonly results: readonly TxnResult[] }
  | RangeOutput;

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

export function parseGetResult(raw: unknown, field: string): GetResult {
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


export function parseEtcdInput(f: string, key: string, value: unknown): EtcdInput {
  if (f === 'put') return { f, key, value: putValue(value, 'value') };
  if (f === 'get') {
    const serializable = value !== null && value !== undefined && obj(value, 'value').serializable === true;
    return { f, key, serializable };
  }
  if (f === 'delete') return { f, key };
  if (f === 'range') return parseRangeInput(value);
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
}

export function parseEtcdOutput(input: EtcdInput, value: unknown): EtcdOutput {
  if (input.f === 'get') return { f: 'get', result: parseGetResult(value, 'value') };
  const o = obj(value, 'value');
  if (input.f === 'range') return parseRangeOutput(o);
  if (input.f === 'put') return { f: 'put', revision: int(o.revision, 'value.revision') };
  if (input.f === 'delete') {
    const deleted = int(o.deleted, 'value.deleted');
    // A delete of nothing creates no revision; its header is the store revision then.
    return { f: 'delete', deleted, revision: deleted === 0 ? header(o) : int(o.revision, 'value.revision') };
  }
  if (typeof o.succeeded !== 'boolean') throw new FieldError('value.succeeded', `expected true or false, got ${JSON.stringify(o.succeeded) ?? 'nothing'}`);
  const ops = o.succeeded ? input.success : input.failure;
  const raw = o.results ?? [];
  if (!Array.isArray(raw)) throw new FieldError('value.results', `expected an array, got ${JSON.stringify(raw)}`);
  const results = raw.map((r, i) => (i < ops.length ? parseTxnResult(ops[i], r, `value.results[${i}]`) : { deleted: -1 }));
  return { f: 'txn', succeeded: o.succeeded, revision: header(o), results };
}

export function etcdKeys(input: EtcdInput): string[] {
  // A range over an interval names no keys: see rangeIntervals.
  if (input.f === 'range') return input.rangeEnd === null ? [input.key] : [];
  if (input.f !== 'txn') return [input.key];
  const keys = new Set<string>();
  for (const c of input.compare) keys.add(c.key);
  for (const op of input.success) keys.add(op.key);
  for (const op of input.failure) keys.add(op.key);
  if (keys.size === 0) keys.add(DEFAULT_KEY);
  return [...keys];
}

/** The taken branch of an ok txn. */
export function branchOf(input: Extract<EtcdInput, { f: 'txn' }>, output: Extract<EtcdOutput, { f: 'txn' }>): readonly TxnOp[] {
  return output.succeeded ? input.success : input.failure;
}

/** The revision an ok operation created, or undefined if it wrote nothing (then `revision` is the store's). */
export function writeRevision(input: EtcdInput, output: EtcdOutput): number | undefined {
  switch (output.f) {
    case 'put':
      return output.revision;
    case 'delete':
      return output.deleted > 0 ? output.revision : undefined;
    case 'txn': {
      const ops = input.f !== 'txn' ? [] : branchOf(input, output);
      const wrote = ops.some((op, i) => op.f === 'put' || (op.f === 'delete' && ((output.results[i] as { deleted?: number } | undefined)?.deleted ?? 0) > 0));
      return wrote ? output.revision : undefined;
    }
    case 'get':
    case 'range':
      return undefined;
  }
}

function describeTxnOp(op: TxnOp): string {
  return op.f === 'put' ? `put ${op.key}=${JSON.stringify(op.value)}` : `${op.f} ${op.key}`;
}

export function describeEtcd(input: EtcdInput, output: EtcdOutput | undefined): string {
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
    case 'range':
      return describeRange(input, output as RangeOutput | undefined);
  }
}
