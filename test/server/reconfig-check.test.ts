import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../src/raft/types.js';
import { strictReconfigCheck, type PeerActivity } from '../../src/server/reconfig-check.js';

/** `started` and `active`: the members the leader has heard from at all, and lately. */
const peers = (started: NodeId[], active: NodeId[] = started): PeerActivity => ({ started: (id) => started.includes(id), active: (id) => active.includes(id) });
const addVoter = { kind: 'add', name: 'n', peerUrl: 'http://127.0.0.1:1', learner: false } as const;
const refusal = (result: ReturnType<typeof strictReconfigCheck>) => result?.message;

describe("etcd's strict reconfiguration check", () => {
  it('adds a voter only when the started voters make a quorum of the cluster with it', () => {
    expect(refusal(strictReconfigCheck(addVoter, [1, 2, 3], false, peers([1, 2, 3])))).toBeUndefined();
    // Voters 4 and 5 added and never started: a sixth would need 4 started voters of 6, and 3 are.
    expect(refusal(strictReconfigCheck(addVoter, [1, 2, 3, 4, 5], false, peers([1, 2, 3])))).toBe('etcdserver: re-configuration failed due to not enough started members');
    expect(refusal(strictReconfigCheck(addVoter, [1, 2, 3, 4], false, peers([1, 2, 3])))).toBeUndefined();
  });

  it('lets a one-member cluster grow to two, and learners in at any time', () => {
    expect(refusal(strictReconfigCheck(addVoter, [1], false, peers([1])))).toBeUndefined();
    expect(refusal(strictReconfigCheck({ ...addVoter, learner: true }, [1, 2, 3, 4, 5], false, peers([1])))).toBeUndefined();
  });

  it('promotes a learner only when the started voters and it make a quorum', () => {
    expect(refusal(strictReconfigCheck({ kind: 'promote', id: 4 }, [1, 2, 3], false, peers([1, 2])))).toBeUndefined();
    expect(refusal(strictReconfigCheck({ kind: 'promote', id: 6 }, [1, 2, 3, 4, 5], false, peers([1, 2])))).toMatch(/not enough started members/);
  });

  it('removes an active voter only when the active ones left still make a quorum', () => {
    const remove2 = { kind: 'remove', id: 2 } as const;
    expect(refusal(strictReconfigCheck(remove2, [1, 2, 3], false, peers([1, 2, 3])))).toBeUndefined();
    // Node 3 is down: removing the live node 2 leaves node 1 alone of voters 1 and 3.
    expect(refusal(strictReconfigCheck(remove2, [1, 2, 3], false, peers([1, 2, 3], [1, 2])))).toBe('etcdserver: unhealthy cluster');
    // A member that is down is no part of the working quorum: removing it is safe.
    expect(refusal(strictReconfigCheck({ kind: 'remove', id: 3 }, [1, 2, 3], false, peers([1, 2, 3], [1, 2])))).toBeUndefined();
    expect(refusal(strictReconfigCheck({ kind: 'remove', id: 4 }, [1, 2, 3], true, peers([1], [1])))).toBeUndefined();
  });
});
