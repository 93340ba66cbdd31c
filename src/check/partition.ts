/**
 * P-compositionality: a history is linearizable iff each of its independent
 * parts is. Operations are grouped by key; an operation touching several keys
 * joins their groups (union-find), and so does one reading a key interval.
 */
import type { Operation } from './history.js';
import { DEFAULT_KEY, inInterval, type KeyInterval } from './model.js';

export interface Part {
  /** Sorted keys of the part. */
  readonly keys: string[];
  /** Its operations in history order. */
  readonly ops: Operation[];
}

class UnionFind {
  private readonly parent: number[] = [];
  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }
  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root];
    while (this.parent[x] !== root) {
      const up = this.parent[x];
      this.parent[x] = root;
      x = up;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** How an interval is named when it holds no key of the history (it still needs a part). */
function intervalLabel(i: KeyInterval): string {
  return `[${JSON.stringify(i.from)}, ${i.to === null ? 'end' : JSON.stringify(i.to)})`;
}

/** The keys of `sorted` inside `interval` (binary search for the first). */
function keysIn(sorted: readonly string[], interval: KeyInterval): string[] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < interval.from) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < sorted.length && inInterval(sorted[i], interval); i++) out.push(sorted[i]);
  return out;
}

/**
 * `intervalsOf` gives the key intervals an op reads as a whole (Model.intervals):
 * such an op joins every key of the history inside them. An op that touches no
 * key at all (an interval holding none) gets a part named after its intervals,
 * shared with ops over the same empty intervals.
 */
export function partitionByKey(ops: readonly Operation[], intervalsOf?: (op: Operation) => readonly KeyInterval[]): Part[] {
  const ids = new Map<string, number>();
  const labels = new Map<string, number>();
  const sets = new UnionFind();
  const idIn = (map: Map<string, number>, key: string) => {
    let id = map.get(key);
    if (id === undefined) {
      id = sets.add();
      map.set(key, id);
    }
    return id;
  };
  for (const op of ops) for (const key of op.keys) idIn(ids, key);
  const universe = [...ids.keys()].sort();
  // Every op's representative node: one of its keys, or its label.
  const nodeOf = ops.map((op) => {
    const intervals = intervalsOf?.(op) ?? [];
    const keys = intervals.length === 0 ? op.keys : [...op.keys, ...intervals.flatMap((i) => keysIn(universe, i))];
    if (keys.length === 0) return intervals.length === 0 ? idIn(ids, DEFAULT_KEY) : idIn(labels, intervals.map(intervalLabel).join(' '));
    const first = idIn(ids, keys[0]);
    for (let i = 1; i < keys.length; i++) sets.union(first, idIn(ids, keys[i]));
    return first;
  });
  const parts = new Map<number, { keys: string[]; ops: Operation[] }>();
  const partOf = (id: number) => {
    const root = sets.find(id);
    let part = parts.get(root);
    if (part === undefined) {
      part = { keys: [], ops: [] };
      parts.set(root, part);
    }
    return part;
  };
  for (const [key, id] of ids) partOf(id).keys.push(key);
  for (const [label, id] of labels) partOf(id).keys.push(label);
  ops.forEach((op, i) => partOf(nodeOf[i]).ops.push(op));
  const result = [...parts.values()];
  for (const part of result) part.keys.sort();
  return result;
}
