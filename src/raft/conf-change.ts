import { changeConf, Configuration, encodeConfChange } from './membership.js';
import { Progress } from './progress.js';
import { afterCommit, appendEntry, broadcastAppend, maybeCommit } from './replication.js';
import { becomeFollower, snapshotRetryRounds } from './roles.js';
import type { NodeState } from './state.js';
import { NONE } from './types.js';
import type { ConfChange, ConfProposeResult, ConfState } from './types.js';

/**
 * The node's side of membership changes: the rules are membership.ts's; here a leader
 * appends a change, every node switches to it when the driver applies it, and a leader
 * brings its progress in line with the new config.
 */

/** Appends a membership change, at the leader only and within the rules of membership.ts. */
export function proposeConfChange(n: NodeState, cc: ConfChange): ConfProposeResult {
  if (n.role !== 'leader') return { kind: 'refused', reason: 'not the leader' };
  if (n.pendingConfIndex > n.applied) return { kind: 'refused', reason: `conf change at ${n.pendingConfIndex} not applied yet` };
  const outcome = changeConf(n.configuration.state, cc);
  if ('error' in outcome) return { kind: 'refused', reason: outcome.error };
  const data = encodeConfChange(cc);
  if (!n.uncommitted.admit(data.length)) return { kind: 'refused', reason: 'uncommitted limit' };
  const entry = appendEntry(n, data, 'conf');
  n.pendingConfIndex = entry.index;
  broadcastAppend(n);
  return { kind: 'appended', index: entry.index, term: entry.term };
}

/** A committed conf entry was applied: its change takes effect now (see RaftNode.applyConfChange). */
export function applyConfChange(n: NodeState, cc: ConfChange): ConfState {
  const outcome = changeConf(n.configuration.state, cc);
  if ('error' in outcome) return n.configuration.state;
  n.configuration = new Configuration(outcome.conf);
  if (n.role === 'leader') leaderSwitchConf(n);
  return outcome.conf;
}

/**
 * The leader's side of a new config: progress for newcomers, none for the removed, and
 * a leader that is no voter any more steps down (etcd's StepDownOnRemoval). It led
 * until now, so the change that removed it is committed and applied.
 */
function leaderSwitchConf(n: NodeState): void {
  if (!n.isVoter()) return becomeFollower(n, n.term, NONE);
  const next = n.log.lastIndex() + 1;
  for (const id of [...n.progress.keys()]) if (!n.configuration.isMember(id)) n.progress.delete(id);
  for (const member of n.configuration.members) {
    if (!n.progress.has(member)) n.progress.set(member, new Progress(member, next, n.maxInflight, snapshotRetryRounds(n)));
  }
  // Leaving joint, or losing a lagging voter, may let more entries commit at once.
  if (maybeCommit(n)) afterCommit(n);
  else broadcastAppend(n);
}
