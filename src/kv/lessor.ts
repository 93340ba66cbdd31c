/**
 * Lessor: tracks lease expiry on a virtual clock (milliseconds). It is local,
 * non-replicated state: every replica may feed it the applied grants/revokes,
 * but only the primary (the current Raft leader) has finite expiries. The
 * leader polls `expired(nowMs)` and proposes `leaseRevoke` through Raft, so
 * every replica's MvccStore applies the same deletions.
 *
 * Non-primary lessors hold every lease with an infinite expiry (as etcd does);
 * `promote(nowMs)` gives each lease a fresh expiry of now + TTL.
 */
import { kvError } from './errors.js';
import type { MvccStore } from './store.js';
import type { KvError, KvResult, LeaseId, LeaseTimeToLiveResponse } from './types.js';

/** etcd's LeaseTimeToLiveResponse: store data plus the remaining TTL (-1 if expired). */
export interface LeaseTimeToLiveWithTtl extends LeaseTimeToLiveResponse {
  ttl: number;
}

export type LessorResult<T> = { ok: true; value: T } | { ok: false; error: KvError };

interface LessorLease {
  ttl: number;
  /** Virtual time (ms) at which the lease expires; Infinity when not primary. */
  expiryMs: number;
}

export class Lessor {
  private readonly leases = new Map<LeaseId, LessorLease>();
  private isPrimary = false;

  /** True between promote() and demote(). */
  get primary(): boolean {
    return this.isPrimary;
  }

  /** Record a granted lease (call when a leaseGrant is applied); `ttl` is the granted TTL in seconds. */
  grant(id: LeaseId, ttl: number, nowMs: number): void {
    this.leases.set(id, { ttl, expiryMs: this.isPrimary ? nowMs + ttl * 1000 : Infinity });
  }

  /** Forget a lease (call when a leaseRevoke is applied). */
  revoke(id: LeaseId): void {
    this.leases.delete(id);
  }

  has(id: LeaseId): boolean {
    return this.leases.has(id);
  }

  /**
   * Renew a lease: expiry = now + TTL. Returns the TTL in seconds.
   * ErrNotPrimary when not the leader; ErrLeaseNotFound when unknown or
   * already expired (it is awaiting revocation).
   */
  keepAlive(id: LeaseId, nowMs: number): LessorResult<number> {
    if (!this.isPrimary) return { ok: false, error: kvError('ErrNotPrimary') };
    const l = this.leases.get(id);
    if (l === undefined || l.expiryMs <= nowMs) return { ok: false, error: kvError('ErrLeaseNotFound') };
    l.expiryMs = nowMs + l.ttl * 1000;
    return { ok: true, value: l.ttl };
  }

  /**
   * Remaining TTL in whole seconds (truncated, as etcd), -1 if the lease is
   * unknown or expired. A non-primary lessor reports the granted TTL.
   */
  remainingTtl(id: LeaseId, nowMs: number): number {
    const l = this.leases.get(id);
    if (l === undefined) return -1;
    if (l.expiryMs === Infinity) return l.ttl;
    const ms = l.expiryMs - nowMs;
    return ms <= 0 ? -1 : Math.floor(ms / 1000);
  }

  /** TimeToLive as etcd answers it: granted TTL and keys from the store, remaining TTL from here. */
  timeToLive(store: MvccStore, id: LeaseId, nowMs: number): KvResult<LeaseTimeToLiveWithTtl> {
    const r = store.leaseTimeToLive(id);
    if (!r.ok) return r;
    return { ok: true, response: { ...r.response, ttl: this.remainingTtl(id, nowMs) } };
  }

  /**
   * Ids of leases with expiry <= nowMs, ascending. Empty when not primary.
   * Expired leases stay listed until revoke(id) is called (i.e. until the
   * leader's proposed revoke is applied), so callers may re-propose.
   */
  expired(nowMs: number): LeaseId[] {
    if (!this.isPrimary) return [];
    const out: LeaseId[] = [];
    for (const [id, l] of this.leases) if (l.expiryMs <= nowMs) out.push(id);
    return out.sort((a, b) => a - b);
  }

  /** Become primary: every lease expires at now + its TTL. */
  promote(nowMs: number): void {
    this.isPrimary = true;
    for (const l of this.leases.values()) l.expiryMs = nowMs + l.ttl * 1000;
  }

  /** Stop being primary: expiries become infinite. */
  demote(): void {
    this.isPrimary = false;
    for (const l of this.leases.values()) l.expiryMs = Infinity;
  }

  /**
   * Reconcile with the store's lease table (e.g. after a snapshot restore):
   * unknown leases are added (with a fresh expiry if primary), leases no
   * longer in the store are dropped, existing expiries are kept.
   */
  syncFromStore(store: MvccStore, nowMs: number): void {
    const inStore = store.leaseList();
    const ids = new Set<LeaseId>();
    for (const { id, ttl } of inStore) {
      ids.add(id);
      const l = this.leases.get(id);
      if (l === undefined) this.grant(id, ttl, nowMs);
      else l.ttl = ttl;
    }
    for (const id of [...this.leases.keys()]) if (!ids.has(id)) this.leases.delete(id);
  }
}
