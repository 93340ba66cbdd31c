/**
 * Planted bugs: known defects in the Raft node, its host or the KV service that can be
 * switched on one at a time (`raftsim run … --bug NAME`), to show that the harness
 * catches what it claims to catch. With no bug switched on, nothing behaves differently:
 * each switch is read in exactly one place, named by `where`.
 */

export const BUG_NAMES = [
  'figure-8-commit',
  'vote-before-persist',
  'vote-without-log-check',
  'ack-before-sync',
  'truncate-on-every-append',
  'uncapped-follower-commit',
  'local-linearizable-read',
  'fixed-election-timeout',
  'early-read-index',
  'reapply-after-restart',
  'watch-skips-on-leader-change',
  'empty-write-bumps-revision',
  'leader-overwrites-own-entry',
] as const;

export type BugName = (typeof BUG_NAMES)[number];

/** The switches as the code reads them: `if (this.bugs.figure8Commit)`. All off by default. */
export interface BugSwitches {
  readonly figure8Commit?: boolean;
  readonly voteBeforePersist?: boolean;
  readonly voteWithoutLogCheck?: boolean;
  readonly ackBeforeSync?: boolean;
  readonly truncateOnEveryAppend?: boolean;
  readonly uncappedFollowerCommit?: boolean;
  readonly localLinearizableRead?: boolean;
  readonly fixedElectionTimeout?: boolean;
  readonly earlyReadIndex?: boolean;
  readonly reapplyAfterRestart?: boolean;
  readonly watchSkipsOnLeaderChange?: boolean;
  readonly emptyWriteBumpsRevision?: boolean;
  readonly leaderOverwritesOwnEntry?: boolean;
}

export const NO_BUGS: BugSwitches = Object.freeze({});

export interface PlantedBug {
  readonly name: BugName;
  readonly switch: keyof BugSwitches;
  /** What the defective code does, in one line. */
  readonly description: string;
  /** The rule of the Raft paper, or the etcd guarantee, that it breaks. */
  readonly breaks: string;
  /** The file and function that read the switch. */
  readonly where: string;
}

export const PLANTED_BUGS: readonly PlantedBug[] = [
  {
    name: 'figure-8-commit',
    switch: 'figure8Commit',
    description: 'the leader commits an entry of an earlier term once it counts it on a majority',
    breaks: '§5.4.2 and Figure 8: only entries of the current term are committed by counting replicas',
    where: 'src/raft/replication.ts maybeCommit',
  },
  {
    name: 'vote-before-persist',
    switch: 'voteBeforePersist',
    description: 'a node answers a vote request before its new term and vote are synced to disk',
    breaks: 'Figure 2: currentTerm and votedFor are updated on stable storage before responding to RPCs',
    where: 'src/raft/node.ts ready (mustSync)',
  },
  {
    name: 'vote-without-log-check',
    switch: 'voteWithoutLogCheck',
    description: 'a node grants its vote without checking that the candidate\'s log is at least as up to date',
    breaks: '§5.4.1 election restriction: vote only for a candidate whose log is at least as up to date',
    where: 'src/raft/election.ts handleVoteRequest',
  },
  {
    name: 'ack-before-sync',
    switch: 'ackBeforeSync',
    description: 'a node acknowledges appended entries before they are synced to disk',
    breaks: 'Figure 2: log entries are on stable storage before responding to RPCs (a committed entry is durable on a majority)',
    where: 'src/raft/node.ts ready (mustSync)',
  },
  {
    name: 'truncate-on-every-append',
    switch: 'truncateOnEveryAppend',
    description: 'a follower truncates its log after every append, even where the existing entries match',
    breaks: 'Figure 2, AppendEntries step 3: delete existing entries only when they conflict with a new one',
    where: 'src/raft/log.ts appendAfterMatch',
  },
  {
    name: 'uncapped-follower-commit',
    switch: 'uncappedFollowerCommit',
    description: 'a follower takes the leader\'s commit index without capping it at the last entry the message vouches for (the last new entry of an append; for a heartbeat, the follower\'s match)',
    breaks: 'Figure 2, AppendEntries step 5: commitIndex = min(leaderCommit, index of last new entry)',
    where: 'src/raft/follower.ts handleAppend and src/raft/replication.ts broadcastHeartbeat',
  },
  {
    name: 'local-linearizable-read',
    switch: 'localLinearizableRead',
    description: 'a leader serves linearizable reads from its local store without ReadIndex',
    breaks: '§6.4 / etcd: a linearizable read confirms leadership with a quorum before it is served',
    where: 'src/kv/service.ts handle',
  },
  {
    name: 'fixed-election-timeout',
    switch: 'fixedElectionTimeout',
    description: 'every node uses the same, non-randomized election timeout',
    breaks: '§5.2: randomized election timeouts make split votes rare (liveness)',
    where: 'src/raft/roles.ts resetElectionTimer',
  },
  {
    name: 'early-read-index',
    switch: 'earlyReadIndex',
    description: 'a new leader answers ReadIndex before it has committed an entry of its own term',
    breaks: '§6.4 / §8: a leader knows the commit index only once it has committed an entry of its term',
    where: 'src/raft/reads.ts handleReadIndex',
  },
  {
    name: 'reapply-after-restart',
    switch: 'reapplyAfterRestart',
    description: 'a restarted host replays its committed log into the state machine and then applies what Raft hands out again',
    breaks: 'Figure 2 / etcd: each committed entry is applied exactly once, in log order (lastApplied)',
    where: 'sim/node-host.ts restart',
  },
  {
    name: 'watch-skips-on-leader-change',
    switch: 'watchSkipsOnLeaderChange',
    description: 'a watch drops the first batch of events it would send after the Raft term changes',
    breaks: 'etcd watch guarantee: events are delivered in order, with no gaps and no duplicates',
    where: 'src/kv/service.ts handle (watchCreate)',
  },
  {
    name: 'empty-write-bumps-revision',
    switch: 'emptyWriteBumpsRevision',
    description: 'a request that changes nothing (a delete of a missing key, a txn whose branch only reads) still creates a revision',
    breaks: 'etcd: the store revision grows by exactly one per request that changes the store, and not at all for one that changes nothing',
    where: 'src/kv/store.ts endWrite',
  },
  {
    name: 'leader-overwrites-own-entry',
    switch: 'leaderOverwritesOwnEntry',
    description: 'a leader puts a proposal in place of its last entry, while that is uncommitted and of its own term, instead of after it',
    breaks: 'Figure 3, Leader Append-Only: a leader never overwrites or deletes entries in its log; it only appends new entries',
    where: 'src/raft/replication.ts appendEntry',
  },
];

export function isBugName(name: string): name is BugName {
  return (BUG_NAMES as readonly string[]).includes(name);
}

export function plantedBug(name: BugName): PlantedBug {
  return PLANTED_BUGS.find((bug) => bug.name === name)!;
}

/** The switches for one bug, or every switch off. */
export function bugSwitches(name: BugName | undefined): BugSwitches {
  return name === undefined ? NO_BUGS : { [plantedBug(name).switch]: true };
}
