import { describe, expect, it } from 'vitest';
import { MvccStore, WatchHub, type Event, type WatchResponse } from '../../src/kv/index.js';
import { put, unwrap } from './helpers.js';

function recorder(): { resps: WatchResponse[]; events: () => Event[]; cb: (r: WatchResponse) => void } {
  const resps: WatchResponse[] = [];
  return { resps, events: () => resps.flatMap((r) => r.events), cb: (r) => resps.push(r) };
}

const summary = (evs: Event[]) => evs.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`);

describe('eventsSince', () => {
  it('returns events in revision order, sub-revision order inside a txn, filtered by range', () => {
    const s = new MvccStore();
    s.put({ key: 'b', value: '1' }); // 2
    unwrap(s.txn({ compare: [], success: [put('c', '1'), put('a', '1'), put('x', '1')], failure: [] })); // 3
    s.deleteRange({ key: 'a', rangeEnd: 'c' }); // 4: deletes a, b
    const all = s.eventsSince(1, '\0', '\0');
    expect(all.compacted).toBe(false);
    if (all.compacted) return;
    expect(summary(all.events)).toEqual(['PUT b@2', 'PUT c@3', 'PUT a@3', 'PUT x@3', 'DELETE a@4', 'DELETE b@4']);
    const del = all.events[4];
    expect(del.kv).toEqual({ key: 'a', value: '', createRevision: 0, modRevision: 4, version: 0, lease: 0 });
    expect(del.prevKv).toMatchObject({ key: 'a', value: '1', modRevision: 3 });
    const r = s.eventsSince(3, 'a', 'c');
    expect(!r.compacted && summary(r.events)).toEqual(['PUT a@3', 'DELETE a@4', 'DELETE b@4']);
    const future = s.eventsSince(5, '\0', '\0');
    expect(!future.compacted && future.events).toEqual([]);
  });

  it('reports compaction when start <= compact revision', () => {
    const s = new MvccStore();
    for (let i = 0; i < 5; i++) s.put({ key: 'k', value: String(i) }); // revs 2..6
    unwrap(s.compact(4));
    expect(s.eventsSince(4, 'k')).toEqual({ compacted: true, compactRevision: 4 });
    expect(s.eventsSince(1, 'k')).toEqual({ compacted: true, compactRevision: 4 });
    const r = s.eventsSince(5, 'k');
    expect(!r.compacted && summary(r.events)).toEqual(['PUT k@5', 'PUT k@6']);
    expect(!r.compacted && r.events[0].prevKv?.modRevision).toBe(4); // prev survives compaction
  });
});

describe('WatchHub', () => {
  it('catch-up then live events, no gaps, no duplicates, revisions never split', () => {
    const s = new MvccStore();
    const hub = new WatchHub(s);
    s.put({ key: 'a', value: '1' }); // 2
    s.put({ key: 'b', value: '1' }); // 3
    const rec = recorder();
    const w = hub.watch({ key: 'a', rangeEnd: '\0', startRevision: 2, prevKv: true }, rec.cb);
    expect(w).toEqual({ ok: true, watchId: 0 });
    expect(rec.resps[0]).toMatchObject({ watchId: 0, created: true, canceled: false, events: [] });
    expect(summary(rec.resps[1].events)).toEqual(['PUT a@2', 'PUT b@3']);
    unwrap(s.txn({ compare: [], success: [put('a', '2'), put('c', '1')], failure: [] })); // 4
    s.deleteRange({ key: 'zzz' }); // no-op, no event
    s.deleteRange({ key: 'a', rangeEnd: 'b' }); // 5
    expect(rec.resps.length).toBe(4);
    expect(summary(rec.resps[2].events)).toEqual(['PUT a@4', 'PUT c@4']);
    expect(rec.resps[2].header.revision).toBe(4);
    expect(rec.resps[3].events[0]).toMatchObject({ type: 'DELETE', prevKv: { value: '2', version: 2 } });
    const revs = rec.events().map((e) => e.kv.modRevision);
    expect(revs).toEqual([2, 3, 4, 4, 5]);
    // resume from last+1 with a new watch: exactly the remainder
    s.put({ key: 'd', value: '1' }); // 6
    const rec2 = recorder();
    hub.watch({ key: 'a', rangeEnd: '\0', startRevision: 5 }, rec2.cb);
    expect(summary(rec2.events())).toEqual(['DELETE a@5', 'PUT d@6']);
    expect(rec2.events()[0].prevKv).toBeUndefined(); // prevKv not requested
    expect(summary(rec.events()).slice(-1)).toEqual(['PUT d@6']);
  });

  it('a create event is a PUT with version 1; key filtering; start 0 means from now', () => {
    const s = new MvccStore();
    s.put({ key: 'k', value: 'old' });
    const hub = new WatchHub(s);
    const rec = recorder();
    hub.watch({ key: 'k' }, rec.cb);
    s.put({ key: 'other', value: '1' });
    s.deleteRange({ key: 'k' });
    s.put({ key: 'k', value: 'new' });
    const evs = rec.events();
    expect(summary(evs)).toEqual(['DELETE k@4', 'PUT k@5']);
    expect(evs[1].kv.version).toBe(1);
  });

  it('future start revision waits; cancel stops delivery; duplicate ids rejected', () => {
    const s = new MvccStore();
    const hub = new WatchHub(s);
    const rec = recorder();
    hub.watch({ key: 'k', startRevision: 4, watchId: 7 }, rec.cb);
    expect(hub.watch({ key: 'x', watchId: 7 }, () => {})).toMatchObject({ ok: false, error: { code: 'ErrWatcherDuplicateID' } });
    s.put({ key: 'k', value: '1' }); // 2
    s.put({ key: 'k', value: '2' }); // 3
    s.put({ key: 'k', value: '3' }); // 4
    expect(summary(rec.events())).toEqual(['PUT k@4']);
    expect(hub.cancel(7)).toBe(true);
    expect(hub.cancel(7)).toBe(false);
    s.put({ key: 'k', value: '4' });
    expect(rec.events().length).toBe(1);
  });

  it('a compacted start revision cancels the watch with compact_revision', () => {
    const s = new MvccStore();
    for (let i = 0; i < 4; i++) s.put({ key: 'k', value: String(i) }); // 2..5
    unwrap(s.compact(3));
    const hub = new WatchHub(s);
    const rec = recorder();
    const w = hub.watch({ key: 'k', startRevision: 3 }, rec.cb);
    expect(w.ok).toBe(true);
    expect(rec.resps.length).toBe(2);
    expect(rec.resps[1]).toMatchObject({
      canceled: true,
      compactRevision: 3,
      cancelReason: 'etcdserver: mvcc: required revision has been compacted',
    });
    expect(hub.size).toBe(0);
    s.put({ key: 'k', value: 'x' });
    expect(rec.resps.length).toBe(2);
    const ok = recorder();
    hub.watch({ key: 'k', startRevision: 4 }, ok.cb);
    expect(summary(ok.events())).toEqual(['PUT k@4', 'PUT k@5', 'PUT k@6']);
  });

  it('live watchers are unaffected by later compaction; close detaches', () => {
    const s = new MvccStore();
    const hub = new WatchHub(s);
    const rec = recorder();
    hub.watch({ key: 'a', rangeEnd: 'z' }, rec.cb);
    s.put({ key: 'b', value: '1' });
    unwrap(s.compact(2));
    s.put({ key: 'c', value: '1' });
    expect(summary(rec.events())).toEqual(['PUT b@2', 'PUT c@3']);
    hub.close();
    s.put({ key: 'd', value: '1' });
    expect(rec.events().length).toBe(2);
  });

  it('a callback may cancel another watch during delivery', () => {
    const s = new MvccStore();
    const hub = new WatchHub(s);
    const got: number[] = [];
    hub.watch({ key: 'k' }, (r) => {
      if (r.events.length > 0) {
        got.push(0);
        hub.cancel(1);
      }
    });
    hub.watch({ key: 'k' }, (r) => {
      if (r.events.length > 0) got.push(1);
    });
    s.put({ key: 'k', value: 'v' });
    expect(got).toEqual([0]);
  });
});
