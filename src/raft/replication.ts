import { sendTimeoutNow } from './election.js';
import type { Progress } from './progress.js';
import { releaseDeferredReads, releaseReads } from './reads.js';
import type { NodeState } from './state.js';
import type { AppendResponse, Entry, HeartbeatResponse, Message } from './types.js';
import { appendRequest, heartbeat, snapshotMessage } from './wire.js';

/**
 * The leader's side of log replication (§5.3): appends to each follower as its progress
 * allows (progress.ts), the snapshot instead when it lags past the compacted prefix,
 * heartbeats, the answers to both, and the commit index a quorum of matches vouches for.
 */

export function appendEntry(n: NodeState, data: string | null, type?: 'conf'): Entry {
  if (n.bugs.leaderOverwritesOwnEntry && type === undefined && data !== null && lastIsOwnUncommittedProposal(n)) {
    const overwritten: Entry = { index: n.log.lastIndex(), term: n.term, data };
    n.log.appendAfterMatch([overwritten], true);
    return overwritten;
  }
  // Ordinary entries carry no `type` at all, so their traces read as they always did.
  const entry: Entry = type ? { index: n.log.lastIndex() + 1, term: n.term, data, type } : { index: n.log.lastIndex() + 1, term: n.term, data };
  n.log.append(entry);
  return entry;
}

/** Where the planted bug `leader-overwrites-own-entry` strikes: an ordinary proposal of this term, not yet committed, last in the log. */
function lastIsOwnUncommittedProposal(n: NodeState): boolean {
  const last = n.log.lastIndex();
  if (last <= n.log.committed || n.log.termAt(last) !== n.term) return false;
  const entry = n.log.entryAt(last);
  return entry.data !== null && entry.type === undefined;
}

/** etcd's stepLeader: the answers to the leader's appends and heartbeats. */
export function stepLeader(n: NodeState, m: Message): void {
  switch (m.type) {
    case 'appResp':
      return handleAppendResponse(n, m);
    case 'heartbeatResp':
      return handleHeartbeatResponse(n, m);
  }
}

function handleAppendResponse(n: NodeState, m: AppendResponse): void {
  const progress = n.progress.get(m.from);
  if (!progress) return;
  progress.recentActive = true;
  if (m.reject) {
    const probeFrom = m.hintTerm > 0 ? n.log.findConflictByTerm(m.hintIndex, m.hintTerm) : m.hintIndex;
    if (progress.reject(m.index, probeFrom)) sendAppend(n, progress);
    return;
  }
  if (!progress.acknowledge(m.index)) return;
  if (maybeCommit(n)) afterCommit(n);
  else sendAppend(n, progress, false);
  if (m.from === n.transferee && progress.match === n.log.lastIndex()) sendTimeoutNow(n, m.from);
}

function handleHeartbeatResponse(n: NodeState, m: HeartbeatResponse): void {
  const progress = n.progress.get(m.from);
  if (!progress) return;
  progress.recentActive = true;
  progress.heard();
  if (progress.match < n.log.lastIndex()) {
    if (progress.isPaused() && progress.state !== 'snapshot') progress.becomeProbe();
    sendAppend(n, progress);
  }
  if (m.context !== '') releaseReads(n, n.readOnly.acknowledge(m.context, m.from, (acks) => n.hasQuorum(acks)));
}

export function maybeCommit(n: NodeState): boolean {
  const index = n.configuration.quorum.committedIndex((id) => n.progress.get(id)?.match ?? 0);
  if (index === Infinity || index <= n.log.committed || (n.log.termAt(index) !== n.term && !n.bugs.figure8Commit)) return false;
  n.log.commitTo(index);
  return true;
}

export function afterCommit(n: NodeState): void {
  broadcastAppend(n);
  releaseDeferredReads(n);
}

export function broadcastAppend(n: NodeState): void {
  for (const peer of n.peers()) {
    const progress = n.progress.get(peer);
    if (progress) sendAppend(n, progress);
  }
}

/** Sends what the follower lacks; an empty append only when `evenIfEmpty` (to carry the commit index or probe). */
export function sendAppend(n: NodeState, progress: Progress, evenIfEmpty = true): void {
  if (progress.isPaused()) return;
  const prevIndex = progress.next - 1;
  if (prevIndex < n.log.compactedIndex) return sendSnapshot(n, progress);
  const entries = n.log.slice(progress.next, n.log.lastIndex(), n.maxEntriesPerAppend, n.maxBytesPerAppend);
  if (entries.length === 0 && !evenIfEmpty) return;
  n.send(appendRequest(n.id, progress.id, n.term, prevIndex, n.log.termAt(prevIndex), entries, n.log.committed));
  progress.sent(prevIndex + entries.length, entries.length > 0);
}

/** The follower needs entries this leader compacted: it gets the newest snapshot instead. */
function sendSnapshot(n: NodeState, progress: Progress): void {
  const snapshot = n.snapshots.latest;
  if (!snapshot) throw new Error(`node ${n.id} compacted up to ${n.log.compactedIndex} without a snapshot`);
  n.send(snapshotMessage(n.id, progress.id, n.term, snapshot));
  progress.becomeSnapshot(snapshot.metadata.index);
}

export function broadcastHeartbeat(n: NodeState): void {
  const context = n.readOnly.lastContext();
  for (const peer of n.peers()) {
    const progress = n.progress.get(peer);
    // A heartbeat vouches for no entries: what the follower may commit is capped at its match.
    const commit = n.bugs.uncappedFollowerCommit ? n.log.committed : Math.min(progress?.match ?? 0, n.log.committed);
    n.send(heartbeat(n.id, peer, n.term, commit, context));
  }
}
