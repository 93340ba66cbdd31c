import type { NodeId } from '../raft/types.js';
import { GRPC } from './gateway-errors.js';
import type { MembershipFailure, MembershipRequest } from './member-changes.js';

/**
 * etcd's strict reconfiguration check (`--strict-reconfig-check`, on by default there and
 * always here): a change that would leave the cluster without a quorum of members able to
 * take part is refused before it is proposed, not discovered after. A member has *started*
 * once the leader has heard from it at all, and is *active* when it did so lately.
 */

export interface PeerActivity {
  started(id: NodeId): boolean;
  active(id: NodeId): boolean;
}

const quorum = (members: number) => Math.floor(members / 2) + 1;

const notEnoughStarted: MembershipFailure = { kind: 'error', code: GRPC.FailedPrecondition, message: 'etcdserver: re-configuration failed due to not enough started members' };
const unhealthy: MembershipFailure = { kind: 'error', code: GRPC.FailedPrecondition, message: 'etcdserver: unhealthy cluster' };

/** Why `request` may not go ahead with these voters (the leader among them), or undefined when it may. */
export function strictReconfigCheck(request: MembershipRequest, voters: readonly NodeId[], learner: boolean, peers: PeerActivity): MembershipFailure | undefined {
  const started = (ids: readonly NodeId[]) => ids.filter((id) => peers.started(id)).length;
  switch (request.kind) {
    case 'add': {
      if (request.learner) return undefined;
      // The new voter counts at once and has not started: the others must make a quorum without it.
      const members = voters.length + 1;
      const up = started(voters);
      // etcd's exception: a one-member cluster may grow to two (to restore a cluster's data).
      if (up === 1 && members === 2) return undefined;
      return up < quorum(members) ? notEnoughStarted : undefined;
    }
    case 'update':
      // No one's vote changes (etcd checks nothing here either).
      return undefined;
    case 'promote':
      // The learner is in sync, so it has started.
      return started(voters) + 1 < quorum(voters.length + 1) ? notEnoughStarted : undefined;
    case 'remove': {
      if (learner) return undefined;
      const rest = voters.filter((id) => id !== request.id);
      if (started(rest) < quorum(rest.length)) return notEnoughStarted;
      // A member that is down is safe to remove: it is no part of the quorum that is working now.
      if (!peers.active(request.id)) return undefined;
      const active = voters.filter((id) => peers.active(id)).length;
      return active - 1 < quorum(voters.length - 1) ? unhealthy : undefined;
    }
  }
}
