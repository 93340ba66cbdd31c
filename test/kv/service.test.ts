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
