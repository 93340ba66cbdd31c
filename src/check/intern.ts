/**
 * Model states become small integers so the search and the memo table never
 * touch model objects; transitions (state id, op) -> state id are memoized so
 * each model step runs once per distinct pair.
 */
import type { AnyModel } from './model.js';

/** Interns model states by the model's hash and equality. */
export class StateTable {
  readonly states: unknown[] = [];
  private slots = new Int32Array(64); // id + 1; 0 = empty
  private hashes = new Int32Array(64);
  private mask = 63;

  /** model.rank of each state, when the model has one. */
  private ranks: Float64Array | null;

  constructor(private readonly model: AnyModel) {
    this.ranks = model.rank === undefined ? null : new Float64Array(64);
  }

  get hasRank(): boolean {
    return this.ranks !== null;
  }

  /** The rank of an interned state (0 without a rank). */
  rank(id: number): number {
    return this.ranks === null ? 0 : this.ranks[id];
  }

  intern(state: unknown): number {
    const h = this.model.hash(state) | 0;
    let i = Math.imul(h, 0x9e3779b1) & this.mask;
    for (;;) {
      const slot = this.slots[i];
      if (slot === 0) break;
      if (this.hashes[i] === h && this.model.equal(this.states[slot - 1], state)) return slot - 1;
      i = (i + 1) & this.mask;
    }
    const id = this.states.length;
    this.states.push(state);
    if (this.ranks !== null) {
      if (id >= this.ranks.length) {
        const grown = new Float64Array(this.ranks.length * 2);
        grown.set(this.ranks);
        this.ranks = grown;
      }
      this.ranks[id] = (this.model.rank as (s: unknown) => number)(state);
    }
    this.slots[i] = id + 1;
    this.hashes[i] = h;
    if (this.states.length * 2 > this.mask) this.grow();
    return id;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const hashes = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i] === 0) continue;
      let j = Math.imul(this.hashes[i], 0x9e3779b1) & mask;
      while (slots[j] !== 0) j = (j + 1) & mask;
      slots[j] = this.slots[i];
      hashes[j] = this.hashes[i];
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = mask;
  }
}

export const ILLEGAL = -1;
const MISS = -2;
/** Beyond this many remembered transitions the table is cleared: it is only a cache. */
const MAX_TRANSITIONS = 1 << 22;

/** Memoized model steps for one part's operations. */
export class Transitions {
  private keyState = new Int32Array(1024).fill(-1);
  private keyOp = new Int32Array(1024);
  private result = new Int32Array(1024);
  private mask = 1023;
  private count = 0;
  modelSteps = 0;

  constructor(
    private readonly model: AnyModel,
    readonly table: StateTable,
    private readonly inputs: readonly unknown[],
    private readonly outputs: readonly unknown[],
  ) {}

  /** The state id after op from state, or ILLEGAL. */
  next(state: number, op: number): number {
    const mask = this.mask;
    let i = (Math.imul(state, 0x9e3779b1) ^ Math.imul(op, 0x85ebca77)) & mask;
    for (;;) {
      const s = this.keyState[i];
      if (s === -1) break;
      if (s === state && this.keyOp[i] === op) return this.result[i];
      i = (i + 1) & mask;
    }
    const after = this.model.step(this.table.states[state], this.inputs[op], this.outputs[op]);
    this.modelSteps++;
    const id = after === undefined ? ILLEGAL : this.table.intern(after);
    this.remember(state, op, id, i);
    return id;
  }

  private remember(state: number, op: number, id: number, slot: number): void {
    if (this.count >= MAX_TRANSITIONS) {
      this.keyState.fill(-1);
      this.count = 0;
      slot = MISS;
    }
    if (slot === MISS || (this.count + 1) * 2 > this.mask) {
      if ((this.count + 1) * 2 > this.mask) this.grow();
      const mask = this.mask;
      slot = (Math.imul(state, 0x9e3779b1) ^ Math.imul(op, 0x85ebca77)) & mask;
      while (this.keyState[slot] !== -1) slot = (slot + 1) & mask;
    }
    this.keyState[slot] = state;
    this.keyOp[slot] = op;
    this.result[slot] = id;
    this.count++;
  }

  private grow(): void {
    const size = this.keyState.length * 2;
    const keyState = new Int32Array(size).fill(-1);
    const keyOp = new Int32Array(size);
    const result = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.keyState.length; i++) {
      const s = this.keyState[i];
      if (s === -1) continue;
      let j = (Math.imul(s, 0x9e3779b1) ^ Math.imul(this.keyOp[i], 0x85ebca77)) & mask;
      while (keyState[j] !== -1) j = (j + 1) & mask;
      keyState[j] = s;
      keyOp[j] = this.keyOp[i];
      result[j] = this.result[i];
    }
    this.keyState = keyState;
    this.keyOp = keyOp;
    this.result = result;
    this.mask = mask;
  }
}
