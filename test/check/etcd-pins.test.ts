/**
 * Pinned info writes when values repeat: the read's modRevision tells apart the
 * writers of one value (an ok writer reporting another revision did not write what
 * the read saw), so one info writer left is pinned; two left are not.
 */
import { describe, expect, it } from 'vitest';
import type { PrepareOp } from '../../src/check/model.js';
import type { EtcdInput, EtcdOutput } from '../../src/check/models/etcd.js';
import { pinInfoWrites } from '../../src/check/models/etcd-pins.js';

type Op = PrepareOp<EtcdInput, EtcdOutput>;
const okPut = (value: string, revision: number, call: number, ret: number): Op => ({ type: 'ok', input: { f: 'put', key: 'k', value }, output: { f: 'put', revision }, call, ret });
const infoPut = (value: string, call: number): Op => ({ type: 'info', input: { f: 'put', key: 'k', value }, output: undefined, call, ret: Infinity });
const get = (value: string, version: number, mod: number, call: number, ret: number): Op => ({
  type: 'ok',
  input: { f: 'get', key: 'k', serializable: false },
  output: { f: 'get', result: { value, version, createRevision: 2, modRevision: mod } },
  call,
  ret,
});

describe('pins with repeated values', () => {
  it('pins the one info writer the revision leaves', () => {
    const ops = [okPut('v', 2, 0, 1), infoPut('v', 2), get('v', 2, 3, 3, 4)];
    const pins = pinInfoWrites(ops);
    expect([...pins.keys()]).toEqual([1]);
    expect(pins.get(1)?.output).toEqual({ f: 'put', revision: 3 });
    expect(pins.get(1)?.ret).toBe(4);
  });
  it('pins nothing when the ok writer explains the read', () => {
    expect(pinInfoWrites([okPut('v', 2, 0, 1), infoPut('v', 2), get('v', 1, 2, 3, 4)]).size).toBe(0);
  });
  it('pins nothing when two info writers remain', () => {
    expect(pinInfoWrites([okPut('v', 2, 0, 1), infoPut('v', 2), infoPut('v', 2), get('v', 2, 3, 3, 4)]).size).toBe(0);
  });
  it('ignores a writer called after the read returned', () => {
    const pins = pinInfoWrites([infoPut('v', 0), get('v', 1, 2, 1, 2), infoPut('v', 3)]);
    expect([...pins.keys()]).toEqual([0]);
  });
});
