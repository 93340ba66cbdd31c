/**
 * Where writes of a key can land, for the write capacity guard (capacity.ts,
 * Model.writeSlots): at a revision no known write took (an info write's, after
 * nextFree), or at the revision of a known write (ok or pinned) that may write the
 * key (a put of it, a delete of it, a txn naming it in a put or delete of either
 * branch). A txn may put one key more than once; each put bumps the version, so a
 * revision counts as many times as the most puts of the key one branch makes.
 */
import type { PrepareOp } from '../model.js';
import type { WriteShape } from '../pending.js';
import { writeRevision, type EtcdInput, type EtcdOutput, type TxnOp } from './etcd-parse.js';

/** How many revisions <= rank a write of key can land at, times its puts per op. */
export type WriteSlots = (key: string, rank: number) => number;
/** How many revisions in (after, upTo] no known write took (Model.freeRanks). */
export type FreeRanks = (after: number, upTo: number) => number;

/** Values <= x in an ascending array. */
function countUpTo(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function ascending(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

/** Writes per key of one branch (puts only count toward the version). */
function putsPerKey(ops: readonly TxnOp[], into: Map<string, number>): void {
  const here = new Map<string, number>();
  for (const t of ops) if (t.f === 'put') here.set(t.key, (here.get(t.key) ?? 0) + 1);
  for (const [k, n] of here) into.set(k, Math.max(into.get(k) ?? 1, n));
}

/**
 * `ops` with outputs as the search will see them (pinned info ops have their
 * pinned output), and `claimed`: every revision the model treats as taken.
 */
export function writeSlots(ops: readonly PrepareOp<EtcdInput, EtcdOutput>[], claimed: readonly number[]): WriteSlots {
  const taken = ascending(claimed);
  const byKey = new Map<string, number[]>();
  const perOp = new Map<string, number>();
  for (const { input, output } of ops) {
    if (input.f === 'txn') {
      putsPerKey(input.success, perOp);
      putsPerKey(input.failure, perOp);
    }
    if (output === undefined) continue;
    const revision = writeRevision(input, output);
    if (revision === undefined) continue;
    const keys = input.f === 'txn' ? [...input.success, ...input.failure].filter((t) => t.f !== 'get').map((t) => t.key) : input.f === 'put' || input.f === 'delete' ? [input.key] : [];
    for (const key of keys) {
      let revisions = byKey.get(key);
      if (revisions === undefined) byKey.set(key, (revisions = []));
      revisions.push(revision);
    }
  }
  // One lookup per call: the capacity guard asks for every key at every search step.
  const ofKey = new Map<string, { readonly own: readonly number[]; readonly perOp: number }>();
  for (const key of new Set([...byKey.keys(), ...perOp.keys()])) ofKey.set(key, { own: ascending(byKey.get(key) ?? []), perOp: perOp.get(key) ?? 1 });
  return (key, rank) => {
    const free = rank - countUpTo(taken, rank);
    const slots = ofKey.get(key);
    return slots === undefined ? free : (free + countUpTo(slots.own, rank)) * slots.perOp;
  };
}

/** Revisions no known write took, between two store revisions: where info writes land (etcd-pins.ts). */
export function freeRanks(claimed: readonly number[]): FreeRanks {
  const taken = ascending(claimed);
  const free = (rank: number) => rank - countUpTo(taken, rank);
  return (after, upTo) => Math.max(0, free(upTo) - free(after));
}

/** What an op may write whatever its outcome (Model.mayWrite): a txn either branch, its most puts of a key. */
export function etcdWriteShape(input: EtcdInput): WriteShape {
  if (input.f === 'put') return { raises: [{ key: input.key, count: 1 }], ends: [] };
  if (input.f === 'delete') return { raises: [], ends: [input.key] };
  if (input.f !== 'txn') return { raises: [], ends: [] };
  const most = new Map<string, number>();
  putsPerKey(input.success, most);
  putsPerKey(input.failure, most);
  const ends = new Set([...input.success, ...input.failure].filter((t) => t.f === 'delete').map((t) => t.key));
  return { raises: [...most].map(([key, count]) => ({ key, count })), ends: [...ends] };
}
