/**
 * Small etcd-model histories for the tests: sequential (non-overlapping) operations on one
 * clock, so a history's order is the order it is written in. Reset the clock per history.
 */
import { checkHistory, type RawEvent } from '../../src/check/checker.js';

let clock = 0;

export function resetClock(): void {
  clock = 0;
}

export function op(process: number, f: string, value: unknown, result: unknown, key?: string, type = 'ok'): RawEvent[] {
  return [
    { process, type: 'invoke', f, key, value, time: clock++ },
    { process, type, f, key, value: result, time: clock++ },
  ];
}

export const put = (k: string, v: string, rev: number) => op(0, 'put', { value: v }, { value: v, revision: rev }, k);
export const get = (k: string, value: string | null, version: number, createRevision: number, modRevision: number) =>
  op(1, 'get', null, { value, version, createRevision, modRevision }, k);
export const verdict = (events: RawEvent[]) => checkHistory(events, { model: 'etcd' }).verdict;
