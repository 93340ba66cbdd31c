import type { ConfChange, NodeId } from '../raft/types.js';
import { GatewayError, GRPC, noLeader, requestTimedOut, type GrpcCode } from './gateway-errors.js';
import { postJson } from './http-util.js';
import type { Member } from './member.js';
import { addContext, updateContext, type MemberRecord, type MemberTable } from './member-table.js';
import { parseMembershipResult } from './peer-messages.js';
import { strictReconfigCheck, type PeerActivity } from './reconfig-check.js';

/**
 * `member add`, `remove`, `promote` and `update`, as etcd's cluster API has them: each
 * is one Raft conf change, proposed by the leader (a follower passes the request on to it)
 * and answered once the leader has applied it.
 */

/** Where followers pass membership changes on to the leader, on its peer URL. */
export const MEMBERSHIP_PATH = '/raftsim/membership';

export type MembershipRequest =
  | { readonly kind: 'add'; readonly name: string; readonly peerUrl: string; readonly learner: boolean }
  | { readonly kind: 'remove'; readonly id: NodeId }
  | { readonly kind: 'promote'; readonly id: NodeId }
  | { readonly kind: 'update'; readonly id: NodeId; readonly peerUrl: string };

/** How a change ended: the member it was about, or an etcd error (code and message). */
export type MembershipResult =
  /** `members`: the leader's table once it applied the change (a follower's may not have yet). */
  | { readonly kind: 'done'; readonly member: MemberRecord; readonly members: readonly MemberRecord[] }
  | { readonly kind: 'error'; readonly code: GrpcCode; readonly message: string };

export type MembershipFailure = Extract<MembershipResult, { kind: 'error' }>;

/** etcd's default --experimental-max-learners. */
const MAX_LEARNERS = 1;
/** etcd promotes a learner only once its log reaches 90% of the leader's. */
const LEARNER_READY_SHARE = 0.9;
const RETRY_MS = 25;

const fail = (code: GrpcCode, message: string): MembershipFailure => ({ kind: 'error', code, message });
export const memberNotFound = (): MembershipFailure => fail(GRPC.NotFound, 'etcdserver: member not found');

/**
 * At the leader: checks the request against the table, proposes its conf change and waits
 * for it to apply. `undefined` when this member does not lead (the caller passes it on).
 */
export async function changeAtLeader(
  member: Member,
  table: MemberTable,
  peers: PeerActivity,
  request: MembershipRequest,
  timeoutMs: number,
): Promise<MembershipResult | undefined> {
  const node = member.node;
  if (node.role !== 'leader') return undefined;
  let cc: ConfChange;
  let id: NodeId;
  if (request.kind === 'add') {
    if (table.byPeerUrl(request.peerUrl)) return fail(GRPC.FailedPrecondition, 'etcdserver: Peer URLs already exists');
    if (request.learner && table.list().filter((m) => m.learner).length >= MAX_LEARNERS) {
      return fail(GRPC.FailedPrecondition, 'etcdserver: too many learner members in cluster');
    }
    id = table.nextId();
    cc = { changes: [{ type: request.learner ? 'add-learner' : 'add-voter', node: id }], context: addContext(request.name, request.peerUrl) };
  } else {
    id = request.id;
    const known = table.get(id);
    if (!known) return memberNotFound();
    if (request.kind === 'promote') {
      if (!known.learner) return fail(GRPC.FailedPrecondition, 'etcdserver: can only promote a learner member');
      const match = node.progressOf(id)?.match ?? 0;
      if (match < LEARNER_READY_SHARE * node.log.lastIndex()) {
        return fail(GRPC.FailedPrecondition, 'etcdserver: can only promote a learner member which is in sync with leader');
      }
    }
    if (request.kind === 'update') {
      const holder = table.byPeerUrl(request.peerUrl);
      if (holder && holder.id !== id) return fail(GRPC.FailedPrecondition, 'etcdserver: Peer URLs already exists');
      cc = { changes: [{ type: 'update', node: id }], context: updateContext(request.peerUrl) };
    } else cc = { changes: [{ type: request.kind === 'promote' ? 'add-voter' : 'remove', node: id }] };
  }
  const before = table.get(id);
  const unsafe = strictReconfigCheck(request, node.confState().voters, before?.learner ?? false, peers);
  if (unsafe) return unsafe;
  const outcome = await member.changeMembership(cc, timeoutMs);
  switch (outcome.kind) {
    case 'applied':
      return { kind: 'done', member: table.get(id) ?? before ?? { id, name: '', peerUrl: '', learner: false }, members: table.list() };
    case 'notLeader':
      return undefined;
    case 'refused':
      return fail(GRPC.FailedPrecondition, `etcdserver: raftsim: the change was refused: ${outcome.reason}`);
    case 'timeout':
      return fail(GRPC.Unavailable, requestTimedOut().message);
  }
}

/**
 * Runs a membership change here if this member leads, or on the leader: while no leader is
 * known, or the one known turns out not to lead, it asks again until `timeoutMs` runs out.
 */
export async function changeMembership(
  member: Member,
  table: MemberTable,
  peers: PeerActivity,
  request: MembershipRequest,
  timeoutMs: number,
): Promise<MembershipResult> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return fail(GRPC.Unavailable, noLeader().message);
    const local = await changeAtLeader(member, table, peers, request, remaining);
    if (local) return local;
    const leader = member.node.lead;
    const peerUrl = leader !== 0 && leader !== member.id ? table.get(leader)?.peerUrl : undefined;
    if (peerUrl) {
      const forwarded = await forward(peerUrl, request, remaining);
      if (forwarded) return forwarded;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

/** The leader's answer, or undefined when it gave none (it may no longer lead: ask again). */
async function forward(peerUrl: string, request: MembershipRequest, timeoutMs: number): Promise<MembershipResult | undefined> {
  const posted = await postJson(new URL(MEMBERSHIP_PATH, peerUrl), { request, timeoutMs: Math.max(1, Math.floor(timeoutMs)) }, timeoutMs);
  return posted.kind === 'answer' ? parseMembershipResult(posted.body) : undefined;
}

/** A failed change as the gateway sends it. */
export function membershipError(result: MembershipFailure): GatewayError {
  return new GatewayError(result.code, result.message);
}
