import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entry } from '../../src/raft/types.js';
import { DataDirError, openDataDir } from '../../src/server/data-dir.js';
import { replayWal, Wal, WalError, type WalIdentity } from '../../src/server/wal.js';

const self: WalIdentity = { member: 1, name: 'n1', clusterId: '42' };
const entry = (index: number, term: number, data: string | null = `put ${index}`): Entry => ({ index, term, data });

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'raftsim-wal-'));
  file = join(dir, 'raftsim.wal');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A log of three writes: entries 1–3, a hard state, a follower's truncation that replaces 3. */
function writeSample(): void {
  const { wal } = Wal.open(file, self);
  wal.appendEntries([entry(1, 1), entry(2, 1), entry(3, 1)]);
  wal.appendHardState({ term: 1, vote: 1, commit: 2 });
  wal.flush(true);
  wal.appendEntries([entry(3, 2, 'héllo\nworld'), entry(4, 2)]);
  wal.appendHardState({ term: 2, vote: 2, commit: 3 });
  wal.flush(true);
  wal.close();
}

describe('the WAL', () => {
  it('replays entries and hard state as the simulated disk gives them back', () => {
    writeSample();
    const { state, recovery } = Wal.open(file, self);
    expect(recovery).toMatchObject({ records: 5, tornBytes: 0 });
    expect(state.hardState).toEqual({ term: 2, vote: 2, commit: 3 });
    expect(state.entries).toEqual([entry(1, 1), entry(2, 1), entry(3, 2, 'héllo\nworld'), entry(4, 2)]);
  });

  it('keeps appending after a reopen', () => {
    writeSample();
    const { wal } = Wal.open(file, self);
    wal.appendEntries([entry(5, 2)]);
    wal.flush(true);
    wal.close();
    expect(Wal.open(file, self).state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('repairs a torn tail cut at every byte of the last record, and truncates the file', () => {
    writeSample();
    const whole = readFileSync(file);
    const lastStart = whole.lastIndexOf(0x0a, whole.length - 2) + 1;
    for (let cut = lastStart + 1; cut < whole.length; cut++) {
      writeFileSync(file, whole.subarray(0, cut));
      const { wal, state, recovery } = Wal.open(file, self);
      wal.close();
      expect(recovery.tornBytes, `cut at ${cut}`).toBe(cut - lastStart);
      expect(state.hardState).toEqual({ term: 1, vote: 1, commit: 2 });
      expect(statSync(file).size).toBe(lastStart);
    }
  });

  it('repairs a tail of zeros, as a file system may leave after a power cut', () => {
    writeSample();
    appendFileSync(file, Buffer.alloc(4096));
    const { state, recovery } = Wal.open(file, self);
    expect(recovery.tornBytes).toBe(4096);
    expect(state.entries).toHaveLength(4);
  });

  it('repairs a last record with a sector that never reached the disk (zeros)', () => {
    const { wal } = Wal.open(file, self);
    wal.appendEntries([entry(1, 1, 'x'.repeat(3000))]);
    wal.flush(true);
    wal.close();
    const whole = readFileSync(file);
    const start = whole.indexOf(0x0a) + 1;
    const zeroed = Buffer.from(whole);
    zeroed.fill(0, Math.ceil((start + 1) / 512) * 512, Math.ceil((start + 1) / 512) * 512 + 512);
    writeFileSync(file, zeroed);
    const { state, recovery } = Wal.open(file, self);
    expect(recovery.tornOffset).toBe(start);
    expect(state.entries).toEqual([]);
  });

  it('refuses a last record that is whole but damaged: a bit flip is not a torn write', () => {
    writeSample();
    const whole = readFileSync(file);
    const lastStart = whole.lastIndexOf(0x0a, whole.length - 2) + 1;
    for (let at = lastStart; at < whole.length - 1; at++) {
      const damaged = Buffer.from(whole);
      damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
      const result = (() => {
        try {
          return replayWal(damaged, 'wal').recovery.tornBytes > 0 ? 'repaired' : 'clean';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      // A flipped length digit can make the record look cut short: that one is a torn write.
      if (result === 'repaired') expect(damaged.toString('latin1', lastStart, damaged.indexOf(0x3a, lastStart)), `byte ${at}`).not.toBe(whole.toString('latin1', lastStart, whole.indexOf(0x3a, lastStart)));
      else expect(result, `byte ${at}`).toMatch(/whole but damaged .*refusing to start/);
    }
  });

  it('refuses corruption in the middle of the log, at every byte of an inner record', () => {
    writeSample();
    const whole = readFileSync(file);
    const secondStart = whole.indexOf(0x0a) + 1;
    const secondEnd = whole.indexOf(0x0a, secondStart);
    for (let at = secondStart; at < secondEnd; at++) {
      const damaged = Buffer.from(whole);
      damaged[at] = damaged[at] === 0x41 ? 0x42 : 0x41;
      expect(() => replayWal(damaged, 'wal'), `byte ${at}`).toThrow(WalError);
      expect(() => replayWal(damaged, 'wal')).toThrow(/corrupt record at byte \d+ .*refusing to start/);
    }
  });

  it('refuses a file that is not a raftsim WAL', () => {
    writeFileSync(file, 'hello, I am somebody else\'s file\n');
    expect(() => Wal.open(file, self)).toThrow(/not a raftsim write-ahead log/);
  });

  it('refuses a WAL of another member or another cluster', () => {
    writeSample();
    expect(() => Wal.open(file, { ...self, member: 2, name: 'n2' })).toThrow(/belongs to member "n1"/);
    expect(() => Wal.open(file, { ...self, clusterId: '7' })).toThrow(/another cluster/);
  });

  it('refuses a data directory that holds files that are not ours, or is a file', () => {
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => openDataDir(dir)).toThrow(DataDirError);
    expect(() => openDataDir(join(dir, 'notes.txt'))).toThrow(/not a directory/);
    expect(openDataDir(join(dir, 'fresh'))).toBe(join(dir, 'fresh', 'raftsim.wal'));
    // Its own snapshot directory is ours.
    mkdirSync(join(dir, 'fresh', 'snap'));
    expect(openDataDir(join(dir, 'fresh'))).toBe(join(dir, 'fresh', 'raftsim.wal'));
  });
});
