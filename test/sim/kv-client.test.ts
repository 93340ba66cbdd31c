import { describe, expect, it } from 'vitest';
import { History } from '../../sim/history.js';
import { KvClient, type PlannedOp } from '../../sim/kv-client.js';
import type { ClientRequestPacket } from '../../sim/packets.js';
import { RandomStream } from '../../sim/random.js';
import { TraceRecorder } from '../../sim/trace.js';

/** One client on a hand-cranked clock: timers fire only when the test says so. */
function harness(planOp?: PlannedOp) {
  const sent: ClientRequestPacket[] = [];
  const timers: { at: number; token: number }[] = [];
  let now = 0;
  const put: PlannedOp = {
    f: 'put',
    key: 'k',
    value: { value: 'v' },
    request: { kind: 'put', req: { key: 'k', value: 'v' } },
    mayHaveEffect: true,
    complete: () => ({ type: 'ok', value: { value: 'v' } }),
  };
  let planned = false;
  const history = new History();
  const client = new KvClient({
    index: 0,
    address: 100,
    clients: 1,
    nodes: 3,
    timeoutMs: 500,
    thinkMs: 0,
    random: new RandomStream(1, 'client'),
    workload: { next: () => (planned ? null : ((planned = true), planOp ?? put)) },
    history,
    trace: new TraceRecorder('off'),
    now: () => now,
    send: (packet) => sent.push(packet),
    schedule: (delayMs, token) => timers.push({ at: now + delayMs, token }),
  });
  /** Fires every timer due by `time`, in order. */
  const advanceTo = (time: number) => {
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const due = timers[0];
      if (!due || due.at > time) break;
      timers.shift();
      now = due.at;
      client.wake(due.token);
    }
    now = time;
  };
  return { client, sent, advanceTo, history };
}

describe('simulated clients', () => {
  it('send a write once, even when an old backoff fires after the leader was found', () => {
    const { client, sent, advanceTo } = harness();
    client.start();
    advanceTo(1);
    expect(sent).toHaveLength(1);
    // No leader known: back off, and try the next server.
    client.receive(sent[0].requestId, { kind: 'notLeader', leader: 0 });
    advanceTo(100);
    expect(sent).toHaveLength(2);
    // That one knows no leader either; before its backoff fires, a reply names the leader.
    client.receive(sent[1].requestId, { kind: 'notLeader', leader: 0 });
    client.receive(sent[1].requestId, { kind: 'notLeader', leader: 3 });
    expect(sent).toHaveLength(3);
    expect(sent[2].to).toBe(3);
    // The stale backoff fires now: the write must not go out a second time.
    advanceTo(200);
    expect(sent).toHaveLength(3);
  });

  it('are not held between two servers that name each other: they try the next in turn', () => {
    const { client, sent, advanceTo } = harness();
    client.start();
    advanceTo(1);
    // A removed node hints at another removed node that knows no leader; the third server is live.
    const first = sent[0].to;
    const hinted = first === 1 ? 3 : first - 1;
    const live = 6 - first - hinted;
    // Fewer answers than the client's redirect limit: the operation stays open throughout.
    for (let answers = 1; answers <= 8 && sent.at(-1)!.to !== live; answers++) {
      const last = sent.at(-1)!;
      client.receive(last.requestId, { kind: 'notLeader', leader: last.to === first ? hinted : 0 });
      advanceTo(1 + 50 * answers);
    }
    expect(sent.at(-1)!.to).toBe(live);
    expect(sent.length).toBeLessThanOrEqual(4);
  });

  it('take a read\'s answer to an earlier send when every answer is slower than the resend interval', () => {
    const get: PlannedOp = {
      f: 'get',
      key: 'k',
      value: null,
      request: { kind: 'range', req: { key: 'k' } },
      mayHaveEffect: false,
      complete: () => ({ type: 'ok', value: 'v' }),
    };
    const { client, sent, advanceTo, history } = harness(get);
    client.start();
    advanceTo(1);
    advanceTo(250);
    // Resent twice by now; the first send's answer arrives only after that.
    expect(sent.length).toBeGreaterThanOrEqual(3);
    client.receive(sent[0].requestId, { kind: 'ok', response: { op: 'range', ok: true, response: { header: { revision: 1, raftTerm: 1 }, kvs: [], count: 0, more: false } } });
    // nemesis-hardened seed 100443 lost liveness when these were dropped: every read timed out.
    expect(history.events.map((e) => e.type)).toEqual(['invoke', 'ok']);
  });
});
