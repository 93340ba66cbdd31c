import type { BugSwitches } from '../bugs.js';
import type { ElectionNotice } from './election.js';
import { RaftLog } from './log.js';
import { bootstrapConf, Configuration } from './membership.js';
import type { RaftConfig } from './node.js';
import type { Progress } from './progress.js';
import { ReadOnlyQueue } from './read-only.js';
import { SnapshotKeeper } from './snapshot.js';
import { UncommittedQuota } from './uncommitted.js';
import { NONE } from './types.js';
import type { HardState, Message, NodeId, ReadState, Role } from './types.js';

const EMPTY_HARD_STATE: HardState = { term: 0, vote: NONE, commit: 0 };

/**
 * The fields of one Raft node, shared by the modules that make up its behaviour: roles.ts
 * (role changes), election.ts (campaigns, votes, CheckQuorum, transfers), replication.ts
 * (the leader's side of the log), follower.ts (the follower's side), reads.ts (linearizable
 * reads) and conf-change.ts (membership). Each of those is plain functions of this state;
 * RaftNode (node.ts) owns one and is the only public face of it. Internal to src/raft.
 */
export class NodeState {
  readonly id: NodeId;
  term: number;
  vote: NodeId;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  applied = 0;

  readonly config: RaftConfig;
  /** The membership in force: the last conf change applied (see membership.ts). */
  configuration: Configuration;
  /** The index of the newest conf change the leader appended; no other is taken until it is applied. */
  pendingConfIndex = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  readonly votes = new Map<NodeId, boolean>();
  readonly progress = new Map<NodeId, Progress>();
  readonly readOnly = new ReadOnlyQueue();
  /** ReadIndex requests that arrive before the leader has committed an entry of its term. */
  deferredReads: { context: string; requester: NodeId }[] = [];
  outbox: Message[] = [];
  /** Proposals appended since the last ready, their appends not sent yet (see sendBatchedProposals). */
  appendsDue = false;
  /** Proposals to forward to the leader with the next ready. */
  forwarding: string[] = [];
  /** The voter a leadership transfer hands over to, or NONE; proposals wait while one is pending. */
  transferee: NodeId = NONE;
  /** A leader that applied its own removal (or demotion) hands leadership over, then steps down (see conf-change.ts). */
  handingOver = false;
  notices: ElectionNotice[] = [];
  readStates: ReadState[] = [];
  persisted: HardState;
  readonly maxEntriesPerAppend: number;
  readonly maxInflight: number;
  readonly maxBytesPerAppend: number;
  readonly uncommitted: UncommittedQuota;
  readonly snapshotCatchUpEntries: number;
  readonly snapshots: SnapshotKeeper;
  readonly bugs: BugSwitches;
  private peersOf: Configuration | null = null;
  private peerList: readonly NodeId[] = [];

  /** Takes what `config.restored` holds; the caller then draws the first election timeout. */
  constructor(config: RaftConfig) {
    this.config = config;
    this.id = config.id;
    const snapshot = config.restored?.snapshot ?? null;
    // The conf entries a snapshot covers are gone from the log: the membership comes with it.
    this.configuration = new Configuration(snapshot?.metadata.conf ?? config.restored?.conf ?? bootstrapConf(config.voters));
    const hardState = config.restored?.hardState ?? EMPTY_HARD_STATE;
    this.term = hardState.term;
    this.vote = hardState.vote;
    const snapshotIndex = snapshot?.metadata.index ?? 0;
    const stored = config.restored?.entries ?? [];
    const entries = stored.length > 0 && stored[0].index <= snapshotIndex ? stored.filter((entry) => entry.index > snapshotIndex) : stored;
    this.log = new RaftLog(entries, hardState.commit, snapshotIndex, snapshot?.metadata.term ?? 0);
    this.snapshots = new SnapshotKeeper(snapshot);
    this.applied = snapshotIndex;
    this.persisted = hardState;
    this.maxEntriesPerAppend = config.maxEntriesPerAppend ?? 64;
    this.maxInflight = config.maxInflight ?? 64;
    this.maxBytesPerAppend = config.maxBytesPerAppend ?? 0;
    this.uncommitted = new UncommittedQuota(config.maxUncommittedBytes ?? 0);
    this.snapshotCatchUpEntries = config.snapshotCatchUpEntries ?? 0;
    this.bugs = config.bugs ?? {};
  }

  send(m: Message): void {
    this.outbox.push(m);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  hardStateChanged(): boolean {
    const p = this.persisted;
    return p.term !== this.term || p.vote !== this.vote || p.commit !== this.log.committed;
  }

  /** Everyone the leader sends the log and heartbeats to: voters and learners. */
  peers(): readonly NodeId[] {
    // Asked on every broadcast; worked out again only when the configuration is replaced.
    if (this.peersOf !== this.configuration) {
      this.peersOf = this.configuration;
      this.peerList = this.configuration.members.filter((member) => member !== this.id);
    }
    return this.peerList;
  }

  /** Whom to ask for votes: every voter of the config in force (of both halves when joint) but this node. */
  otherVoters(): NodeId[] {
    return this.configuration.voters().filter((voter) => voter !== this.id);
  }

  /** Learners and nodes outside the config never campaign. */
  isVoter(): boolean {
    return this.configuration.isVoter(this.id);
  }

  hasQuorum(acks: ReadonlySet<NodeId>): boolean {
    return this.configuration.quorum.voteResult((id) => (acks.has(id) ? true : undefined)) === 'won';
  }
}
