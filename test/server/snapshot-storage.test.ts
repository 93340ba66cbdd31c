import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry, Snapshot } from '../../src/raft/types.js';
import { resolveConfig } from '../../src/server/config.js';
import { parseMessageBatch } from '../../src/server/peer-messages.js';
import { recover } from '../../src/server/recovery.js';
import { snapName, SnapError, Snapshotter } from '../../src/server/snap.js';
import { replayWal, Wal, WalError, type WalIdentity } from '../../src/server/wal.js';

const self: WalIdentity = { member: 1, name: 'n1', clusterId: '42' };
const entry = (index: number, term = 1): Entry => ({ index, term, data: `put ${index}` });
const range = (from: number, to: number, term = 1): Entry[] => Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
const conf = { voters: [1], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
const snap = (index: number, term = 1, data = `{"state at":${index}}`): Snapshot => ({ metadata: { index, term, conf }, data });

let dir: string;
let walFile: string;
let lines: string[];
const log = (line: string) => lines.push(line);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'raftsim-snap-'));
  walFile = join(dir, 'raftsim.wal');
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * What a member leaves after two snapshots: files at 20 and 40, and the WAL rewritten to
 * start after the older one (20), holding entries 21–50.
 */
function twoSnapshots(): Snapshotter {
  const snapshots = new Snapshotter(join(dir, 'snap'), self.clusterId);
  const { wal } = Wal.open(walFile, self);
  wal.appendEntries(range(1, 50));
  wal.appendHardState({ term: 1, vote: 1, commit: 50 });
  wal.flush(true);
  snapshots.save(snap(20));
  snapshots.save(snap(40));
  expect(wal.compactTo(20, 1)).toBe(true);
  wal.close();
  return snapshots;
}

describe('snapshot files', () => {
  it('round-trip, newest first, named as etcd names them, the data kept byte for byte', () => {
    const snapshots = new Snapshotter(join(dir, 'snap'), self.clusterId);
    const data = '{"v":1,"keys":[["ké\\ny",[]]]}\n\u2028';
    for (const index of [5, 30, 12]) snapshots.save(snap(index, 2, index === 30 ? data : 'x'));
    expect(snapshots.list().map((f) => f.index)).toEqual([30, 12, 5]);
    expect(snapshots.list()[0].name).toBe('0000000000000002-000000000000001e.snap');
    expect(snapshots.load(snapshots.list()[0])).toEqual(snap(30, 2, data));
    expect(snapshots.purge()).toEqual([snapName(2, 5)]);
    expect(readdirSync(snapshots.dir).sort()).toEqual([snapName(2, 12), snapName(2, 30)]);
  });

  it('refuses a damaged file, a file of another cluster, and one whose name lies about it', () => {
    const snapshots = new Snapshotter(join(dir, 'snap'), self.clusterId);
    const { path } = snapshots.save(snap(7));
    const whole = readFileSync(path);
    for (const at of [3, whole.indexOf('"index"') + 2, whole.length - 4]) {
      const damaged = Buffer.from(whole);
      damaged[at] ^= 0x04;
      writeFileSync(path, damaged);
      expect(() => snapshots.load(snapshots.list()[0]), `byte ${at}`).toThrow(SnapError);
    }
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    expect(() => snapshots.load(snapshots.list()[0])).toThrow(/data record incomplete payload/);
    writeFileSync(path, whole);
    expect(() => new Snapshotter(join(dir, 'snap'), '43').load(snapshots.list()[0])).toThrow(/another cluster/);
    writeFileSync(join(dir, 'snap', snapName(1, 8)), whole);
    expect(() => snapshots.load(snapshots.list()[0])).toThrow(/does not match its name/);
  });
});

