/**
 * A part's dead-state guards over key needs, as one: key lifetimes
 * (lifetimes.ts), write capacity (capacity.ts) and keys read missing
 * (absence.ts) from the start, and pending
 * known writes (pending.ts) once the checker adds it. Each depends only on the
 * configuration, so together they do too.
 */
import { AbsenceGuard, type AbsenceInput } from './absence.js';
import { CapacityGuard, type CapacityInput } from './capacity.js';
import { LifeGuard, type KeyGuard, type LifeInput } from './lifetimes.js';

export interface KeyGuardInputs {
  /** Per-op key lifetime needs, one per guard (lifetimes.ts). */
  readonly lives?: readonly LifeInput[];
  /** Per-op write needs for the capacity guard (capacity.ts). */
  readonly capacity?: CapacityInput;
  /** Per-op keys read missing, and the keys each op may end (absence.ts). */
  readonly absence?: AbsenceInput;
}

export class KeyGuards {
  private readonly guards: KeyGuard[];

  private constructor(guards: KeyGuard[]) {
    this.guards = guards;
  }

  /** `guards` and one more, already in step with the linearized set. */
  static with(guards: KeyGuards | null, guard: KeyGuard): KeyGuards {
    return new KeyGuards([...(guards?.guards ?? []), guard]);
  }

  /** The guards the inputs ask for, or null when there are none (they all need a model rank). */
  static of(inputs: KeyGuardInputs, hasRank: boolean): KeyGuards | null {
    if (!hasRank) return null;
    const guards: KeyGuard[] = [
      ...(inputs.lives ?? []).map((l) => new LifeGuard(l)),
      ...(inputs.capacity === undefined ? [] : [new CapacityGuard(inputs.capacity)]),
      ...(inputs.absence === undefined ? [] : [new AbsenceGuard(inputs.absence)]),
    ];
    return guards.length === 0 ? null : new KeyGuards(guards);
  }

  /** Op was linearized. */
  add(op: number): void {
    for (const g of this.guards) g.add(op);
  }

  /** Op's linearization was undone (reverse order of add). */
  remove(op: number): void {
    for (let i = this.guards.length - 1; i >= 0; i--) this.guards[i].remove(op);
  }

  /** Would linearizing `op`, reaching `after`, leave a configuration no guard rules out? */
  aliveAfter(op: number, after: number): boolean {
    for (const g of this.guards) {
      g.add(op);
      const alive = g.alive(after, op);
      g.remove(op);
      if (!alive) return false;
    }
    return true;
  }
}
