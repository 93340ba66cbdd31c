/**
 * Deterministic snapshot encoding of the MVCC store.
 *
 * Format (JSON, v1):
 *   { "v": 1, "revision": R, "compactRevision": C,
 *     "keys": [[key, [entry, ...]], ...],      // keys in sorted order
 *     "leases": [[id, ttl], ...] }             // ascending id
 * entry = [rev, sub, createRevision, version, lease, value]   (put)
 *       | [rev, sub]                                          (tombstone)
 * Attached lease keys and the watch event log are derived data, rebuilt on
 * restore from the retained history.
 */
import { z } from 'zod';
import type { HistoryEntry, KeyIndex } from './keyIndex.js';
import type { Event, KeyValue, LeaseId, Revision } from './types.js';

export const SNAPSHOT_VERSION = 1;

const int = z.number().int();
const entrySchema = z.union([
  z.tuple([int, int, int, int, int, z.string()]),
  z.tuple([int, int]),
]);
const snapshotSchema = z.object({
  v: z.literal(SNAPSHOT_VERSION),
  revision: int.min(1),
  compactRevision: int.min(0),
  keys: z.array(z.tuple([z.string(), z.array(entrySchema)])),
  leases: z.array(z.tuple([int, int])),
});

type EntryData = z.infer<typeof entrySchema>;

export interface SnapshotData {
  revision: Revision;
  compactRevision: Revision;
  /** Sorted by key; entries ascending by rev. */
  keys: Array<{ key: string; entries: HistoryEntry[] }>;
  /** Ascending id. */
  leases: Array<{ id: LeaseId; ttl: number }>;
}

function encodeEntry(e: HistoryEntry): EntryData {
  const kv = e.kv;
  if (kv === null) return [e.rev, e.sub];
  return [e.rev, e.sub, kv.createRevision, kv.version, kv.lease, kv.value];
}

export function encodeSnapshot(
  revision: Revision,
  compactRevision: Revision,
  index: KeyIndex,
  leases: ReadonlyMap<LeaseId, { ttl: number }>,
): string {
  const keys: Array<[string, EntryData[]]> = [];
  for (const h of index.histories()) keys.push([h.key, h.entries.map(encodeEntry)]);
  const leaseRows: Array<[number, number]> = [];
  for (const [id, l] of leases) leaseRows.push([id, l.ttl]);
  leaseRows.sort((a, b) => a[0] - b[0]);
  return JSON.stringify({ v: SNAPSHOT_VERSION, revision, compactRevision, keys, leases: leaseRows });
}

export function decodeSnapshot(snapshot: string): SnapshotData {
  let raw: unknown;
  try {
    raw = JSON.parse(snapshot);
  } catch (e) {
    throw new Error(`kv snapshot: invalid JSON: ${(e as Error).message}`);
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`kv snapshot: invalid format: ${z.prettifyError(parsed.error)}`);
  const s = parsed.data;
  if (s.compactRevision > s.revision) throw new Error('kv snapshot: compactRevision > revision');
  const keys: SnapshotData['keys'] = [];
  let prevKey: string | null = null;
  for (const [key, rows] of s.keys) {
    if (prevKey !== null && !(prevKey < key)) throw new Error(`kv snapshot: keys not strictly sorted at ${JSON.stringify(key)}`);
    prevKey = key;
    let prevRev = 0;
    const entries: HistoryEntry[] = rows.map((r) => {
      const rev = r[0];
      if (rev <= prevRev || rev > s.revision) throw new Error(`kv snapshot: bad revision ${rev} for key ${JSON.stringify(key)}`);
      prevRev = rev;
      if (r.length === 2) return { rev, sub: r[1], kv: null };
      const kv: KeyValue = { key, value: r[5], createRevision: r[2], modRevision: rev, version: r[3], lease: r[4] };
      return { rev, sub: r[1], kv };
    });
    keys.push({ key, entries });
  }
  return {
    revision: s.revision,
    compactRevision: s.compactRevision,
    keys,
    leases: s.leases.map(([id, ttl]) => ({ id, ttl })),
  };
}

/** The DELETE event kv: only key and modRevision are set (as in etcd). */
export function tombstoneKv(key: string, rev: Revision): KeyValue {
  return { key, value: '', createRevision: 0, modRevision: rev, version: 0, lease: 0 };
}

export function makeEvent(key: string, rev: Revision, kv: KeyValue | null, prev: KeyValue | null): Event {
  const type = kv === null ? 'DELETE' : 'PUT';
  const ekv = kv === null ? tombstoneKv(key, rev) : kv;
  return prev === null ? { type, kv: ekv } : { type, kv: ekv, prevKv: prev };
}

/** Rebuild the event log (revisions > compactRevision) from retained history. */
export function rebuildEventLog(data: SnapshotData): Event[] {
  const rows: Array<{ rev: number; sub: number; ev: Event }> = [];
  for (const { key, entries } of data.keys) {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.rev <= data.compactRevision) continue;
      const prev = i > 0 ? entries[i - 1].kv : null;
      rows.push({ rev: e.rev, sub: e.sub, ev: makeEvent(key, e.rev, e.kv, prev) });
    }
  }
  rows.sort((a, b) => a.rev - b.rev || a.sub - b.sub);
  return rows.map((r) => r.ev);
}
