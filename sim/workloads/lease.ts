import { errorCode, type PlannedOp, type Workload } from '../kv-client.js';
import type { RandomStream } from '../random.js';

export const LEASE_PREFIX = 'lease/';

/** What the lease check needs to know of each lease a client was granted. */
export interface LeaseRecord {
  readonly id: number;
  readonly ttlMs: number;
  /** Virtual ms of the last grant or keep-alive the client saw succeed. */
  lastRenewedAt: number;
  /** When that successful grant or keep-alive was sent: the lease lives at least until this + TTL. */
  renewalSentAt: number;
  readonly keys: string[];
}

interface ClientLease {
  record: LeaseRecord | null;
  keysLeft: number;
  keepAlivesLeft: number;
}

/**
 * Each client takes a lease, attaches a few keys to it, keeps it alive a few times,
 * then lets it go, over and over. Every lease let go must expire on every replica,
 * taking its keys with it; leases kept alive must not. The workload records what the
 * lease check needs in `leases`.
 */
export function leaseWorkload(ttlSeconds: number, keysPerLease: number, now: () => number): Workload & { leases: LeaseRecord[] } {
  const leases: LeaseRecord[] = [];
  const clients = new Map<number, ClientLease>();
  const stateOf = (client: number) => {
    let state = clients.get(client);
    if (!state) {
      state = { record: null, keysLeft: 0, keepAlivesLeft: 0 };
      clients.set(client, state);
    }
    return state;
  };

  function grant(state: ClientLease, random: RandomStream): PlannedOp {
    const sentAt = now();
    return {
      f: 'grant',
      value: ttlSeconds,
      request: { kind: 'leaseGrant', ttl: ttlSeconds },
      mayHaveEffect: true,
      complete(reply) {
        if (reply.kind !== 'ok' || reply.response.op !== 'leaseGrant' || !reply.response.ok) return { type: 'fail', value: ttlSeconds, error: errorCode(reply) };
        const { id, ttl } = reply.response.response;
        state.record = { id, ttlMs: ttl * 1000, lastRenewedAt: now(), renewalSentAt: sentAt, keys: [] };
        state.keysLeft = keysPerLease;
        state.keepAlivesLeft = random.int(0, 3);
        leases.push(state.record);
        return { type: 'ok', value: { id, ttl } };
      },
    };
  }

  function attach(record: LeaseRecord, key: string): PlannedOp {
    return {
      f: 'put',
      key,
      value: { value: 'x', lease: record.id },
      request: { kind: 'put', req: { key, value: 'x', lease: record.id } },
      mayHaveEffect: true,
      complete(reply) {
        if (reply.kind !== 'ok') return { type: 'fail', value: { value: 'x', lease: record.id }, error: errorCode(reply) };
        return { type: 'ok', value: { value: 'x', lease: record.id } };
      },
    };
  }

  function keepAlive(record: LeaseRecord): PlannedOp {
    const sentAt = now();
    return {
      f: 'keepalive',
      value: record.id,
      request: { kind: 'leaseKeepAlive', id: record.id },
      mayHaveEffect: true,
      complete(reply) {
        if (reply.kind !== 'keepAlive') return { type: 'fail', value: record.id, error: errorCode(reply) };
        record.lastRenewedAt = now();
        record.renewalSentAt = sentAt;
        return { type: 'ok', value: record.id };
      },
    };
  }

  return {
    leases,
    next(client: number, random: RandomStream): PlannedOp {
      const state = stateOf(client);
      const record = state.record;
      if (!record) return grant(state, random);
      if (state.keysLeft > 0) {
        state.keysLeft--;
        const key = `${LEASE_PREFIX}${record.id}/${record.keys.length}`;
        record.keys.push(key);
        return attach(record, key);
      }
      if (state.keepAlivesLeft > 0) {
        state.keepAlivesLeft--;
        return keepAlive(record);
      }
      state.record = null;
      return grant(state, random);
    },
  };
}
