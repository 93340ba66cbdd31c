import type { KvErrorCode, KvResult, RequestOp } from '../../src/kv/index.js';

export function unwrap<T>(r: KvResult<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.response;
}

export function errCode<T>(r: KvResult<T>): KvErrorCode | null {
  return r.ok ? null : r.error.code;
}

export const put = (key: string, value: string, lease?: number): RequestOp => ({
  requestPut: lease === undefined ? { key, value } : { key, value, lease },
});
export const del = (key: string, rangeEnd?: string): RequestOp => ({
  requestDeleteRange: rangeEnd === undefined ? { key } : { key, rangeEnd },
});
export const get = (key: string, rangeEnd?: string): RequestOp => ({
  requestRange: rangeEnd === undefined ? { key } : { key, rangeEnd },
});
