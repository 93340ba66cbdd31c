import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry, HardState, Snapshot } from '../raft/types.js';
import { SNAP_DIR, snapName, SnapError, Snapshotter, type SnapFile } from './snap.js';
import { Wal, WalError, type WalIdentity, type WalRecovery } from './wal.js';

/** What a member boots from: the snapshot its state machine starts at, and the log after it. */
export interface RestoredState {
  readonly hardState: HardState;
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
}

export interface Recovered {
  readonly wal: Wal;
  readonly snapshotter: Snapshotter;
  readonly restored: RestoredState;
  readonly recovery: WalRecovery;
}

/**
 * Boots a data directory as etcd does: the newest snapshot that loads and that the WAL
 * continues from, then the WAL's records after it. A damaged snapshot is moved aside and the
 * previous one tried (the WAL reaches back to it: see Member's compaction); if no snapshot
 * can be used but the WAL starts after a compaction, what lies between is gone, and the
 * member refuses to start rather than serve a store that lacks acknowledged writes.
 */
export function recover(dataDir: string, walFile: string, self: WalIdentity, log: (line: string) => void): Recovered {
  const snapshotter = new Snapshotter(join(dataDir, SNAP_DIR), self.clusterId);
  const files = snapshotter.list();
  if (files.length > 0 && !existsSync(walFile)) {
    // The WAL alone holds the term and vote: booting on a snapshot without it could vote twice in a term.
    throw new WalError(`${walFile}: missing, but ${snapshotter.dir} holds snapshots; refusing to start without the log's hard state`);
  }
  const { wal, state, recovery } = Wal.open(walFile, self);
  const start = state.start;
  // First choose, touching nothing: a member that refuses to start leaves its directory as it found it.
  let snapshot: Snapshot | null = null;
  const damaged: { file: SnapFile; reason: string }[] = [];
  const refused: string[] = [];
  for (const file of files) {
    if (file.index < start.index) {
      refused.push(`${file.name} ends at ${file.index}, before the log starts`);
      continue;
    }
    try {
      snapshot = snapshotter.load(file);
      break;
    } catch (error) {
      if (!(error instanceof SnapError)) throw error;
      damaged.push({ file, reason: error.message });
      refused.push(`${error.message}`);
    }
  }
  if (snapshot === null && start.index > 0) {
    wal.close();
    const why = refused.length > 0 ? refused.join('; ') : `${snapshotter.dir} holds none`;
    throw new WalError(`${walFile}: starts after index ${start.index}, but no valid snapshot reaches it (${why}); refusing to start`);
  }
  for (const { file, reason } of damaged) {
    const broken = snapshotter.quarantine(file);
    log(`snapshot ${reason}; moved it to ${broken} and ${snapshot ? `started from the older ${snapName(snapshot.metadata.term, snapshot.metadata.index)}` : 'replayed the whole log, which starts at index 1'}`);
  }
  if (snapshot && start.index === snapshot.metadata.index && start.term !== snapshot.metadata.term) {
    wal.close();
    throw new WalError(`${walFile}: starts after index ${start.index} of term ${start.term}, but the snapshot there is of term ${snapshot.metadata.term}; refusing to start`);
  }
  let entries = state.entries;
  if (snapshot) {
    const { index, term } = snapshot.metadata;
    const held = index === start.index ? start.term : entries[index - start.index - 1]?.term;
    if (held !== term) {
      // An installed snapshot was saved but the crash came before its WAL reset: finish it, since
      // the WAL's entries after that index (if any) follow a different log than the snapshot's.
      wal.resetTo(index, term);
      entries = [];
      log(`the log did not hold the snapshot at index ${index}: reset ${walFile} to start after it`);
    } else {
      entries = entries.slice(index - start.index);
    }
    log(`loaded snapshot ${join(snapshotter.dir, snapName(term, index))} (index ${index}, term ${term}); replaying ${entries.length} entries after it`);
  }
  // A crash between saving a snapshot and purging the oldest leaves one file too many: the purge finishes now.
  const removed = snapshotter.purge();
  if (removed.length > 0) log(`removed ${removed.join(', ')} from ${snapshotter.dir}: older than the two snapshots kept (a crash came before its purge)`);
  return { wal, snapshotter, restored: { hardState: state.hardState, entries, snapshot }, recovery };
}

