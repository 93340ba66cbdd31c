// What a simulated server (NodeHost) is built from: its options, the state machine it applies
// to, and what it needs from the rest of the simulation.
import type { BugSwitches } from '../src/bugs.js';
import type { ElectionOptions } from '../src/raft/election.js';
import type { KvRequest } from '../src/kv/protocol.js';
import type { RaftAccess } from '../src/kv/service.js';
import type { Entry, Message, NodeId, ReadState } from '../src/raft/types.js';
import type { InvariantChecker } from './invariants.js';
import type { RandomStream } from './random.js';
import type { TraceRecorder } from './trace.js';
import type { TransferWatch } from './transfers.js';

/** What the host needs from the rest of the simulation. */
export interface HostContext {
  readonly trace: TraceRecorder;
  readonly invariants: InvariantChecker;
  /** Where leadership transfers are followed to their end (for the trace). */
  readonly transfers: TransferWatch;
  now(): number;
  send(message: Message): void;
  /**
   * The term of the entry at `index` on `node`'s disk, 0 when absent. Given, each leader
   * commit is checked to be durable on a majority of the leader's config (see Simulation).
   */
  readonly durablyHolds?: (node: NodeId, index: number, term: number) => boolean;
  /** Runs `callback` after `delayMs` of simulated time (a slow disk's sync completing). */
  schedule(delayMs: number, callback: () => void): void;
  /** This host's role or term changed, or it crashed or restarted: who leads may have changed. */
  leadershipMayHaveChanged(): void;
}

/** The state machine a host applies committed entries to (the KV service, or a plain log). */
export interface StateMachine {
  apply(entry: Entry): void;
  /** Everything the applied entries built, encoded deterministically (for a Raft snapshot). */
  snapshot(): string;
  /** Becomes the state `snapshot()` encoded at Raft index `appliedIndex`, dropping whatever was applied before. */
  restore(data: string, appliedIndex: number): void;
  onReadState?(read: ReadState): void;
  tick?(): void;
  handle?(client: number, requestId: number, request: KvRequest): void;
}

/** PreVote, CheckQuorum and the read mode go to the node as they are. */
export interface HostOptions extends ElectionOptions {
  readonly id: NodeId;
  /** The voters the cluster is bootstrapped with; membership changes move on from there. */
  readonly voters: readonly NodeId[];
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly timers: RandomStream;
  /** A fresh state machine for each incarnation: volatile state is rebuilt from the log. */
  readonly makeStateMachine: (raft: RaftAccess, incarnation: number) => StateMachine;
  /** Planted defects (src/bugs.ts); the host passes them to its Raft node. */
  readonly bugs?: BugSwitches;
  /** Flow control: entries per append message, and unacknowledged appends per follower. */
  readonly maxEntriesPerAppend?: number;
  readonly maxInflight?: number;
  readonly maxBytesPerAppend?: number;
  readonly maxUncommittedBytes?: number;
  /** Compact once this many entries were applied since the last snapshot; 0 never compacts. */
  readonly snapshotEntries?: number;
  readonly snapshotCatchUpEntries?: number;
}
