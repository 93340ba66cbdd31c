import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MvccStore } from '../../src/kv/store.js';
import { bootstrapConf, changeConf, encodeConfChange } from '../../src/raft/membership.js';
import type { ConfChange, ConfState } from '../../src/raft/types.js';
import { Member } from '../../src/server/member.js';
import { addContext, MemberTable, snapshotWithTable, splitSnapshot, updateContext, type MemberTableState } from '../../src/server/member-table.js';
import { parseMessageBatch } from '../../src/server/peer-messages.js';
import { PeerTransport, REMOVED_STATUS } from '../../src/server/peer-transport.js';
import { Snapshotter } from '../../src/server/snap.js';
import { readWalIdentity, Wal, WalError, type WalIdentity } from '../../src/server/wal.js';
import { waitFor } from './harness.js';

const three: MemberTableState = {
  members: [1, 2, 3].map((id) => ({ id, name: `n${id}`, peerUrl: `http://127.0.0.1:${id}2380`, learner: false })),
  removed: [],
};
const add = (id: number, learner = false): ConfChange => ({
  changes: [{ type: learner ? 'add-learner' : 'add-voter', node: id }],
  context: addContext(`n${id}`, `http://127.0.0.1:${id}2380`),
});

describe('the member table follows the applied conf changes', () => {
  it('learns an added member from the change\'s context, promotes it, and forgets a removed one', () => {
    const table = new MemberTable(three);
    table.apply(add(4, true), true);
    expect(table.get(4)).toEqual({ id: 4, name: 'n4', peerUrl: 'http://127.0.0.1:42380', learner: true });
    table.apply({ changes: [{ type: 'add-voter', node: 4 }] }, true);
    expect(table.get(4)?.learner).toBe(false);
    table.apply({ changes: [{ type: 'remove', node: 1 }] }, true);
    expect(table.list().map((m) => m.id)).toEqual([2, 3, 4]);
    expect(table.wasRemoved(1)).toBe(true);
  });

  it('moves an updated member to its new peer URL, and nothing else about it', () => {
    const table = new MemberTable(three);
    table.apply(add(4, true), true);
    table.apply({ changes: [{ type: 'update', node: 4 }], context: updateContext('http://127.0.0.1:9999') }, true);
    expect(table.get(4)).toEqual({ id: 4, name: 'n4', peerUrl: 'http://127.0.0.1:9999', learner: true });
    // An update without a usable context, or of a member no longer there, changes nothing.
    table.apply({ changes: [{ type: 'update', node: 2 }], context: 'not json' }, true);
    table.apply({ changes: [{ type: 'update', node: 2 }] }, true);
    table.apply({ changes: [{ type: 'remove', node: 3 }] }, true);
    table.apply({ changes: [{ type: 'update', node: 3 }], context: updateContext('http://127.0.0.1:8888') }, true);
    expect(table.get(2)).toEqual(three.members[1]);
    expect(table.has(3)).toBe(false);
    expect(table.byPeerUrl('http://127.0.0.1:8888')).toBeUndefined();
  });

  it('never gives a removed member\'s id to a new one', () => {
    const table = new MemberTable(three);
    table.apply({ changes: [{ type: 'remove', node: 3 }] }, true);
    expect(table.nextId()).toBe(4);
  });

  it('leaves the table alone for a change Raft refused on apply', () => {
    const table = new MemberTable(three);
    table.apply(add(4), false);
    table.apply({ changes: [{ type: 'remove', node: 1 }] }, false);
    expect(table.state()).toEqual(three);
  });

  it('always names exactly the members of the configuration Raft applied, whatever the changes', () => {
    // Changes as the server proposes them (add a new id, promote, remove), some of which Raft's
    // rules refuse on apply (removing the last voter, say): the table must follow Raft, not the request.
    const step = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), learner: fc.boolean() }),
      fc.record({ kind: fc.constantFrom('promote' as const, 'remove' as const), pick: fc.nat({ max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        const table = new MemberTable(three);
        let conf: ConfState = bootstrapConf([1, 2, 3]);
        for (const s of steps) {
          const members = table.list();
          let cc: ConfChange;
          if (s.kind === 'add') cc = add(table.nextId(), s.learner);
          else if (members.length === 0) continue;
          else cc = { changes: [{ type: s.kind === 'promote' ? 'add-voter' : 'remove', node: members[s.pick % members.length].id }] };
          const outcome = changeConf(conf, cc);
          table.apply(cc, !('error' in outcome));
          if (!('error' in outcome)) conf = outcome.conf;
          expect(table.list().filter((m) => !m.learner).map((m) => m.id)).toEqual(conf.voters);
          expect(table.list().filter((m) => m.learner).map((m) => m.id)).toEqual(conf.learners);
        }
      }),
    );
  });

  it('rides in a snapshot beside the store, and a snapshot from before it holds the store alone', () => {
    const store = '{"revision":7}\nsecond line';
    expect(splitSnapshot(snapshotWithTable(three, store))).toEqual({ table: three, store });
    expect(splitSnapshot(store)).toEqual({ table: undefined, store });
    expect(() => splitSnapshot('raftsim-members {"members":[{"id":"x"}],"removed":[]}\n{}')).toThrow(/member table is damaged/);
  });
});

