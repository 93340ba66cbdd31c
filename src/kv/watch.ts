/**
 * WatchHub: etcd-style watches on an MvccStore.
 *
 * Delivery is synchronous: on creation the callback receives a `created`
 * response, then (if any) one response holding every historical event from
 * startRevision up to the current revision; afterwards it receives one
 * response per committed revision that touches its range, during the write
 * that produced it. Events are in revision order, with no gaps or duplicates,
 * and a revision's events are never split across responses.
 *
 * A watch whose start revision has been compacted (startRevision <=
 * compactRevision) is created and then immediately cancelled with
 * compactRevision set, as etcd does.
 *
 * Callbacks must not write to the store synchronously.
 */
import { kvError } from './errors.js';
import { keyInRange } from './keyIndex.js';
import type { MvccStore } from './store.js';
import type { Event, KvError, ResponseHeader, Revision } from './types.js';

export interface WatchCreateRequest {
  key: string;
  /** undefined/"" = single key; "\0" = all keys >= key; else [key, rangeEnd). */
  rangeEnd?: string;
  /** First revision to deliver; 0/undefined = current revision + 1. */
  startRevision?: Revision;
  /** Include prevKv in events. */
  prevKv?: boolean;
  /** Explicit watch id; default: the next free id (starting at 0). */
  watchId?: number;
}

export interface WatchResponse {
  header: ResponseHeader;
  watchId: number;
  created: boolean;
  canceled: boolean;
  /** Set (non-zero) when the watch was cancelled because its start was compacted. */
  compactRevision: Revision;
  cancelReason: string;
  events: Event[];
}

export type WatchCallback = (resp: WatchResponse) => void;

export type WatchCreateResult = { ok: true; watchId: number } | { ok: false; error: KvError };

interface Watcher {
  id: number;
  key: string;
  rangeEnd: string | undefined;
  /** First revision this watcher wants (events below it are skipped). */
  startRev: Revision;
  prevKv: boolean;
  cb: WatchCallback;
}

function stripPrev(ev: Event): Event {
  return ev.prevKv === undefined ? ev : { type: ev.type, kv: ev.kv };
}

export class WatchHub {
  private readonly watchers = new Map<number, Watcher>();
  private nextId = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly store: MvccStore) {
    this.unsubscribe = store.subscribe((events) => this.onCommit(events));
  }

  /** Number of active watches. */
  get size(): number {
    return this.watchers.size;
  }

  private response(watchId: number, events: Event[], extra: Partial<WatchResponse> = {}): WatchResponse {
    return {
      header: { revision: this.store.revision, raftTerm: 0 },
      watchId,
      created: false,
      canceled: false,
      compactRevision: 0,
      cancelReason: '',
      events,
      ...extra,
    };
  }

  private select(w: Watcher, events: readonly Event[]): Event[] {
    const out: Event[] = [];
    for (const ev of events) {
      if (ev.kv.modRevision < w.startRev || !keyInRange(ev.kv.key, w.key, w.rangeEnd)) continue;
      out.push(w.prevKv ? ev : stripPrev(ev));
    }
    return out;
  }

  /** Create a watch; the callback is invoked synchronously for the catch-up. */
  watch(req: WatchCreateRequest, cb: WatchCallback): WatchCreateResult {
    let id = req.watchId;
    if (id === undefined) {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    } else if (this.watchers.has(id)) {
      return { ok: false, error: kvError('ErrWatcherDuplicateID') };
    }
    const start = req.startRevision !== undefined && req.startRevision > 0 ? req.startRevision : this.store.revision + 1;
    cb(this.response(id, [], { created: true }));
    const hist = this.store.eventsSince(start, req.key, req.rangeEnd);
    if (hist.compacted) {
      cb(
        this.response(id, [], {
          canceled: true,
          compactRevision: hist.compactRevision,
          cancelReason: kvError('ErrCompacted').message,
        }),
      );
      return { ok: true, watchId: id };
    }
    const w: Watcher = {
      id,
      key: req.key,
      rangeEnd: req.rangeEnd,
      startRev: start,
      prevKv: req.prevKv === true,
      cb,
    };
    this.watchers.set(id, w);
    const events = w.prevKv ? hist.events : hist.events.map(stripPrev);
    if (events.length > 0) cb(this.response(id, events));
    return { ok: true, watchId: id };
  }

  /** Cancel a watch; returns false if it does not exist. No callback is made. */
  cancel(watchId: number): boolean {
    return this.watchers.delete(watchId);
  }

  /** Cancel every watch and detach from the store. */
  close(): void {
    this.watchers.clear();
    this.unsubscribe();
  }

  private onCommit(events: readonly Event[]): void {
    for (const w of [...this.watchers.values()]) {
      if (this.watchers.get(w.id) !== w) continue; // cancelled by an earlier callback
      const sel = this.select(w, events);
      if (sel.length > 0) w.cb(this.response(w.id, sel));
    }
  }
}
