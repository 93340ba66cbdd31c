import type { NodeId } from './types.js';

/** How an election stands: a majority granted, a majority can no longer grant, or neither yet. */
export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * One set of voters decided by simple majority, as etcd's quorum.MajorityConfig. The
 * commit index is computed on every acknowledgement, so the scratch array is kept
 * between calls instead of sorting a fresh copy each time.
 */
export class MajorityConfig {
  readonly voters: readonly NodeId[];
  private readonly scratch: number[];

  constructor(voters: readonly NodeId[]) {
    this.voters = voters;
    this.scratch = new Array<number>(voters.length).fill(0);
  }

  /**
   * The largest index that a majority of the voters has reached. An empty config has no
   * say and returns Infinity, so that in a joint config the other half alone decides.
   */
  committedIndex(matchOf: (id: NodeId) => number): number {
    const n = this.voters.length;
    if (n === 0) return Infinity;
    const sorted = this.scratch;
    // Insertion sort, descending: n is at most a handful, and nothing is allocated.
    for (let i = 0; i < n; i++) {
      const match = matchOf(this.voters[i]);
      let j = i;
      while (j > 0 && sorted[j - 1] < match) {
        sorted[j] = sorted[j - 1];
        j--;
      }
      sorted[j] = match;
    }
    return sorted[Math.floor(n / 2)];
  }

  /** Tallies the votes cast (undefined: not heard from). An empty config wins, as in etcd. */
  voteResult(voteOf: (id: NodeId) => boolean | undefined): VoteResult {
    const n = this.voters.length;
    if (n === 0) return 'won';
    const majority = Math.floor(n / 2) + 1;
    let granted = 0;
    let missing = 0;
    for (const id of this.voters) {
      const vote = voteOf(id);
      if (vote === true) granted++;
      else if (vote === undefined) missing++;
    }
    if (granted >= majority) return 'won';
    if (granted + missing >= majority) return 'pending';
    return 'lost';
  }
}

/**
 * The voters of a joint configuration, incoming and outgoing: every decision needs a
 * majority of both. Outside joint consensus the outgoing half is empty and has no say.
 */
export class JointConfig {
  readonly incoming: MajorityConfig;
  readonly outgoing: MajorityConfig;

  constructor(incoming: readonly NodeId[], outgoing: readonly NodeId[] = []) {
    this.incoming = new MajorityConfig(incoming);
    this.outgoing = new MajorityConfig(outgoing);
  }

  /** The largest index both halves have committed. */
  committedIndex(matchOf: (id: NodeId) => number): number {
    return Math.min(this.incoming.committedIndex(matchOf), this.outgoing.committedIndex(matchOf));
  }

  /** Won only if both halves won; lost as soon as either lost. */
  voteResult(voteOf: (id: NodeId) => boolean | undefined): VoteResult {
    const incoming = this.incoming.voteResult(voteOf);
    const outgoing = this.outgoing.voteResult(voteOf);
    if (incoming === outgoing) return incoming;
    if (incoming === 'lost' || outgoing === 'lost') return 'lost';
    return 'pending';
  }

  isVoter(id: NodeId): boolean {
    return this.incoming.voters.includes(id) || this.outgoing.voters.includes(id);
  }
}
