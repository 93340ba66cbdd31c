/**
 * `register`: one read/write/compare-and-set register per key (the model
 * Jepsen's etcd tests use).
 *
 *   {"f":"read",  "value":null}        ok value: the value read (null = never written)
 *   {"f":"write", "value":v}
 *   {"f":"cas",   "value":[expected, new]}   ok = it swapped; a `fail` cas did not happen
 *
 * Values are compared structurally (canonical JSON), so 1 and "1" differ.
 */
import { FieldError } from '../errors.js';
import { canonical, hashString, type Model } from '../model.js';
import { refuteStaleReads } from './register-stale.js';
import { unobservedRegisterOps } from './register-unobserved.js';

export interface RegisterInput {
  readonly f: 'read' | 'write' | 'cas';
  readonly key: string;
  /** Canonical text of the written value, or of the expected value for cas. */
  readonly arg: string;
  /** Canonical text of the new value for cas. */
  readonly arg2: string;
}

/** Canonical text of the value read (only reads have a meaningful output). */
export type RegisterOutput = string | null;

/** Canonical text of the register's value; 'null' when never written. */
export type RegisterState = string;

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  name: 'register',
  fs: ['read', 'write', 'cas'],
  parseInput(f, key, value) {
    if (f === 'read') return { f, key, arg: '', arg2: '' };
    if (f === 'write') return { f, key, arg: canonical(value), arg2: '' };
    if (f === 'cas') {
      if (!Array.isArray(value) || value.length !== 2) {
        throw new FieldError('value', `cas expects [expected, new], got ${canonical(value)}`);
      }
      return { f, key, arg: canonical(value[0]), arg2: canonical(value[1]) };
    }
    throw new FieldError('f', `unknown operation ${JSON.stringify(f)} for model register`);
  },
  parseOutput(input, value) {
    return input.f === 'read' ? canonical(value) : null;
  },
  partition: (input) => [input.key],
  // An unknown read tells us nothing and changes nothing.
  isNoop: (input, output) => input.f === 'read' && output === undefined,
  // Info writes and cas whose value no read or cas observes never need to happen (register-unobserved.ts).
  unobserved: unobservedRegisterOps,
  isReadOnly: (input) => input.f === 'read' || (input.f === 'cas' && input.arg === input.arg2),
  // Stale reads that real time alone rules out, before any search (register-stale.ts).
  refute: refuteStaleReads,
  // Tags are values (tags.ts): a read needs its value, an ok cas its expected one, and only
  // a write or cas of v (a cas from v to v changes nothing) can make the value v.
  tag: (s) => s,
  needsTag: (input, output) => (input.f === 'read' ? (output ?? undefined) : input.f === 'cas' ? input.arg : undefined),
  setsTag: (input) => (input.f === 'write' ? input.arg : input.f === 'cas' ? input.arg2 : undefined),
  init: () => 'null',
  step(state, input, output) {
    switch (input.f) {
      case 'read':
        return output === undefined || output === state ? state : undefined;
      case 'write':
        return input.arg;
      case 'cas':
        // An unknown cas that would not match never took effect; "never" is
        // already explored by leaving it out, so reject it here.
        return state === input.arg ? input.arg2 : undefined;
    }
  },
  equal: (a, b) => a === b,
  hash: (s) => hashString(s),
  describe(input, output) {
    const suffix = output === undefined ? ' (unknown outcome)' : '';
    if (input.f === 'read') return `read ${output ?? '?'}${suffix}`;
    if (input.f === 'write') return `write ${input.arg}${suffix}`;
    return `cas ${input.arg} -> ${input.arg2}${suffix}`;
  },
  describeState: (s) => s,
};
