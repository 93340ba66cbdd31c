/**
 * etcd's range read in the etcd model: parsing, the key intervals it reads (for
 * the partitioner), its step and its description.
 *
 *   range  invoke {"f":"range","value":{"key":"k1","rangeEnd":"k3","limit":2}}
 *          rangeEnd absent or "": the single key; "\0": every key >= key; limit 0 or absent: none
 *          ok     {"kvs":[{"key","value","version","createRevision","modRevision"}…],
 *                  "count":n,"more":bool,"revision":H}     H = the store revision at the read
 *
 * Rules checked: the kvs are exactly the live keys of the interval in key order, cut
 * at the limit, each as a get would see it; count ignores the limit; more = count >
 * kvs returned; H bounds the store revision as a read-only txn's does (rev <= H, then
 * rev = H). Serializable ranges, like serializable gets, are not checked.
 */
import { FieldError } from '../errors.js';
import type { KeyInterval } from '../model.js';
import { header, int, keyOf, obj, str } from './etcd-fields.js';
import type { EtcdInput, RangeInput, RangeKv } from './etcd-parse.js';
import type { RevisionSpace } from './etcd-pins.js';
import { copyKeys, read, rec, type EtcdState, type KeyRec } from './etcd-state.js';

/** etcd's rangeEnd for "no upper end". */
export const ALL_KEYS = '\0';

export interface RangeOutput {
  readonly f: 'range';
  readonly kvs: readonly RangeKv[];
  readonly count: number;
  readonly more: boolean;
  /** The header's store revision (0: not given, nothing checked against it). */
  readonly revision: number;
}

function absent(v: unknown): boolean {
  return v === undefined || v === null;
}

export function parseRangeInput(value: unknown): RangeInput {
  const o = obj(value, 'value');
  const key = keyOf(o.key, 'value.key');
  // The store refuses an empty key (ErrEmptyKey), so no such range can succeed.
  if (key === '') throw new FieldError('value.key', 'expected a non-empty key');
  const rangeEnd = absent(o.rangeEnd) || o.rangeEnd === '' ? null : str(o.rangeEnd, 'value.rangeEnd');
  const limit = absent(o.limit) ? 0 : int(o.limit, 'value.limit');
  if (limit < 0) throw new FieldError('value.limit', `expected an integer >= 0, got ${limit}`);
  // The model only knows the latest state of whole key-values: anything else would be misjudged.
  for (const flag of ['keysOnly', 'countOnly'] as const) {
    if (!absent(o[flag]) && o[flag] !== false) throw new FieldError(`value.${flag}`, `not supported by the etcd model, got ${JSON.stringify(o[flag])}`);
  }
  if (!absent(o.revision) && o.revision !== 0) throw new FieldError('value.revision', `reads of past revisions are not supported by the etcd model, got ${JSON.stringify(o.revision)}`);
  return { f: 'range', key, rangeEnd, limit, serializable: o.serializable === true };
}

function parseKv(raw: unknown, field: string): RangeKv {
  const o = obj(raw, field);
  return {
    key: keyOf(o.key, `${field}.key`),
    value: str(o.value, `${field}.value`),
    version: int(o.version, `${field}.version`),
    createRevision: int(o.createRevision, `${field}.createRevision`),
    modRevision: int(o.modRevision, `${field}.modRevision`),
  };
}

export function parseRangeOutput(o: Record<string, unknown>): RangeOutput {
  if (!Array.isArray(o.kvs)) throw new FieldError('value.kvs', `expected an array, got ${JSON.stringify(o.kvs) ?? 'nothing'}`);
  const kvs = o.kvs.map((kv, i) => parseKv(kv, `value.kvs[${i}]`));
  const count = int(o.count, 'value.count');
  if (count < 0) throw new FieldError('value.count', `expected an integer >= 0, got ${count}`);
  if (typeof o.more !== 'boolean') throw new FieldError('value.more', `expected true or false, got ${JSON.stringify(o.more) ?? 'nothing'}`);
  return { f: 'range', kvs, count, more: o.more, revision: header(o) };
}

/** The interval a range reads as a whole; none for a single-key range (its key is its partition). */
export function rangeIntervals(input: EtcdInput): readonly KeyInterval[] {
  if (input.f !== 'range' || input.rangeEnd === null) return [];
  return [{ from: input.key, to: input.rangeEnd === ALL_KEYS ? null : input.rangeEnd }];
}

/** Does the range read `key`? (src/kv/keyIndex.ts keyInRange, in the model's terms.) */
export function selects(input: RangeInput, key: string): boolean {
  if (input.rangeEnd === null) return key === input.key;
  return key >= input.key && (input.rangeEnd === ALL_KEYS || key < input.rangeEnd);
}

/**
 * The state after an ok range, or undefined when it cannot have read it. The
 * state holds every key of the history in the interval (the partitioner joins
 * them into the range's part), and keys no op writes are missing everywhere.
 */
export function stepRange(state: EtcdState, input: RangeInput, output: RangeOutput | undefined, space: RevisionSpace): EtcdState | undefined {
  if (input.serializable || output === undefined) return state;
  const live: string[] = [];
  for (const [key, r] of state.keys) if (r.value !== null && selects(input, key)) live.push(key);
  // Default sort is by UTF-16 code units: the store's key order.
  live.sort();
  const returned = input.limit > 0 ? Math.min(input.limit, live.length) : live.length;
  if (output.count !== live.length || output.kvs.length !== returned || output.more !== live.length > returned) return undefined;
  const H = output.revision;
  let rev = state.rev;
  if (H > 0) {
    if (H < rev) return undefined;
    rev = H;
  }
  let keys: Map<string, KeyRec> | null = null;
  for (let i = 0; i < returned; i++) {
    const kv = output.kvs[i];
    if (kv.key !== live[i]) return undefined;
    const r = rec(state.keys, kv.key);
    const seen = read(r, kv, space);
    if (seen === undefined) return undefined;
    if (seen === r) continue;
    // It revealed an info write's revision: the store was at least there.
    keys ??= copyKeys(state.keys);
    keys.set(kv.key, seen);
    rev = Math.max(rev, seen.mod);
  }
  if (H > 0 && rev > H) return undefined;
  if (keys === null && rev === state.rev) return state;
  return { keys: keys ?? state.keys, rev };
}

export function describeRange(input: RangeInput, output: RangeOutput | undefined): string {
  const end = input.rangeEnd === ALL_KEYS ? 'end' : input.rangeEnd;
  const what = `range ${end === null ? input.key : `[${input.key}, ${end})`}${input.limit > 0 ? ` limit ${input.limit}` : ''}`;
  if (input.serializable) return `serializable ${what} (not checked)`;
  if (output === undefined) return `${what} (unknown outcome)`;
  const kvs = output.kvs.map((kv) => `${kv.key}=${JSON.stringify(kv.value)} v${kv.version} create=${kv.createRevision} mod=${kv.modRevision}`).join(', ');
  return `${what} -> [${kvs}] count ${output.count}${output.more ? ' (more)' : ''}${output.revision > 0 ? ` @${output.revision}` : ''}`;
}
