import { describe, expect, it } from 'vitest';
import { Lessor, MvccStore, WatchHub, type Event } from '../../src/kv/index.js';
import { errCode, put, unwrap } from './helpers.js';

describe('store leases', () => {
  it('grant: minTtl raises the TTL, duplicates and too-large TTLs fail, no revision bump', () => {
    const s = new MvccStore({ minTtl: 5 });
    expect(unwrap(s.leaseGrant(1, 2))).toEqual({ header: { revision: 1, raftTerm: 0 }, id: 1, ttl: 5 });
    expect(unwrap(s.leaseGrant(2, 60)).ttl).toBe(60);
    expect(errCode(s.leaseGrant(1, 10))).toBe('ErrLeaseExist');
    expect(errCode(s.leaseGrant(3, 9_000_000_001))).toBe('ErrLeaseTTLTooLarge');
    expect(errCode(s.leaseGrant(0, 10))).toBe('ErrLeaseNotFound');
    expect(s.leaseList()).toEqual([
      { id: 1, ttl: 5 },
      { id: 2, ttl: 60 },
    ]);
    expect(s.revision).toBe(1);
  });

  it('put with an unknown lease fails; attaching/moving/detaching keys', () => {
    const s = new MvccStore();
    const r = s.put({ key: 'a', value: '1', lease: 9 });
    expect(r.ok ? '' : r.error.message).toBe('etcdserver: requested lease not found');
    expect(s.revision).toBe(1);
    unwrap(s.leaseGrant(1, 10));
    unwrap(s.leaseGrant(2, 10));
    s.put({ key: 'b', value: '1', lease: 1 });
    s.put({ key: 'a', value: '1', lease: 1 });
    s.put({ key: 'c', value: '1', lease: 1 });
    expect(unwrap(s.leaseTimeToLive(1)).keys).toEqual(['a', 'b', 'c']);
    s.put({ key: 'c', value: '2', lease: 2 }); // moves
    s.put({ key: 'b', value: '2' }); // detaches
    expect(unwrap(s.leaseTimeToLive(1))).toMatchObject({ id: 1, grantedTtl: 10, keys: ['a'] });
    expect(unwrap(s.leaseTimeToLive(2)).keys).toEqual(['c']);
    s.deleteRange({ key: 'c' });
    expect(unwrap(s.leaseTimeToLive(2)).keys).toEqual([]);
    expect(unwrap(s.range({ key: 'a' })).kvs[0].lease).toBe(1);
  });

  it('revoke deletes every attached key in one revision (sorted order) and drops the lease', () => {
    const s = new MvccStore();
    unwrap(s.leaseGrant(7, 10));
    s.put({ key: 'z', value: '1', lease: 7 }); // 2
    unwrap(s.txn({ compare: [], success: [put('m', '1', 7), put('a', '1', 7), put('keep', '1')], failure: [] })); // 3
    const hub = new WatchHub(s);
    const evs: Event[] = [];
    hub.watch({ key: '\0', rangeEnd: '\0' }, (r) => evs.push(...r.events));
    const r = unwrap(s.leaseRevoke(7));
    expect(r.header.revision).toBe(4);
    expect(s.revision).toBe(4);
    expect(evs.map((e) => `${e.type} ${e.kv.key}@${e.kv.modRevision}`)).toEqual(['DELETE a@4', 'DELETE m@4', 'DELETE z@4']);
    expect(unwrap(s.range({ key: '\0', rangeEnd: '\0' })).kvs.map((kv) => kv.key)).toEqual(['keep']);
    expect(errCode(s.leaseRevoke(7))).toBe('ErrLeaseNotFound');
    expect(errCode(s.leaseTimeToLive(7))).toBe('ErrLeaseNotFound');
    // revoking a lease with no keys does not bump the revision
    unwrap(s.leaseGrant(8, 10));
    expect(unwrap(s.leaseRevoke(8)).header.revision).toBe(4);
  });
});

describe('Lessor', () => {
  it('expired() lists ids in ascending order at expiry <= now, only when primary', () => {
    const l = new Lessor();
    l.grant(30, 5, 0);
    l.grant(10, 5, 0);
    l.grant(20, 2, 0);
    expect(l.expired(1_000_000)).toEqual([]); // not primary: never expires
    l.promote(1000);
    expect(l.expired(2999)).toEqual([]);
    expect(l.expired(3000)).toEqual([20]);
    expect(l.expired(6000)).toEqual([10, 20, 30]);
    l.revoke(20);
    expect(l.expired(6000)).toEqual([10, 30]);
  });

  it('keepAlive returns the TTL and extends; expired or unknown leases are not found', () => {
    const l = new Lessor();
    l.promote(0);
    l.grant(1, 10, 0);
    l.grant(2, 10, 0);
    expect(l.keepAlive(1, 9000)).toEqual({ ok: true, value: 10 });
    expect(l.remainingTtl(1, 9000)).toBe(10);
    expect(l.remainingTtl(1, 9500)).toBe(9);
    expect(l.expired(10_000)).toEqual([2]);
    expect(l.keepAlive(2, 10_000)).toMatchObject({ ok: false, error: { code: 'ErrLeaseNotFound' } });
    expect(l.keepAlive(3, 0)).toMatchObject({ ok: false, error: { code: 'ErrLeaseNotFound' } });
    expect(l.remainingTtl(2, 10_000)).toBe(-1);
    expect(l.expired(19_000)).toEqual([1, 2]);
    l.demote();
    expect(l.keepAlive(1, 0)).toMatchObject({ ok: false, error: { code: 'ErrNotPrimary' } });
    expect(l.expired(1e12)).toEqual([]);
  });

  it('promote extends every lease to now + TTL', () => {
    const l = new Lessor();
    l.promote(0);
    l.grant(1, 3, 0);
    l.grant(2, 10, 0);
    expect(l.expired(3000)).toEqual([1]);
    l.demote();
    l.promote(50_000); // new leader term much later
    expect(l.expired(52_999)).toEqual([]);
    expect(l.expired(53_000)).toEqual([1]);
    expect(l.expired(60_000)).toEqual([1, 2]);
  });

  it('syncFromStore reconciles with the store lease table', () => {
    const s = new MvccStore();
    unwrap(s.leaseGrant(1, 5));
    unwrap(s.leaseGrant(2, 7));
    const l = new Lessor();
    l.grant(99, 5, 0);
    l.promote(0);
    l.syncFromStore(s, 1000);
    expect(l.has(99)).toBe(false);
    s.put({ key: 'k', value: 'v', lease: 2 });
    expect(unwrap(l.timeToLive(s, 2, 2500))).toEqual({
      header: { revision: 2, raftTerm: 0 },
      id: 2,
      ttl: 5,
      grantedTtl: 7,
      keys: ['k'],
    });
    expect(l.timeToLive(s, 42, 0)).toMatchObject({ ok: false, error: { code: 'ErrLeaseNotFound' } });
    expect(l.expired(6000)).toEqual([1]);
    expect(l.expired(8000)).toEqual([1, 2]);
  });
});
