/** Node ids are small positive integers; 0 means "nobody" (no vote, no known leader). */
export type NodeId = number;
export const NONE: NodeId = 0;

/** A pre-candidate asks whether it could win (PreVote) before it raises its term and becomes a candidate. */
export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** An entry's payload is opaque to Raft; `null` marks the empty entry a new leader appends. */
export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly data: string | null;
  /** 'conf': `data` encodes a ConfChange (see membership.ts). Absent for ordinary entries. */
  readonly type?: 'conf';
}

/** What must survive a crash besides the log: etcd's HardState. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  /** 0 for messages that never leave a node's own driver (local proposals). */
  readonly term: number;
}

export interface VoteRequest extends Envelope {
  readonly type: 'vote';
  readonly lastIndex: number;
  readonly lastTerm: number;
  /**
   * Set on the campaign a leadership transfer starts (etcd's campaignTransfer): the old
   * leader asked for it, so voters that still hear that leader must not ignore it.
   */
  readonly transfer?: true;
}

/**
 * "Could I win?": sent for the term the sender would campaign in (its term + 1), without
 * raising its own term or vote. The receiver changes nothing either.
 */
export interface PreVoteRequest extends Envelope {
  readonly type: 'preVote';
  readonly lastIndex: number;
  readonly lastTerm: number;
}

/** Granted answers carry the asked-for term; refusals the responder's own term. */
export interface PreVoteResponse extends Envelope {
  readonly type: 'preVoteResp';
  readonly granted: boolean;
}

/** The leader hands over: the receiver, whose log is as long as the leader's, campaigns at once. */
export interface TimeoutNow extends Envelope {
  readonly type: 'timeoutNow';
}

export interface VoteResponse extends Envelope {
  readonly type: 'voteResp';
  readonly granted: boolean;
}

export interface AppendRequest extends Envelope {
  readonly type: 'app';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * On success `index` is the follower's last index covered by the append.
 * On rejection `index` is the prevIndex that did not match and the hint names
 * where the follower's log could match, so the leader skips a whole term per round trip.
 */
export interface AppendResponse extends Envelope {
  readonly type: 'appResp';
  readonly index: number;
  readonly reject: boolean;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

export interface Heartbeat extends Envelope {
  readonly type: 'heartbeat';
  readonly commit: number;
  /** The newest pending ReadIndex request id this round confirms, or '' for none. */
  readonly context: string;
}

export interface HeartbeatResponse extends Envelope {
  readonly type: 'heartbeatResp';
  readonly context: string;
}

/** A proposal a follower forwards to the leader it knows. */
export interface ProposalForward extends Envelope {
  readonly type: 'prop';
  readonly data: readonly string[];
}

/** A follower asks the leader for a read index on behalf of a local read. */
export interface ReadIndexRequest extends Envelope {
  readonly type: 'readIndex';
  readonly context: string;
}

export interface ReadIndexResponse extends Envelope {
  readonly type: 'readIndexResp';
  readonly context: string;
  readonly index: number;
}

/**
 * InstallSnapshot: the leader no longer holds the entries the follower needs, so it sends
 * the state they add up to. The follower answers with an appResp at the snapshot's index.
 */
export interface SnapshotMessage extends Envelope {
  readonly type: 'snap';
  readonly snapshot: Snapshot;
}

export type Message =
  | VoteRequest
  | VoteResponse
  | PreVoteRequest
  | PreVoteResponse
  | TimeoutNow
  | AppendRequest
  | AppendResponse
  | Heartbeat
  | HeartbeatResponse
  | ProposalForward
  | ReadIndexRequest
  | ReadIndexResponse
  | SnapshotMessage;

export type MessageType = Message['type'];

/** A read may be served once the node has applied up to `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

/**
 * Everything the driver must do, in this order: persist `snapshot` (it replaces the whole
 * stored log), then `entries` (replacing any stored entries from `entries[0].index` on) and
 * `hardState`, sync when `mustSync`, then send `messages`, then restore the state machine
 * from `snapshot`, apply `committed`, and call `advance()`.
 */
export interface Ready {
  /** A snapshot installed from the leader, or null. The node's own compactions never appear here. */
  readonly snapshot: Snapshot | null;
  readonly hardState: HardState | null;
  readonly entries: readonly Entry[];
  readonly mustSync: boolean;
  readonly messages: readonly Message[];
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

export type ProposeResult =
  | { readonly kind: 'appended'; readonly index: number; readonly term: number }
  | { readonly kind: 'forwarded'; readonly leader: NodeId }
  | { readonly kind: 'dropped'; readonly reason: 'no leader' | 'leadership transfer' | 'uncommitted limit' };

/**
 * One step of a membership change, as etcd's ConfChangeSingle. `update` (etcd's
 * ConfChangeUpdateNode) changes nothing Raft knows: it carries news about a member (the
 * real server's new peer URL, in the context) through the log, to every member in order.
 */
export interface ConfChangeSingle {
  readonly type: 'add-voter' | 'add-learner' | 'remove' | 'update';
  readonly node: NodeId;
}

/**
 * A membership change, as etcd's ConfChangeV2. One change (or none) without `joint` is a
 * single-step change; several changes, or `joint`, enter joint consensus, which is left
 * by an empty change, or on its own once committed when `autoLeave` is set (the default
 * for a joint change, as etcd's ConfChangeTransitionAuto).
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeSingle[];
  readonly joint?: boolean;
  readonly autoLeave?: boolean;
  /**
   * The driver's own words about the change, carried in the entry and opaque to Raft (etcd's
   * ConfChange context): the real server puts the new member's name and peer URL here.
   */
  readonly context?: string;
}

/** Conf changes are proposed at the leader only; it refuses one that breaks the rules (see membership.ts). */
export type ConfProposeResult =
  | { readonly kind: 'appended'; readonly index: number; readonly term: number }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Who is in the cluster, as etcd's ConfState: the voters, the learners (who receive the
 * log but neither vote nor count for commit), and during joint consensus the outgoing
 * voters and the learners that become learners only once the joint configuration is left.
 */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** The outgoing configuration's voters while the cluster is joint; empty otherwise. */
  readonly votersOutgoing: readonly NodeId[];
  readonly learnersNext: readonly NodeId[];
  /** Leave the joint configuration on its own once it commits (etcd's AutoLeave). */
  readonly autoLeave: boolean;
}

/** A snapshot stands for the log up to `index` (whose term was `term`) and the membership then. */
export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly conf: ConfState;
}

/** `data` is the state machine's own encoding, opaque to Raft. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: string;
}
