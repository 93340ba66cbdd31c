import { describe, expect, it } from 'vitest';
import { KvService } from '../../src/kv/service.js';
import { MvccStore } from '../../src/kv/store.js';
import type { HistoryEvent } from '../../sim/history.js';
import { checkBank, checkLeases, checkLinearizability, checkWatchers, linearizabilityFailure } from '../../sim/kv-checks.js';
import type { WatchClient } from '../../sim/watch-client.js';
import type { LeaseRecord } from '../../sim/workloads/lease.js';
import { findScenario } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';

let op = 0;
const ev = (process: number, type: HistoryEvent['type'], f: string, value: unknown, time: number, key?: string): HistoryEvent => ({
  process,
  type,
  f,
  value,
  time,
  op: type === 'invoke' ? ++op : op,
  ...(key === undefined ? {} : { key }),
});

describe('bank check', () => {
  it('accepts reads that see all accounts summing to the total, or none', () => {
    const history = [ev(0, 'ok', 'read', {}, 1), ev(0, 'ok', 'read', { 'acct/0': 150, 'acct/1': 50 }, 2)];
    expect(checkBank(history, 2)).toEqual([]);
  });

  it('flags a read whose balances do not add up', () => {
    const history = [ev(0, 'ok', 'read', { 'acct/0': 150, 'acct/1': 60 }, 2)];
    expect(checkBank(history, 2)[0].invariant).toBe('bank');
  });

  it('flags a read that sees only some accounts', () => {
    expect(checkBank([ev(0, 'ok', 'read', { 'acct/0': 100 }, 2)], 2)[0].message).toMatch(/saw 1 of 2 accounts/);
  });
});

describe('linearizability check of a run history', () => {
  it('names the stale read that cannot be placed', () => {
    const history = [
      ev(0, 'invoke', 'write', 1, 1, 'r0'),
      ev(0, 'ok', 'write', 1, 2, 'r0'),
      ev(1, 'invoke', 'read', null, 3, 'r0'),
      ev(1, 'ok', 'read', null, 4, 'r0'),
    ];
    const report = checkLinearizability({ type: 'register', clients: 2, thinkMs: 0, timeoutMs: 1, keys: 1, hotKeyShare: 0 }, history, 1000);
    expect(report?.verdict).toBe('not-linearizable');
    expect(report?.counterexample?.impossible).toContain(history[2].op);
  });

  it('says in one line which op to look at, by the run\'s own op ids', () => {
    const register = { type: 'register', clients: 6, thinkMs: 0, timeoutMs: 1, keys: 1, hotKeyShare: 0 } as const;
    const stale = [ev(0, 'invoke', 'write', 1, 1, 'r0'), ev(0, 'ok', 'write', 1, 2, 'r0'), ev(1, 'invoke', 'read', null, 3, 'r0'), ev(1, 'ok', 'read', null, 4, 'r0')];
    const one = linearizabilityFailure(checkLinearizability(register, stale, 1000)!, stale);
    expect(one.message).toBe(`history is not linearizable (register model) on key r0: after 1 linearized ops no op can come next: op ${stale[2].op} (read null) returned first, so it had to, but cannot`);
    expect(one.time).toBe(3);
    // Five reads of a value nobody wrote: the first to return is named, the rest counted.
    const reads = [1, 2, 3, 4, 5].map((process) => ev(process, 'invoke', 'read', null, 3, 'r0'));
    const answers = [5, 1, 4, 2, 3].map((process, i) => ev(process, 'ok', 'read', 7, 10 + i, 'r0'));
    const many = [...stale.slice(0, 2), ...reads, ...answers];
    const failure = linearizabilityFailure(checkLinearizability(register, many, 1000)!, many);
    expect(failure.message).toMatch(new RegExp(`no op can come next: op ${reads[4].op} \\(read 7\\) returned first, so it had to, but cannot; nor can any of the 4 others \\(op \\d+, op \\d+, op \\d+, op \\d+, …\\)$`));
  });

  it('accepts a write whose outcome is unknown as either happened or not', () => {
    const history = [
      ev(0, 'invoke', 'write', 1, 1, 'r0'),
      ev(0, 'info', 'write', null, 2, 'r0'),
      ev(1, 'invoke', 'read', null, 3, 'r0'),
      ev(1, 'ok', 'read', 1, 4, 'r0'),
      ev(1, 'invoke', 'read', null, 5, 'r0'),
      ev(1, 'ok', 'read', 1, 6, 'r0'),
    ];
    expect(checkLinearizability({ type: 'register', clients: 2, thinkMs: 0, timeoutMs: 1, keys: 1, hotKeyShare: 0 }, history, 1000)?.verdict).toBe('linearizable');
  });
});

