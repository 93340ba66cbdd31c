import { JointConfig } from './quorum.js';
import type { ConfChange, ConfChangeSingle, ConfState, Entry, NodeId } from './types.js';

/**
 * Membership, after etcd's confchange and tracker packages. A change is an ordinary log
 * entry (`type: 'conf'`) and takes effect on a node when that node APPLIES it, as in
 * etcd: the driver hands the decoded change to `RaftNode.applyConfChange` after the
 * entry commits. So that the config a leader validates a proposal against is the one in
 * force when the entry is applied, a leader takes a new change only once every earlier
 * one is applied (pendingConfIndex), and every node re-checks the rules on apply: a
 * change that breaks them is skipped by every node alike.
 */

/** The configuration a cluster starts with: these voters, nobody else. */
export function bootstrapConf(voters: readonly NodeId[]): ConfState {
  return { voters: sorted(voters), learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** A ConfState with the lookups and the quorum the node needs on every message. */
export class Configuration {
  readonly quorum: JointConfig;
  /** Voters (both halves) and learners, ascending: everyone the leader replicates to. */
  readonly members: readonly NodeId[];

  constructor(readonly state: ConfState) {
    this.quorum = new JointConfig(state.voters, state.votersOutgoing);
    this.members = sorted([...state.voters, ...state.votersOutgoing, ...state.learners, ...state.learnersNext]);
  }

  get isJoint(): boolean {
    return this.state.votersOutgoing.length > 0;
  }

  /** A voter of either half: it campaigns and its vote and its match count. */
  isVoter(id: NodeId): boolean {
    return this.quorum.isVoter(id);
  }

  isMember(id: NodeId): boolean {
    return this.members.includes(id);
  }

  /** The voters of both halves, ascending, each once. */
  voters(): NodeId[] {
    return this.members.filter((id) => this.isVoter(id));
  }
}

export type ConfChangeOutcome = { readonly conf: ConfState } | { readonly error: string };

/**
 * The configuration `cc` leads to from `conf`, or why it is refused. The rules are etcd's:
 * a single-step change changes at most one voter; entering joint consensus is refused
 * while joint, and leaving it (an empty change) while not; no change may leave the
 * incoming config without voters. A voter demoted to learner during joint consensus
 * stays a voter of the outgoing half and becomes a learner only on leaving (learnersNext),
 * so that no node is a voter and a learner at once.
 */
export function changeConf(conf: ConfState, cc: ConfChange): ConfChangeOutcome {
  const joint = conf.votersOutgoing.length > 0;
  const update = cc.changes.find((change) => change.type === 'update');
  if (update) {
    if (cc.changes.length > 1 || cc.joint) return { error: 'an update goes alone: it changes no configuration' };
    if (!new Configuration(conf).isMember(update.node)) return { error: `node ${update.node} is no member to update` };
    return { conf };
  }
  if (cc.changes.length === 0 && !cc.joint) {
    if (!joint) return { error: 'not in a joint configuration: nothing to leave' };
    return { conf: leaveJoint(conf) };
  }
  if (joint) return { error: 'in a joint configuration: leave it before another change' };
  const entering = cc.joint === true || cc.changes.length > 1;
  const next = applyChanges(conf, cc.changes, entering);
  if (next.voters.length === 0) return { error: 'the change would remove every voter' };
  if (!entering && symmetricDifference(conf.voters, next.voters) > 1) {
    return { error: 'a single-step change may change at most one voter' };
  }
  if (!entering) return { conf: next };
  return { conf: { ...next, votersOutgoing: conf.voters.slice(), autoLeave: cc.autoLeave ?? true } };
}

function leaveJoint(conf: ConfState): ConfState {
  return {
    voters: conf.voters,
    learners: sorted([...conf.learners, ...conf.learnersNext]),
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
}

/** Applies each change to the incoming half; `outgoing` are the voters that stay voters until the joint config is left. */
function applyChanges(conf: ConfState, changes: readonly ConfChangeSingle[], entering: boolean): ConfState {
  const voters = new Set(conf.voters);
  const learners = new Set(conf.learners);
  const learnersNext = new Set(conf.learnersNext);
  const outgoing = new Set(entering ? conf.voters : conf.votersOutgoing);
  for (const { type, node } of changes) {
    voters.delete(node);
    learners.delete(node);
    learnersNext.delete(node);
    if (type === 'add-voter') voters.add(node);
    else if (type === 'add-learner') (outgoing.has(node) ? learnersNext : learners).add(node);
  }
  return { voters: sorted(voters), learners: sorted(learners), votersOutgoing: conf.votersOutgoing, learnersNext: sorted(learnersNext), autoLeave: conf.autoLeave };
}

function symmetricDifference(a: readonly NodeId[], b: readonly NodeId[]): number {
  return a.filter((id) => !b.includes(id)).length + b.filter((id) => !a.includes(id)).length;
}

function sorted(ids: Iterable<NodeId>): NodeId[] {
  return [...new Set(ids)].sort((x, y) => x - y);
}

export function encodeConfChange(cc: ConfChange): string {
  return JSON.stringify(cc);
}

/** The change a conf entry carries. */
export function decodeConfChange(entry: Entry): ConfChange {
  if (entry.type !== 'conf' || entry.data === null) throw new Error(`entry ${entry.index} is not a conf change`);
  return JSON.parse(entry.data) as ConfChange;
}

/** A short human form, for traces and notes: `+v4 +l5 -2`, `leave joint`. */
export function describeConfChange(cc: ConfChange): string {
  if (cc.changes.length === 0 && !cc.joint) return 'leave joint';
  const steps = cc.changes.map(({ type, node }) => `${type === 'add-voter' ? '+v' : type === 'add-learner' ? '+l' : type === 'update' ? '~' : '-'}${node}`);
  const joint = cc.joint === true || cc.changes.length > 1;
  return `${joint ? 'joint ' : ''}${steps.join(' ')}${joint && cc.autoLeave === false ? ' (explicit leave)' : ''}`;
}
