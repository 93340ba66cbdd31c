/** The kv model: get/put/append per key. */
import { describe, expect, it } from 'vitest';
import { checkHistory, type RawEvent } from '../../src/check/checker.js';

let t = 0;
const op = (f: string, key: string, value: unknown, result: unknown, type = 'ok'): RawEvent[] => [
  { process: 0, type: 'invoke', f, key, value, time: t++ },
  { process: 0, type, f, key, value: result, time: t++ },
];
const verdict = (events: RawEvent[]) => checkHistory(events, { model: 'kv' }).verdict;

describe('kv model', () => {
  it('missing keys read as "", appends concatenate, keys are independent', () => {
    const h = [...op('get', 'a', null, ''), ...op('append', 'a', 'x', null), ...op('put', 'b', 'q', null), ...op('append', 'a', 'y', null), ...op('get', 'a', null, 'xy'), ...op('get', 'b', null, 'q')];
    const result = checkHistory(h, { model: 'kv' });
    expect(result).toMatchObject({ verdict: 'linearizable', parts: 2 });
    expect(verdict([...op('append', 'a', 'x', null), ...op('append', 'a', 'y', null), ...op('get', 'a', null, 'yx')])).toBe('not-linearizable');
    expect(verdict([...op('put', 'a', 'x', null), ...op('append', 'a', 'y', null, 'info'), ...op('get', 'a', null, 'xy')])).toBe('linearizable');
    expect(verdict([...op('put', 'a', 'x', null), ...op('get', 'a', null, 'x'), ...op('put', 'a', 'z', null), ...op('get', 'a', null, 'x')])).toBe('not-linearizable');
  });
});
