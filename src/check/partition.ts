/**
 * P-compositionality: a history is linearizable iff each of its independent
 * parts is. Operations are grouped by key; an operation touching several keys
 * joins their groups (union-find).
 */
import type { Operation } from './history.js';

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

export function partitionByKey(ops: readonly Operation[]): Part[] {
  const ids = new Map<string, number>();
  const sets = new UnionFind();
  const idOf = (key: string) => {
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.add();
      ids.set(key, id);
    }
    return id;
  };
  for (const op of ops) {
    const first = idOf(op.keys[0]);
    for (let i = 1; i < op.keys.length; i++) sets.union(first, idOf(op.keys[i]));
  }
  const parts = new Map<number, { keys: string[]; ops: Operation[] }>();
  for (const [key, id] of ids) {
    const root = sets.find(id);
    let part = parts.get(root);
    if (part === undefined) {
      part = { keys: [], ops: [] };
      parts.set(root, part);
    }
    part.keys.push(key);
  }
  for (const op of ops) parts.get(sets.find(ids.get(op.keys[0]) as number))?.ops.push(op);
  const result = [...parts.values()];
  for (const part of result) part.keys.sort();
  return result;
}
