import type { Model } from '../types.js';
import type { StateIndex } from '../state.js';

/** Something on the timeline a user can point at. */
export type Item =
  | { readonly kind: 'message'; readonly row: number }
  | { readonly kind: 'op'; readonly index: number }
  | { readonly kind: 'band'; readonly index: number }
  | { readonly kind: 'down'; readonly index: number }
  | { readonly kind: 'partition'; readonly index: number }
  | { readonly kind: 'network'; readonly index: number }
  | { readonly kind: 'clock'; readonly index: number }
  | { readonly kind: 'clog'; readonly index: number }
  | { readonly kind: 'marker'; readonly index: number }
  | { readonly kind: 'member'; readonly index: number }
  | { readonly kind: 'conf'; readonly index: number }
  | { readonly kind: 'transfer'; readonly index: number }
  | { readonly kind: 'laneMark'; readonly index: number };

export function sameItem(a: Item | null, b: Item | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind) return false;
  return (a.kind === 'message' ? a.row : a.index) === (b.kind === 'message' ? (b as { row: number }).row : (b as { index: number }).index);
}

export type Change = 'cursor' | 'view' | 'filters' | 'selection' | 'hover' | 'play';

/**
 * The viewer's mutable state in one place. Layers subscribe and redraw on the
 * changes they care about; nothing else holds state, so keyboard, toolbar and
 * mouse all drive the same thing.
 */
export class Store {
  cursor = 0;
  domain: [number, number];
  readonly hiddenTypes = new Set<string>();
  readonly hiddenNodes = new Set<number>();
  selection: Item | null = null;
  hover: Item | null = null;
  playing = false;
  /** Virtual milliseconds per wall-clock second while playing. */
  speed = 100;
  private readonly listeners: ((changes: ReadonlySet<Change>) => void)[] = [];
  private pending = new Set<Change>();
  private scheduled = false;

  constructor(
    readonly model: Model,
    readonly states: StateIndex,
    readonly meta: { title: string; command: string },
  ) {
    this.domain = [model.start, model.end];
  }

  subscribe(listener: (changes: ReadonlySet<Change>) => void): void {
    this.listeners.push(listener);
  }

  /** Coalesces changes into one redraw per animation frame. */
  notify(change: Change): void {
    this.pending.add(change);
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.flush());
  }

  /** Redraws now; tests and the first paint need a settled page. */
  flush(): void {
    this.scheduled = false;
    const changes = this.pending;
    this.pending = new Set();
    if (changes.size === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  setCursor(t: number): void {
    const clamped = Math.max(this.model.start, Math.min(this.model.end, t));
    if (clamped === this.cursor) return;
    this.cursor = clamped;
    this.notify('cursor');
  }

  select(item: Item | null): void {
    if (sameItem(item, this.selection)) return;
    this.selection = item;
    this.notify('selection');
  }

  setHover(item: Item | null): void {
    if (sameItem(item, this.hover)) return;
    this.hover = item;
    this.notify('hover');
  }

  typeVisible(type: string): boolean {
    return !this.hiddenTypes.has(type);
  }
}
