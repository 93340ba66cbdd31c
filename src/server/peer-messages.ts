import { z } from 'zod';
import { kvCommandSchema } from '../kv/commands.js';
import type { KvRequest } from '../kv/protocol.js';
import type { Message, NodeId } from '../raft/types.js';
import type { MembershipRequest, MembershipResult } from './member-changes.js';
import { memberRecordSchema } from './member-table.js';
import { GRPC } from './gateway-errors.js';

/**
 * Raft messages as they arrive from peers, checked before the node steps them: the node
 * trusts its input, and a malformed or misaddressed message must not stop a member.
 */
const id = z.number().int().min(0);
const count = z.number().int().min(0);
const envelope = { from: id, to: id, term: count };
const entry = z.strictObject({ index: z.number().int().min(1), term: count, data: z.string().nullable(), type: z.literal('conf').optional() });

const members = z.array(z.number().int().min(1));
const conf = z.strictObject({ voters: members, learners: members, votersOutgoing: members, learnersNext: members, autoLeave: z.boolean() });
const snapshot = z.strictObject({
  metadata: z.strictObject({ index: z.number().int().min(1), term: z.number().int().min(1), conf }),
  data: z.string(),
});

const messageSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...envelope, type: z.literal('vote'), lastIndex: count, lastTerm: count, transfer: z.literal(true).optional() }),
  z.strictObject({ ...envelope, type: z.literal('voteResp'), granted: z.boolean() }),
  z.strictObject({ ...envelope, type: z.literal('preVote'), lastIndex: count, lastTerm: count }),
  z.strictObject({ ...envelope, type: z.literal('preVoteResp'), granted: z.boolean() }),
  z.strictObject({ ...envelope, type: z.literal('timeoutNow') }),
  z.strictObject({ ...envelope, type: z.literal('app'), prevIndex: count, prevTerm: count, entries: z.array(entry), commit: count }),
  z.strictObject({ ...envelope, type: z.literal('appResp'), index: count, reject: z.boolean(), hintIndex: count, hintTerm: count }),
  z.strictObject({ ...envelope, type: z.literal('heartbeat'), commit: count, context: z.string() }),
  z.strictObject({ ...envelope, type: z.literal('heartbeatResp'), context: z.string() }),
  z.strictObject({ ...envelope, type: z.literal('prop'), data: z.array(z.string()) }),
  z.strictObject({ ...envelope, type: z.literal('readIndex'), context: z.string() }),
  z.strictObject({ ...envelope, type: z.literal('readIndexResp'), context: z.string(), index: count }),
  z.strictObject({ ...envelope, type: z.literal('snap'), snapshot }),
]);

const batchSchema = z.array(messageSchema);

/**
 * The batch, or why it was refused (`unknownSender`: the sender that is no member). Messages
 * must come from a known peer and be for `self`.
 */
export function parseMessageBatch(
  body: string,
  self: NodeId,
  peers: { has(id: NodeId): boolean },
): { ok: true; messages: Message[] } | { ok: false; reason: string; unknownSender?: NodeId } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = batchSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: z.prettifyError(parsed.error).split('\n')[0] };
  for (const message of parsed.data) {
    if (message.to !== self) return { ok: false, reason: `a message for member ${message.to}, not ${self}` };
    if (!peers.has(message.from)) return { ok: false, reason: `a message from unknown member ${message.from}`, unknownSender: message.from };
    // A leader snapshots only what it committed, which no later term can change.
    if (message.type === 'snap' && message.snapshot.metadata.term > message.term) return { ok: false, reason: `a snapshot of term ${message.snapshot.metadata.term} in a message of term ${message.term}` };
  }
  return { ok: true, messages: parsed.data as Message[] };
}

const idSchema = z.number().int();

/**
 * A client request forwarded by a follower, checked before the leader proposes it: an entry
 * that fails to decode would stop every replica that applies it, at every restart, so no
 * request reaches the log that the log's own schema (src/kv/commands.ts) would refuse.
 */
export function parseForwardedRequest(raw: unknown): KvRequest | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const request = raw as { kind?: unknown; req?: unknown; revision?: unknown; ttl?: unknown; id?: unknown; serializable?: unknown };
  const command = (op: string, fields: unknown) =>
    typeof fields === 'object' && fields !== null && kvCommandSchema.safeParse({ ...fields, op }).success;
  switch (request.kind) {
    case 'range':
      return command('range', request.req) && (request.serializable === undefined || typeof request.serializable === 'boolean') ? (raw as KvRequest) : undefined;
    case 'put':
    case 'deleteRange':
    case 'txn':
      return command(request.kind, request.req) ? (raw as KvRequest) : undefined;
    case 'compact':
      return idSchema.safeParse(request.revision).success ? (raw as KvRequest) : undefined;
    case 'leaseGrant':
      return idSchema.safeParse(request.ttl).success ? (raw as KvRequest) : undefined;
    case 'leaseRevoke':
    case 'leaseKeepAlive':
    case 'leaseTimeToLive':
      return idSchema.safeParse(request.id).success ? (raw as KvRequest) : undefined;
    default:
      return undefined;
  }
}

const membershipSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('add'), name: z.string(), peerUrl: z.string().url(), learner: z.boolean() }),
  z.strictObject({ kind: z.literal('remove'), id: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('promote'), id: z.number().int().min(1) }),
  z.strictObject({ kind: z.literal('update'), id: z.number().int().min(1), peerUrl: z.string().url() }),
]);

/** A membership change a follower passed on, checked before the leader proposes it. */
export function parseMembershipRequest(raw: unknown): MembershipRequest | undefined {
  const parsed = membershipSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

const membershipResultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('done'), member: memberRecordSchema, members: z.array(memberRecordSchema) }),
  z.strictObject({ kind: z.literal('error'), code: z.enum(GRPC), message: z.string() }),
]);

/** The leader's answer to a membership change a follower passed on. */
export function parseMembershipResult(raw: unknown): MembershipResult | undefined {
  const parsed = membershipResultSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