describe('membership on the wire and on disk', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'raftsim-members-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('carries conf entries between members', () => {
    const entry = { index: 5, term: 2, data: encodeConfChange(add(4, true)), type: 'conf' };
    const batch = JSON.stringify([{ type: 'app', from: 1, to: 2, term: 2, prevIndex: 4, prevTerm: 2, entries: [entry], commit: 4 }]);
    expect(parseMessageBatch(batch, 2, new Set([1, 3]))).toMatchObject({ ok: true, messages: [{ entries: [entry] }] });
    expect(parseMessageBatch(batch, 2, new Set([3]))).toMatchObject({ ok: false, unknownSender: 1 });
  });

  it('records the cluster a member was born into in its WAL\'s header, and keeps it through a rewrite', () => {
    const file = join(dir, 'raftsim.wal');
    const self: WalIdentity = { member: 4, name: 'n4', clusterId: '42', cluster: { voters: [1, 2, 3], table: three } };
    const { wal } = Wal.open(file, self);
    wal.appendEntries([{ index: 1, term: 1, data: 'x' }]);
    wal.flush(true);
    wal.compactTo(1, 1);
    wal.close();
    expect(readWalIdentity(file)).toEqual(self);
    expect(readWalIdentity(join(dir, 'none.wal'))).toBeUndefined();
  });

  it('tells the server the members a snapshot holds when a member boots from it', async () => {
    // Members 1, 2, 4 after changes the snapshot covers: a server that kept sending to its
    // first members (1, 2, 3) would never reach 4, and a cluster led by this member would stall.
    const later: MemberTableState = { members: [three.members[0], three.members[1], { id: 4, name: 'n4', peerUrl: 'http://127.0.0.1:42380', learner: false }], removed: [3] };
    const conf = { voters: [1, 2, 4], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
    const snapshot = { metadata: { index: 60, term: 2, conf }, data: snapshotWithTable(later, new MvccStore().snapshot()) };
    const table = new MemberTable(three);
    const told: boolean[] = [];
    const { wal } = Wal.open(join(dir, 'raftsim.wal'), { member: 1, name: 'n1', clusterId: '42' });
    const member = new Member({
      id: 1, voters: [1, 2, 3], tickMs: 100, electionTicks: 10, wal, snapshotter: new Snapshotter(join(dir, 'snap'), '42'),
      restored: { hardState: { term: 2, vote: 1, commit: 60 }, entries: [], snapshot },
      snapshotCount: 10_000, snapshotCatchUpEntries: 0, table, send: () => undefined,
      onMembershipChange: (removedSelf) => told.push(removedSelf),
    });
    expect(told).toEqual([false]);
    expect(table.state()).toEqual(later);
    expect(member.node.confState().voters).toEqual([1, 2, 4]);
    await member.stop();
    wal.close();
  });

  it('refuses a header whose cluster is damaged', () => {
    const file = join(dir, 'raftsim.wal');
    const damaged: WalIdentity = { member: 1, name: 'n1', clusterId: '42', cluster: { voters: [0], table: three } };
    expect(() => Wal.open(file, damaged)).toThrow(/the header's cluster is damaged \(voters\)/);
    expect(() => readWalIdentity(file)).toThrow(WalError);
  });
});

describe('a removed member hears of it from its peers', () => {
  it('takes a peer\'s 410 Gone as its removal', async () => {
    const peer = createServer((req, res) => {
      req.resume();
      res.writeHead(REMOVED_STATUS).end('member 2 was removed from the cluster\n');
    });
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
    const { port } = peer.address() as AddressInfo;
    let removed = false;
    const transport = new PeerTransport(new Map([[1, `http://127.0.0.1:${port}`]]), () => (removed = true));
    transport.send([{ type: 'heartbeatResp', from: 2, to: 1, term: 3, context: '' }]);
    await waitFor('the transport to hear it', async () => (removed ? true : undefined), 5000, 10);
    transport.close();
    peer.close();
  });
});
