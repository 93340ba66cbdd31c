import type { TraceFile } from '../sim/trace-file.js';
import type { TraceEvent } from '../sim/trace.js';
import type { ConfState } from '../src/raft/types.js';

export type { ConfState };

/**
 * The shapes the viewer draws. Everything here is plain data computed once from a
 * trace by `prepare.ts`, so the browser code only maps it to pixels and the node
 * tests can check it without a DOM.
 */

export type Role = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** The checker's verdict as a trace file may carry it (optional, added by the KV work). */
export interface Linearizability {
  readonly verdict: 'linearizable' | 'not-linearizable' | 'unknown';
  readonly counterexample?: {
    readonly keys: readonly string[];
    /** Op ids in linearization order; the checker's richer form ({id, ...}) is accepted too. */
    readonly prefix: readonly (number | { readonly id: number })[];
    readonly impossible: readonly (number | { readonly id: number })[];
  };
}

/**
 * A trace file as the viewer reads it: the version 1 format, loosened where the
 * viewer accepts more than the simulator writes (any invariant name, the
 * counterexample with or without the checker's detail).
 */
export type ViewerTrace = Omit<TraceFile, 'linearizability' | 'violations'> & {
  readonly violations: readonly { readonly invariant: string; readonly message: string; readonly time: number }[];
  readonly linearizability?: Linearizability;
};

/** What the CLI adds next to the trace in the page. */
export interface PageMeta {
  readonly title: string;
  /** The shell command that reproduces the run. */
  readonly command: string;
}

export interface RoleBand {
  readonly node: number;
  readonly start: number;
  end: number;
  readonly role: Role;
  readonly term: number;
  readonly lead: number;
  readonly vote: number;
  /** Index of the event that started the band (-1 for the initial state). */
  readonly index: number;
}

export interface DownSpan {
  readonly node: number;
  readonly kind: 'crashed' | 'paused';
  readonly start: number;
  end: number;
  readonly index: number;
  endIndex: number;
  /** A crash's fate of the unsynced writes ("2 writes lost, torn write"); empty when nothing was pending. */
  readonly note: string;
}

export interface PartitionSpan {
  readonly start: number;
  end: number;
  readonly label: string;
  readonly cuts: readonly (readonly [number, number])[];
  /** Nodes that can still talk both ways, largest group first. */
  readonly groups: readonly (readonly number[])[];
  /** Links cut in one direction only. */
  readonly oneWay: readonly (readonly [number, number])[];
  /** The lanes to mark, each with what it lost in which direction (see faults.ts). */
  readonly lanes: readonly LaneCut[];
  readonly index: number;
}

/** One node's losses under a partition: peers cut both ways, peers it cannot send to, peers it cannot hear. */
export interface LaneCut {
  readonly node: number;
  readonly both: readonly number[];
  readonly sendLost: readonly number[];
  readonly hearLost: readonly number[];
  /** Lanes with the same losses (or in the same minority group) share a tint. */
  readonly tint: number;
  /** `✂ 4,5 →3 ←1`, drawn on the lane. */
  readonly label: string;
}

/** A node whose clock runs at `rate` times true time's speed (never 1). */
export interface ClockSpan {
  readonly node: number;
  readonly start: number;
  end: number;
  readonly rate: number;
  readonly index: number;
}

/** A clogged directed link: from `start` it held every message to `to`, until it let `released` go on (null: held to the end). */
export interface ClogSpan {
  readonly from: number;
  readonly to: number;
  readonly start: number;
  end: number;
  released: number | null;
  readonly index: number;
  endIndex: number;
}

/** A stretch of one lane with the same clogged links: its messages held on the way to `holdsTo`, messages from `heldFrom` held on the way to it. */
export interface ClogLane {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  readonly holdsTo: readonly number[];
  readonly heldFrom: readonly number[];
  /** `▥ →1 ←4`, drawn on the lane. */
  readonly label: string;
}

export interface NetworkSpan {
  readonly start: number;
  end: number;
  readonly minLatencyMs: number;
  readonly latencySpreadMs: number;
  readonly dropRate: number;
  readonly duplicateRate: number;
  /** The long tail: this share of messages takes up to `tailMs` more (0 when off). */
  readonly tailRate: number;
  readonly tailMs: number;
  readonly index: number;
}

/**
 * Where a node stands in a configuration. During joint consensus `incoming` is a voter
 * of the new half only (joining), `outgoing` of the old half only (leaving, or becoming
 * a learner once the joint config is left); `voter` is in both or in a plain config.
 */
export type MemberStatus = 'voter' | 'incoming' | 'outgoing' | 'learner' | 'outside';

/** The cluster's configuration over time: the last conf entry any node applied (by log index). */
export interface ConfSpan {
  readonly start: number;
  end: number;
  readonly conf: ConfState;
  /** Log index of the conf entry (0 for the boot configuration). */
  readonly confIndex: number;
  readonly joint: boolean;
  /** Event index of the first `conf` event that applied it (-1 for the boot configuration). */
  readonly index: number;
}