describe('the WAL after a snapshot', () => {
  it('is rewritten to start after the compaction point, and keeps appending', () => {
    twoSnapshots();
    const { wal, state } = Wal.open(walFile, self);
    expect(state.start).toEqual({ index: 20, term: 1 });
    expect(state.entries.map((e) => e.index)).toEqual(range(21, 50).map((e) => e.index));
    expect(state.hardState).toEqual({ term: 1, vote: 1, commit: 50 });
    wal.appendEntries([entry(49, 2), entry(50, 2), entry(51, 2)]);
    wal.flush(true);
    expect(wal.compactTo(10, 1)).toBe(false);
    wal.close();
    const again = Wal.open(walFile, self);
    again.wal.close();
    expect(again.state.entries.slice(-4)).toEqual([entry(48), entry(49, 2), entry(50, 2), entry(51, 2)]);
    expect(existsSync(join(dir, '.raftsim.wal.tmp'))).toBe(false);
  });

  it('still repairs a torn tail and refuses corruption inside it', () => {
    twoSnapshots();
    const { wal } = Wal.open(walFile, self);
    wal.appendEntries([entry(51)]);
    wal.flush(true);
    wal.close();
    const whole = readFileSync(walFile);
    const lastStart = whole.lastIndexOf(0x0a, whole.length - 2) + 1;
    writeFileSync(walFile, whole.subarray(0, lastStart + 9));
    const repaired = Wal.open(walFile, self);
    repaired.wal.close();
    expect(repaired.recovery.tornBytes).toBe(9);
    expect(repaired.state.entries.at(-1)?.index).toBe(50);
    // The snapshot record (second) and the first entries record (fourth) damaged in place.
    for (const record of [1, 3]) {
      let at = 0;
      for (let i = 0; i < record; i++) at = whole.indexOf(0x0a, at) + 1;
      const damaged = Buffer.from(whole);
      damaged[at + 20] ^= 0x01;
      expect(() => replayWal(damaged, 'wal'), `record ${record}`).toThrow(/corrupt record at byte \d+ .*refusing to start/);
    }
  });

  it('refuses entries that start inside the snapshot it names', () => {
    twoSnapshots();
    const { wal } = Wal.open(walFile, self);
    expect(() => wal.appendEntries([entry(20)])).toThrow(/does not follow the log/);
    wal.close();
  });
});

describe('recovery', () => {
  it('starts from the newest snapshot and the entries after it', () => {
    twoSnapshots();
    const { wal, restored } = recover(dir, walFile, self, log);
    wal.close();
    expect(restored.snapshot?.metadata.index).toBe(40);
    expect(restored.entries.map((e) => e.index)).toEqual(range(41, 50).map((e) => e.index));
    expect(lines).toEqual([expect.stringMatching(/loaded snapshot .*0000000000000028\.snap \(index 40, term 1\); replaying 10 entries after it/)]);
  });

  it('falls back to the previous snapshot when the newest is damaged, and moves it aside', () => {
    const snapshots = twoSnapshots();
    const newest = snapshots.list()[0].path;
    const damaged = readFileSync(newest);
    damaged[damaged.length - 3] ^= 0x01;
    writeFileSync(newest, damaged);
    const { wal, restored } = recover(dir, walFile, self, log);
    wal.close();
    expect(restored.snapshot?.metadata.index).toBe(20);
    expect(restored.entries.map((e) => e.index)).toEqual(range(21, 50).map((e) => e.index));
    expect(lines[0]).toMatch(/^snapshot .*0000000000000028\.snap: data record checksum mismatch; moved it to .*\.snap\.broken and started from the older 0000000000000001-0000000000000014\.snap$/);
    expect(readdirSync(snapshots.dir).sort()).toEqual([snapName(1, 20), `${snapName(1, 40)}.broken`]);
  });

  it('refuses to start when no valid snapshot reaches the start of a compacted WAL: one line naming the files', () => {
    const snapshots = twoSnapshots();
    for (const file of snapshots.list()) writeFileSync(file.path, readFileSync(file.path).subarray(0, 30));
    expect(() => recover(dir, walFile, self, log)).toThrow(
      /raftsim\.wal: starts after index 20, but no valid snapshot reaches it \(.*0000000000000028\.snap: header record incomplete payload; .*0000000000000014\.snap: header record incomplete payload\); refusing to start$/,
    );
    // Refusing, it logged nothing and moved nothing: the next attempt finds the same.
    expect(lines).toEqual([]);
    expect(() => recover(dir, walFile, self, log)).toThrow(WalError);
    expect(snapshots.list()).toHaveLength(2);
    rmSync(snapshots.dir, { recursive: true });
    expect(() => recover(dir, walFile, self, log)).toThrow(/no valid snapshot reaches it \(.*snap holds none\)/);
    rmSync(walFile);
    snapshots.save(snap(20));
    expect(() => recover(dir, walFile, self, log)).toThrow(/raftsim\.wal: missing, but .*snap holds snapshots/);
  });

  it('finishes a purge that a crash cut short: the files older than the two newest go', () => {
    const snapshots = twoSnapshots();
    const { wal: before } = Wal.open(walFile, self);
    before.appendEntries(range(51, 60));
    before.appendHardState({ term: 1, vote: 1, commit: 60 });
    before.flush(true);
    before.close();
    // The crash came after the snapshot at 60 was saved, before the WAL was compacted and the oldest purged.
    snapshots.save(snap(60));
    expect(snapshots.list()).toHaveLength(3);
    const { wal, restored } = recover(dir, walFile, self, log);
    wal.close();
    expect(restored.snapshot?.metadata.index).toBe(60);
    expect(snapshots.list().map((file) => file.index)).toEqual([60, 40]);
    expect(lines[1]).toBe(`removed ${snapName(1, 20)} from ${snapshots.dir}: older than the two snapshots kept (a crash came before its purge)`);
  });

  it('finishes an install that crashed between saving the snapshot and resetting the WAL', () => {
    const { wal } = Wal.open(walFile, self);
    wal.appendEntries([...range(1, 5), ...range(6, 8, 2)]);
    wal.appendHardState({ term: 2, vote: 2, commit: 5 });
    wal.flush(true);
    wal.close();
    // The leader's snapshot at 7 is of term 3: entries 6–8 of term 2 are not its log.
    new Snapshotter(join(dir, 'snap'), self.clusterId).save(snap(7, 3));
    const first = recover(dir, walFile, self, log);
    first.wal.close();
    expect(first.restored).toMatchObject({ entries: [], snapshot: { metadata: { index: 7, term: 3 } } });
    expect(lines[0]).toMatch(/did not hold the snapshot at index 7: reset .*raftsim\.wal/);
    expect(Wal.open(walFile, self).state).toMatchObject({ start: { index: 7, term: 3 }, entries: [], hardState: { term: 2, commit: 5 } });
  });
});

