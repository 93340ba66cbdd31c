import type { ProposeResult } from '../src/raft/types.js';
import type { Cluster } from './cluster.js';
import type { RandomStream } from './random.js';
import type { TraceRecorder } from './trace.js';

/**
 * The plainest workload: opaque proposals, each handed to a node drawn from the
 * workload stream. A follower forwards it to the leader it knows; a node that knows
 * no leader drops it, as etcd's raft does.
 */
export class ProposalWorkload {
  proposed = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly random: RandomStream,
    private readonly trace: TraceRecorder,
    private readonly now: () => number,
  ) {}

  proposeOnce(): void {
    const host = this.cluster.host(this.random.pick(this.cluster.ids()));
    const data = `p${++this.proposed}`;
    if (!host.isUp) {
      if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'propose', node: host.id, data, result: `node ${host.status}` });
      return;
    }
    host.act((node) => {
      const result = node.propose(data);
      // Recorded before the ready is drained, so the proposal precedes the messages it causes.
      if (this.trace.enabled) this.trace.record({ t: this.now(), k: 'propose', node: host.id, data, result: describe(result) });
    });
  }
}

function describe(result: ProposeResult): string {
  switch (result.kind) {
    case 'appended':
      return `appended at ${result.index}`;
    case 'forwarded':
      return `forwarded to ${result.leader}`;
    case 'dropped':
      return `dropped: ${result.reason}`;
  }
}