/** One lane's membership for as long as it does not change; voter spans are not drawn. */
export interface MemberSpan {
  readonly node: number;
  readonly start: number;
  end: number;
  readonly status: MemberStatus;
  /** The ConfSpan (index into Model.confs) that started it. */
  readonly conf: number;
}

/** A leadership transfer from `from` to `to`: started, then finished, abandoned, or open at the end. */
export interface TransferSpan {
  readonly from: number;
  readonly to: number;
  readonly term: number;
  readonly start: number;
  end: number;
  outcome: 'finished' | 'abandoned' | 'open';
  reason: string;
  readonly index: number;
  endIndex: number;
}

/**
 * A moment on one lane: the node compacted its log (`snapshot`), replaced it with its
 * leader's snapshot (`install`), or stepped down as leader (`stepDown`).
 */
export interface LaneMark {
  readonly t: number;
  readonly node: number;
  readonly kind: 'snapshot' | 'install' | 'stepDown';
  /** Short text drawn on the lane. */
  readonly label: string;
  readonly index: number;
}

export type MarkerKind = 'leader' | 'fault' | 'violation';

export interface Marker {
  readonly t: number;
  readonly kind: MarkerKind;
  readonly label: string;
  readonly node: number;
  readonly index: number;
}

export const MSG_DELIVERED = 0;
export const MSG_DROPPED = 1;
/** Still on the wire when the run ended. */
export const MSG_IN_FLIGHT = 2;

/**
 * Messages in columns: a long run has well over 100,000 of them and the canvas
 * layer walks them every frame, so typed arrays beat an array of objects.
 * Rows are in send order, hence sorted by `sendT`.
 */
export interface Messages {
  readonly count: number;
  readonly id: Int32Array;
  /** For a duplicate copy, the id of the message it copies; otherwise -1. */
  readonly copyOf: Int32Array;
  readonly sendT: Float64Array;
  readonly endT: Float64Array;
  /** Addresses: servers are 1..n, clients have their own (100 and up) and their own lanes. */
  readonly from: Uint16Array;
  readonly to: Uint16Array;
  readonly type: Uint8Array;
  readonly status: Uint8Array;
  readonly term: Int32Array;
  /** Event index of the send (or duplicate) and of the deliver/drop (-1 if none). */
  readonly sendIndex: Int32Array;
  readonly endIndex: Int32Array;
  /** Type names, indexed by `type`. */
  readonly types: readonly string[];
  /** Longest time a delivered or dropped message spent on the wire: how far back a window query must look. */
  readonly maxDuration: number;
  /** Rows never resolved: checked separately so one lost-forever message does not widen every query. */
  readonly openRows: Int32Array;
}

export type OpStatus = 'ok' | 'fail' | 'info' | 'pending';

export interface OpBar {
  readonly op: number;
  readonly client: number;
  readonly f: string;
  readonly key: string | undefined;
  /** Every key the op touches (a txn's compares and branches included). */
  readonly keys: readonly string[];
  readonly start: number;
  /** Completion time; for info and pending ops the end of the run (they may take effect any time). */
  readonly end: number;
  readonly status: OpStatus;
  readonly node: number | undefined;
  readonly label: string;
  readonly invokeIndex: number;
  readonly completeIndex: number;
  readonly invokeValue: unknown;
  readonly resultValue: unknown;
}

/** How the viewer draws a non-linearizable history, after Porcupine. */
export interface LinearizationView {
  readonly verdict: Linearizability['verdict'];
  readonly keys: readonly string[];
  /** Prefix op ids in order, with the linearization point chosen for each. */
  readonly points: readonly { readonly op: number; readonly t: number }[];
  readonly impossible: ReadonlySet<number>;
  /** Ops that belong to the failing part (its keys); others are dimmed. */
  readonly involved: ReadonlySet<number>;
}

export interface Model {
  readonly trace: ViewerTrace;
  readonly events: readonly TraceEvent[];
  readonly nodes: readonly number[];
  readonly clients: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly bands: readonly RoleBand[];
  readonly downs: readonly DownSpan[];
  readonly partitions: readonly PartitionSpan[];
  readonly networks: readonly NetworkSpan[];
  readonly clocks: readonly ClockSpan[];
  readonly clogs: readonly ClogSpan[];
  readonly clogLanes: readonly ClogLane[];
  readonly messages: Messages;
  readonly markers: readonly Marker[];
  readonly ops: readonly OpBar[];
  readonly linearization: LinearizationView | null;
  /** The membership at boot: voters 1..members, the other nodes outside. */
  readonly initialConf: ConfState;
  readonly confs: readonly ConfSpan[];
  readonly members: readonly MemberSpan[];
  /** Whether the trace changes or restricts membership at all: the config row is drawn only then. */
  readonly membershipInPlay: boolean;
  readonly transfers: readonly TransferSpan[];
  /** In time order, for window queries. */
  readonly laneMarks: readonly LaneMark[];
}
