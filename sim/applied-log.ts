import type { Entry } from '../src/raft/types.js';
import type { StateMachine } from './node-host.js';

/**
 * The state machine of the plain proposals workload: it keeps how many entries it applied
 * and a running FNV-1a digest of their payloads, which is all a snapshot of it must carry
 * for two replicas at one index to agree on what they applied.
 */
export class AppliedLog implements StateMachine {
  index = 0;
  digest = 0x811c9dc5;

  apply(entry: Entry): void {
    this.index = entry.index;
    const text = entry.data ?? '';
    let hash = this.digest;
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    this.digest = Math.imul(hash ^ 0x0a, 0x01000193) >>> 0;
  }

  snapshot(): string {
    return JSON.stringify({ index: this.index, digest: this.digest });
  }

  restore(data: string, appliedIndex: number): void {
    const decoded = JSON.parse(data) as { index: number; digest: number };
    if (decoded.index !== appliedIndex) throw new Error(`applied-log snapshot of index ${decoded.index} installed as ${appliedIndex}`);
    this.index = decoded.index;
    this.digest = decoded.digest;
  }
}