function watcher(seen: { revision: number; type: 'PUT' | 'DELETE'; key: string; value: string }[]): WatchClient {
  return { seen, problems: [], startRevision: 1, address: 200 } as unknown as WatchClient;
}

describe('watch check', () => {
  const store = new MvccStore();
  store.put({ key: 'w/a', value: '1' });
  store.put({ key: 'w/b', value: '2' });
  store.deleteRange({ key: 'w/a' });

  it('accepts exactly the store’s events, up to the last one seen', () => {
    const w = watcher([
      { revision: 2, type: 'PUT', key: 'w/a', value: '1' },
      { revision: 3, type: 'PUT', key: 'w/b', value: '2' },
    ]);
    expect(checkWatchers([w], store)).toEqual([]);
  });

  it('flags a gap', () => {
    const w = watcher([
      { revision: 2, type: 'PUT', key: 'w/a', value: '1' },
      { revision: 4, type: 'DELETE', key: 'w/a', value: '' },
    ]);
    expect(checkWatchers([w], store)[0].message).toMatch(/expected PUT w\/b=2 at revision 3/);
  });

  it('flags an event with the wrong value', () => {
    const w = watcher([{ revision: 2, type: 'PUT', key: 'w/a', value: 'other' }]);
    expect(checkWatchers([w], store)[0].invariant).toBe('watch');
  });

  it('reports what the watcher noticed itself', () => {
    const w = watcher([]);
    w.problems.push('event PUT w/a=1 at revision 2 arrived twice');
    expect(checkWatchers([w], store)[0].message).toMatch(/arrived twice/);
  });
});

describe('lease check', () => {
  const makeReplica = (leaseIds: number[], revokedAt: [number, number][] = []) => {
    const service = new KvService({
      raft: { id: 1, role: () => 'follower', term: () => 1, leader: () => 0, propose: () => ({ kind: 'dropped', reason: 'no leader' }), readIndex: () => false },
      reply: () => {},
      now: () => 0,
      incarnation: 0,
    });
    for (const id of leaseIds) service.store.leaseGrant(id, 1);
    for (const [id, at] of revokedAt) service.leaseRevokedAt.set(id, at);
    return { id: 1, service };
  };
  const lease: LeaseRecord = { id: 7, ttlMs: 1000, lastRenewedAt: 1000, renewalSentAt: 990, keys: [] };
  const ctx = { lastLeaderChangeAt: 0, now: 5000, slackMs: 400, drift: 1 };

  it('accepts a lease revoked after its TTL', () => {
    expect(checkLeases([lease], { ...ctx, replicas: [makeReplica([], [[7, 2100]])] })).toEqual([]);
  });

  it('flags a lease that outlived its TTL', () => {
    expect(checkLeases([lease], { ...ctx, replicas: [makeReplica([7])] })[0].message).toMatch(/still holds lease 7/);
  });

  it('does not expect expiry while a leader change has restarted the TTL', () => {
    expect(checkLeases([lease], { ...ctx, lastLeaderChangeAt: 4000, replicas: [makeReplica([7])] })).toEqual([]);
  });

  it('flags a lease revoked before its TTL ran out', () => {
    expect(checkLeases([lease], { ...ctx, replicas: [makeReplica([], [[7, 1500]])] })[0].message).toMatch(/before its 1000 ms TTL/);
  });

  it('allows for the run\'s clock drift, both ways, and no more', () => {
    // A leader clock at twice the speed expires a lease in half the time; at half speed, in twice.
    expect(checkLeases([lease], { ...ctx, drift: 2, replicas: [makeReplica([], [[7, 1500]])] })).toEqual([]);
    expect(checkLeases([lease], { ...ctx, drift: 2, replicas: [makeReplica([], [[7, 1400]])] })[0].message).toMatch(/before its 1000 ms TTL/);
    expect(checkLeases([lease], { ...ctx, now: 3300, drift: 2, replicas: [makeReplica([7])] })).toEqual([]);
    expect(checkLeases([lease], { ...ctx, now: 3500, drift: 2, replicas: [makeReplica([7])] })[0].message).toMatch(/still holds lease 7/);
  });
});

describe('the time a run spends checking its history', () => {
  it('is part of its wall time, and nothing without clients', () => {
    const withClients = runScenario(findScenario('flaky-network')!, { seed: 1, trace: 'off' });
    expect(withClients.linearizability?.verdict).toBe('linearizable');
    expect(withClients.stats.checkMs).toBeGreaterThan(0);
    expect(withClients.stats.checkMs).toBeLessThanOrEqual(withClients.stats.wallMs);
    const raftAlone = runScenario(findScenario('crash-storm')!, { seed: 1, trace: 'off' });
    expect(raftAlone.linearizability).toBeNull();
    expect(raftAlone.stats.checkMs).toBeLessThan(1);
  });
});
