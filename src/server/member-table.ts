import { z } from 'zod';
import type { ConfChange, NodeId } from '../raft/types.js';

/**
 * Who the members of a real cluster are, beyond their Raft ids: each one's name, peer URL
 * and whether it is a learner. Raft decides the membership; this table follows it, one
 * applied conf change at a time, the way etcd's membership store follows its raft log:
 * an added member's name and peer URL travel in the conf change's context, so every member
 * learns them from the same entry, and so does an updated member's new peer URL. Raft ids are never reused: a removed member's id stays
 * taken, and a new member gets the next one.
 */

export interface MemberRecord {
  readonly id: NodeId;
  readonly name: string;
  readonly peerUrl: string;
  readonly learner: boolean;
}

/** The table as it is stored: in the WAL's header (the table a member was born into) and in snapshots. */
export interface MemberTableState {
  readonly members: readonly MemberRecord[];
  readonly removed: readonly NodeId[];
}

/**
 * What a member needs to boot again without asking anyone: the voters its Raft log starts
 * from (the cluster's first configuration, which the log's conf changes build on) and the
 * member table it first knew (then kept in step by the conf changes it replays).
 */
export interface ClusterBirth {
  readonly voters: readonly NodeId[];
  readonly table: MemberTableState;
}

/** What an add carries in its conf change's context. */
interface AddContext {
  readonly name: string;
  readonly peerUrl: string;
}

export const memberRecordSchema = z.strictObject({ id: z.number().int().min(1), name: z.string(), peerUrl: z.string(), learner: z.boolean() });
const stateSchema = z.strictObject({ members: z.array(memberRecordSchema), removed: z.array(z.number().int().min(1)) });
const contextSchema = z.strictObject({ name: z.string(), peerUrl: z.string() });
const updateContextSchema = z.strictObject({ peerUrl: z.string() });

/** The stored table, or an error naming what is wrong (a snapshot or WAL header that is not ours). */
export function parseMemberTable(value: unknown): { ok: true; state: MemberTableState } | { ok: false; reason: string } {
  const parsed = stateSchema.safeParse(value);
  return parsed.success ? { ok: true, state: parsed.data } : { ok: false, reason: z.prettifyError(parsed.error).split('\n')[0] };
}

const votersSchema = z.array(z.number().int().min(1));

/** A stored or fetched ClusterBirth, or which part of it is wrong. */
export function parseClusterBirth(value: unknown): { ok: true; birth: ClusterBirth } | { ok: false; field: 'voters' | 'table'; reason: string } {
  const { voters, table } = (typeof value === 'object' && value !== null ? value : {}) as { voters?: unknown; table?: unknown };
  const parsedVoters = votersSchema.safeParse(voters);
  if (!parsedVoters.success) return { ok: false, field: 'voters', reason: 'not a list of member ids' };
  const parsedTable = parseMemberTable(table);
  if (!parsedTable.ok) return { ok: false, field: 'table', reason: parsedTable.reason };
  return { ok: true, birth: { voters: parsedVoters.data, table: parsedTable.state } };
}

export function addContext(name: string, peerUrl: string): string {
  return JSON.stringify({ name, peerUrl } satisfies AddContext);
}

/** What an update carries in its conf change's context: the member's new peer URL. */
export function updateContext(peerUrl: string): string {
  return JSON.stringify({ peerUrl });
}

/**
 * A real member's snapshot holds the member table beside the store, as etcd's holds its
 * membership: a member restarting from it, or a new one installing it, learns who the
 * members are even though the conf changes that made them are compacted away. The table
 * is one line in front of the store's own snapshot; a snapshot without it (written before
 * members could change) holds the store alone.
 */
const TABLE_LINE = 'raftsim-members ';

export function snapshotWithTable(table: MemberTableState, store: string): string {
  return `${TABLE_LINE}${JSON.stringify(table)}\n${store}`;
}

export function splitSnapshot(data: string): { table: MemberTableState | undefined; store: string } {
  if (!data.startsWith(TABLE_LINE)) return { table: undefined, store: data };
  const newline = data.indexOf('\n');
  const parsed = parseMemberTable(safeJson(data.slice(TABLE_LINE.length, newline < 0 ? data.length : newline)));
  if (!parsed.ok) throw new Error(`the snapshot's member table is damaged: ${parsed.reason}`);
  return { table: parsed.state, store: newline < 0 ? '' : data.slice(newline + 1) };
}

export class MemberTable {
  private readonly members = new Map<NodeId, MemberRecord>();
  private readonly removed = new Set<NodeId>();

  constructor(state: MemberTableState) {
    this.replace(state);
  }

  /** A snapshot's table replaces this one: the changes it covers are gone from the log. */
  replace(state: MemberTableState): void {
    this.members.clear();
    this.removed.clear();
    for (const member of state.members) this.members.set(member.id, member);
    for (const id of state.removed) this.removed.add(id);
  }

  get(id: NodeId): MemberRecord | undefined {
    return this.members.get(id);
  }

  /** Members in id order. */
  list(): MemberRecord[] {
    return [...this.members.values()].sort((a, b) => a.id - b.id);
  }

  has(id: NodeId): boolean {
    return this.members.has(id);
  }

  wasRemoved(id: NodeId): boolean {
    return this.removed.has(id);
  }

  byPeerUrl(peerUrl: string): MemberRecord | undefined {
    return this.list().find((member) => member.peerUrl === peerUrl);
  }

  /** The id a new member gets: past every id a member ever had. */
  nextId(): NodeId {
    return Math.max(0, ...this.members.keys(), ...this.removed) + 1;
  }

  /**
   * An applied conf change, in the order Raft applied it. A change Raft refused on apply
   * (`applied` false) leaves the table as it is, as it left the configuration.
   */
  apply(cc: ConfChange, applied: boolean): void {
    if (!applied) return;
    const raw = cc.context === undefined ? undefined : safeJson(cc.context);
    const context = raw === undefined ? undefined : contextSchema.safeParse(raw);
    for (const change of cc.changes) {
      if (change.type === 'update') {
        const known = this.members.get(change.node);
        const update = updateContextSchema.safeParse(raw);
        if (known && update.success) this.members.set(change.node, { ...known, peerUrl: update.data.peerUrl });
        continue;
      }
      if (change.type === 'remove') {
        this.members.delete(change.node);
        this.removed.add(change.node);
        continue;
      }
      const known = this.members.get(change.node);
      const learner = change.type === 'add-learner';
      if (known) this.members.set(change.node, { ...known, learner });
      else if (context?.success) this.members.set(change.node, { id: change.node, ...context.data, learner });
    }
  }

  state(): MemberTableState {
    return { members: this.list(), removed: [...this.removed].sort((a, b) => a - b) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
