import { changeConf, Configuration, encodeConfChange } from './membership.js';
import { Progress } from './progress.js';
import { afterCommit, appendEntry, broadcastAppend, maybeCommit } from './replication.js';
import { becomeFollower, snapshotRetryRounds } from './roles.js';
import { transferLeadership } from './election.js';
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
 * a leader that is no voter any more hands over and steps down (see handOver).
 */
function leaderSwitchConf(n: NodeState): void {
  const next = n.log.lastIndex() + 1;
  for (const id of [...n.progress.keys()]) if (!n.configuration.isMember(id)) n.progress.delete(id);
  for (const member of n.configuration.members) {
    if (!n.progress.has(member)) n.progress.set(member, new Progress(member, next, n.maxInflight, snapshotRetryRounds(n)));
  }
  if (!n.isVoter()) return handOver(n);
  // Leaving joint, or losing a lagging voter, may let more entries commit at once.
  if (maybeCommit(n)) afterCommit(n);
  else broadcastAppend(n);
}

/**
 * A leader that applied its own removal (or demotion) steps down, as etcd's StepDownOnRemoval,
 * but first hands leadership to the voter of the new config that holds the most of its log
 * (as etcd's server does when its leader leaves). Stepping down at once can leave the cluster
 * without a leader for good: the followers may hold the change without knowing it committed,
 * so they still need the outgoing voters, whose longer logs refuse them (a joint change's
 * explicit leave, seed 82046 of joint-consensus). Handing over, it keeps heartbeating (which
 * carries the commit) and brings the successor up to date, sends its timeoutNow and steps
 * down; if the successor is not up to date within an election timeout, it steps down anyway.
 */
function handOver(n: NodeState): void {
  let successor: Progress | undefined;
  for (const id of n.configuration.voters()) {
    const progress = n.progress.get(id);
    if (progress && (!successor || progress.match > successor.match)) successor = progress;
  }
  if (!successor) return becomeFollower(n, n.term, NONE);
  n.handingOver = true;
  broadcastAppend(n);
  transferLeadership(n, successor.id);
}
