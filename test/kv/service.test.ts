import { describe, expect, it } from 'vitest';
import type { KvReply } from '../../src/kv/protocol.js';
import { KvService } from '../../src/kv/service.js';

/** A service on a node that leads term 1 and logs what it proposes; the test applies entries. */
function leaderService() {
  let now = 0;
  const proposed: string[] = [];
  const replies: { client: number; reply: KvReply }[] = [];
  const service = new KvService({
    raft: {
      id: 1,
      role: () => 'leader',
      term: () => 1,
      leader: () => 1,
      propose: (data) => {
        proposed.push(data);
        return { kind: 'appended', index: proposed.length, term: 1 };
      },
      readIndex: () => true,
    },
    reply: (client, _requestId, reply) => replies.push({ client, reply }),
    now: () => now,
    incarnation: 0,
  });
  const apply = (i: number) => service.apply({ index: i + 1, term: 1, data: proposed[i] });
  return { service, proposed, replies, apply, setNow: (t: number) => (now = t) };
}

describe('the KV service', () => {
  it('answers the client whose proposal it applies', () => {
    const { service, replies, apply } = leaderService();
    service.handle(100, 1, { kind: 'put', req: { key: 'k', value: 'v' } });
    apply(0);
    expect(replies).toEqual([{ client: 100, reply: expect.objectContaining({ kind: 'ok' }) }]);
  });

  it('forgets a proposal that never applied, after a while, so a long-running server does not leak', () => {
    const { service, replies, apply, setNow } = leaderService();
    service.handle(100, 1, { kind: 'put', req: { key: 'k', value: 'v' } });
    setNow(29_000);
    service.tick();
    setNow(31_000);
    service.tick();
    // Applied at last (a lost proposal would never be): nobody is waiting any more.
    apply(0);
    expect(replies).toEqual([]);
  });
});

describe('the KV service snapshot', () => {
  it('a replica restored from a snapshot holds exactly its keys and leases (with their keys), and its watchers get the events they missed', () => {
    const leader = leaderService();
    leader.service.handle(100, 1, { kind: 'leaseGrant', ttl: 5 });
    leader.apply(0);
    const grant = leader.replies[0].reply;
    if (grant.kind !== 'ok' || grant.response.op !== 'leaseGrant' || !grant.response.ok) throw new Error('no lease granted');
    const lease = grant.response.response.id;
    leader.service.handle(100, 2, { kind: 'put', req: { key: 'a', value: '1', lease } });
    leader.service.handle(100, 3, { kind: 'put', req: { key: 'b', value: '2' } });
    leader.apply(1);
    leader.apply(2);
    const data = leader.service.snapshot();

    // The replica applied a prefix of the same log (the grant), then falls behind.
    const replica = leaderService();
    replica.service.apply({ index: 1, term: 1, data: leader.proposed[0] });
    replica.service.handle(200, 1, { kind: 'watchCreate', req: { key: 'a', rangeEnd: 'c', startRevision: 0 } });
    replica.replies.length = 0;
    replica.service.restore(data, 3);

    expect(replica.service.appliedIndex).toBe(3);
    expect(replica.service.snapshot()).toBe(data);
    expect(replica.service.store.range({ key: 'b' })).toMatchObject({ ok: true, response: { kvs: [{ value: '2' }] } });
    expect(replica.service.store.leaseTimeToLive(lease)).toMatchObject({ ok: true, response: { keys: ['a'] } });
    const watched = replica.replies.flatMap(({ reply }) => (reply.kind === 'watch' ? reply.response.events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value}`) : []));
    expect(watched).toEqual(['PUT a=1', 'PUT b=2']);
  });
});
