/**
 * `kv`: a string per key.
 *
 *   {"f":"get",    "key":k, "value":null}   ok value: the string ("" for a missing key)
 *   {"f":"put",    "key":k, "value":"s"}
 *   {"f":"append", "key":k, "value":"s"}    appends s to the current string
 */
import { FieldError } from '../errors.js';
import { hashString, type Model } from '../model.js';

export interface KvInput {
  readonly f: 'get' | 'put' | 'append';
  readonly key: string;
  readonly arg: string;
}

export type KvOutput = string | null;
export type KvState = string;

function expectString(field: string, value: unknown, what: string): string {
  if (typeof value !== 'string') throw new FieldError(field, `${what} expects a string, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: 'kv',
  fs: ['get', 'put', 'append'],
  parseInput(f, key, value) {
    if (f === 'get') return { f, key, arg: '' };
    if (f === 'put' || f === 'append') return { f, key, arg: expectString('value', value, f) };
    throw new FieldError('f', `unknown operation ${JSON.stringify(f)} for model kv`);
  },
  parseOutput(input, value) {
    if (input.f !== 'get') return null;
    return value === null ? '' : expectString('value', value, 'get result');
  },
  partition: (input) => [input.key],
  isNoop: (input, output) => input.f === 'get' && output === undefined,
  isReadOnly: (input) => input.f === 'get',
  init: () => '',
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        return output === undefined || output === state ? state : undefined;
      case 'put':
        return input.arg;
      case 'append':
        return state + input.arg;
    }
  },
  equal: (a, b) => a === b,
  hash: (s) => hashString(s),
  describe(input, output) {
    const suffix = output === undefined ? ' (unknown outcome)' : '';
    if (input.f === 'get') return `get ${JSON.stringify(output ?? '?')}${suffix}`;
    return `${input.f} ${JSON.stringify(input.arg)}${suffix}`;
  },
  describeState: (s) => JSON.stringify(s),
};
