import { broadcastHeartbeat } from './replication.js';
import type { NodeState } from './state.js';
import type { NodeId } from './types.js';
import { readIndexResponse } from './wire.js';

/**
 * Linearizable reads at the leader (§6.4 of the Raft thesis, etcd's ReadIndex): a read
 * gets the commit index, once the leader has committed an entry of its term (until then
 * it is deferred), and is released when a heartbeat round confirms the leadership
 * (read-only.ts keeps the queue), or at once with a lease (election.ts). A follower's
 * request is answered with a readIndexResp, the leader's own with a ReadState.
 */

export function handleReadIndex(n: NodeState, context: string, requester: NodeId): void {
  if (n.log.termAt(n.log.committed) !== n.term && !n.bugs.earlyReadIndex) {
    // A new leader does not yet know the full commit index (§6.4): wait for its first commit.
    n.deferredReads.push({ context, requester });
    return;
  }
  n.readOnly.add(context, n.log.committed, requester, n.id);
  // A lease read skips the heartbeat round: CheckQuorum would have deposed a leader without a majority.
  if (n.hasQuorum(new Set([n.id])) || n.config.readMode === 'lease') releaseReads(n, n.readOnly.drain());
  else broadcastHeartbeat(n);
}

export function releaseDeferredReads(n: NodeState): void {
  const deferred = n.deferredReads;
  n.deferredReads = [];
  for (const read of deferred) handleReadIndex(n, read.context, read.requester);
}

export function releaseReads(n: NodeState, reads: readonly { context: string; index: number; requester: NodeId }[]): void {
  for (const read of reads) {
    if (read.requester === n.id) n.readStates.push({ index: read.index, context: read.context });
    else {
      n.send(readIndexResponse(n.id, read.requester, n.term, read.context, read.index));
    }
  }
}
