import { describe, expect, it } from 'vitest';
import { SimDisk } from '../../sim/disk.js';
import type { Snapshot } from '../../src/raft/types.js';

const entry = (index: number, term: number) => ({ index, term, data: `e${index}.${term}` });

describe('simulated disk', () => {
  it('keeps writes pending until sync, and a crash loses them', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1)]);
    disk.writeHardState({ term: 1, vote: 2, commit: 0 });
    expect(disk.read().entries).toEqual([]);
    expect(disk.crash()).toEqual({ kept: 0, lost: 2, torn: false });
    expect(disk.read()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [] });
  });

  it('makes synced writes durable across a crash', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1)]);
    disk.writeHardState({ term: 1, vote: 1, commit: 1 });
    disk.sync();
    disk.writeEntries([entry(2, 1)]);
    disk.crash();
    expect(disk.read()).toEqual({ hardState: { term: 1, vote: 1, commit: 1 }, entries: [entry(1, 1)] });
    expect(disk.durableTermAt(1)).toBe(1);
    expect(disk.durableTermAt(2)).toBe(0);
  });

  it('replaces stored entries from the first index of a write on', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1), entry(3, 1)]);
    disk.sync();
    disk.writeEntries([entry(2, 2)]);
    disk.sync();
    expect(disk.read().entries).toEqual([entry(1, 1), entry(2, 2)]);
  });

  it('a crash may let the first unsynced writes reach the disk after all (a lost fsync that half happened)', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1)]);
    disk.writeHardState({ term: 1, vote: 3, commit: 0 });
    disk.writeEntries([entry(2, 1)]);
    expect(disk.crash('keep-some', 2)).toEqual({ kept: 2, lost: 1, torn: false });
    // In order: never a later write without the earlier ones.
    expect(disk.read()).toEqual({ hardState: { term: 1, vote: 3, commit: 0 }, entries: [entry(1, 1)] });
  });

  it('a torn write is caught on recovery and dropped with everything after it', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1)]);
    disk.writeEntries([entry(2, 1)]);
    disk.writeEntries([entry(3, 1)]);
    expect(disk.crash('tear', 1)).toEqual({ kept: 1, lost: 2, torn: true });
    expect(disk.read().entries).toEqual([entry(1, 1)]);
    // Nothing pending: nothing to tear.
    expect(disk.crash('tear', 5)).toEqual({ kept: 0, lost: 0, torn: false });
  });
});

const snapshotAt = (index: number, term: number): Snapshot => ({
  metadata: { index, term, conf: { voters: [1, 2, 3], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false } },
  data: `state@${index}`,
});

describe('simulated disk with snapshots', () => {
  it("keeps the node's own snapshot, then drops the entries it compacted; both wait for the sync", () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)]);
    disk.sync();
    disk.writeSnapshot(snapshotAt(3, 1), false);
    disk.compact(2);
    expect(disk.read().snapshot).toBeUndefined();
    disk.sync();
    expect(disk.read()).toMatchObject({ snapshot: snapshotAt(3, 1), entries: [entry(3, 1), entry(4, 1)] });
    expect(disk.durableTermAt(3)).toBe(1);
    expect(disk.durablyHolds(1, 1)).toBe(true);
    expect(disk.durablyHolds(4, 2)).toBe(false);
  });

  it('a crash between saving the snapshot and compacting loses no entry', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1), entry(3, 1)]);
    disk.sync();
    disk.writeSnapshot(snapshotAt(3, 1), false);
    disk.compact(3);
    expect(disk.crash('keep-some', 1)).toEqual({ kept: 1, lost: 1, torn: false });
    expect(disk.read()).toMatchObject({ snapshot: snapshotAt(3, 1), entries: [entry(1, 1), entry(2, 1), entry(3, 1)] });
  });

  it('a crash that loses the snapshot write keeps the entries it would have replaced', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1)]);
    disk.sync();
    disk.writeSnapshot(snapshotAt(2, 1), false);
    disk.compact(2);
    disk.crash('tear', 0);
    expect(disk.read()).toEqual({ hardState: { term: 0, vote: 0, commit: 0 }, entries: [entry(1, 1), entry(2, 1)] });
    expect(disk.durablyHolds(1, 1)).toBe(true);
  });

  it('an installed snapshot replaces the stored log; entries after it follow', () => {
    const disk = new SimDisk();
    disk.writeEntries([entry(1, 1), entry(2, 1), entry(3, 1)]);
    disk.sync();
    disk.writeSnapshot(snapshotAt(10, 2), true);
    disk.writeEntries([entry(11, 2)]);
    disk.sync();
    expect(disk.read()).toMatchObject({ snapshot: snapshotAt(10, 2), entries: [entry(11, 2)] });
    expect(disk.durableTermAt(3)).toBe(0);
    expect(disk.durableTermAt(10)).toBe(2);
    expect(disk.durablyHolds(3, 1)).toBe(true);
    expect(disk.durablyHolds(11, 2)).toBe(true);
  });
});
