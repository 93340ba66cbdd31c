/**
 * Every message a node sends is one hidden class (src/raft/wire.ts): same prototype, same
 * fields in the same order, whatever its kind. A message built as an object literal would
 * still work, and quietly make the simulator's hottest property reads megamorphic again.
 * What leaves the process, as JSON, is only the kind's own fields.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import type { Message } from '../../src/raft/types.js';
import { Network } from '../../sim/network.js';
import { isClientAddress, type Packet } from '../../sim/packets.js';
import { runScenario } from '../../sim/simulation.js';

function raftMessagesOf(scenario: string, seeds: number[]): Message[] {
  const send = vi.spyOn(Network.prototype, 'send');
  for (const seed of seeds) runScenario(findScenario(scenario)!, { seed, trace: 'off' });
  const packets = send.mock.calls.map(([packet]) => packet as Packet);
  return packets.filter((packet): packet is Message => !isClientAddress(packet.from) && !isClientAddress(packet.to));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the wire messages', () => {
  it('of every kind a hardened nemesis sends share one prototype and one field order', () => {
    const messages = raftMessagesOf('nemesis-hardened', [1, 2, 3]);
    const kinds = new Set(messages.map((m) => m.type));
    for (const kind of ['vote', 'voteResp', 'preVote', 'preVoteResp', 'app', 'appResp', 'heartbeat', 'heartbeatResp', 'readIndex', 'readIndexResp'] as const) {
      expect(kinds, kind).toContain(kind);
    }
    const prototype = Object.getPrototypeOf(messages[0]);
    const fields = Object.keys(messages[0]).join(',');
    for (const m of messages) {
      expect(Object.getPrototypeOf(m)).toBe(prototype);
      expect(Object.keys(m).join(',')).toBe(fields);
    }
  });

  it('carry only their own kind\'s fields in JSON', () => {
    const messages = raftMessagesOf('nemesis-hardened', [1]);
    const first = (type: Message['type']) => JSON.parse(JSON.stringify(messages.find((m) => m.type === type)));
    expect(Object.keys(first('heartbeat'))).toEqual(['type', 'from', 'to', 'term', 'commit', 'context']);
    expect(Object.keys(first('appResp'))).toEqual(['type', 'from', 'to', 'term', 'index', 'reject', 'hintIndex', 'hintTerm']);
    expect(Object.keys(first('preVote'))).toEqual(['type', 'from', 'to', 'term', 'lastIndex', 'lastTerm']);
  });
});