describe('snap messages from peers', () => {
  const message = (snapshot: unknown, term = 3) => JSON.stringify([{ type: 'snap', from: 2, to: 1, term, snapshot }]);
  const peers = new Set([2, 3]);

  it('are accepted when well formed', () => {
    expect(parseMessageBatch(message(snap(9, 3)), 1, peers)).toEqual({ ok: true, messages: [{ type: 'snap', from: 2, to: 1, term: 3, snapshot: snap(9, 3) }] });
  });

  it('are refused when malformed, or of a term later than their message', () => {
    for (const bad of [{ ...snap(9), data: 5 }, { metadata: { index: 0, term: 1, conf }, data: '' }, { metadata: { index: 9, term: 1 }, data: '' }, { ...snap(9), extra: 1 }]) {
      expect(parseMessageBatch(message(bad), 1, peers).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(parseMessageBatch(message(snap(9, 4)), 1, peers)).toEqual({ ok: false, reason: 'a snapshot of term 4 in a message of term 3' });
  });
});

describe('the snapshot flags', () => {
  it('default to 10,000 and etcd\'s 5,000, and refuse what is not a count', () => {
    expect(resolveConfig({})).toMatchObject({ snapshotCount: 10_000, snapshotCatchUpEntries: 5000 });
    expect(resolveConfig({ snapshotCount: '25', experimentalSnapshotCatchupEntries: '0' })).toMatchObject({ snapshotCount: 25, snapshotCatchUpEntries: 0 });
    expect(() => resolveConfig({ snapshotCount: '0' })).toThrow('--snapshot-count: expected a whole number of at least 1, not "0"');
    expect(() => resolveConfig({ snapshotCount: '1e3' })).toThrow(/--snapshot-count/);
    expect(() => resolveConfig({ experimentalSnapshotCatchupEntries: '-1' })).toThrow(/--experimental-snapshot-catchup-entries/);
  });
});
