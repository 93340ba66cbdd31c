import { payloadBytes } from './log.js';
import type { Entry } from './types.js';

/**
 * etcd's MaxUncommittedEntriesSize: a leader refuses proposals once the payload bytes it has
 * appended and not yet seen committed would pass a limit, so a leader that cannot commit (cut
 * off from its quorum, or behind a slow disk) does not grow its log without bound. As in etcd,
 * one proposal always fits when nothing is outstanding (however large it is), entries without
 * a payload cost nothing, and a new leader starts from zero: entries of earlier terms are not
 * counted, so releasing them never takes the count below zero.
 */
export class UncommittedQuota {
  private outstanding = 0;

  /** `limit` 0 means no limit. */
  constructor(private readonly limit: number) {}

  /** Counts `bytes` more and says true, or refuses them (false) when they would pass the limit. */
  admit(bytes: number): boolean {
    if (this.limit === 0) return true;
    if (this.outstanding > 0 && bytes > 0 && this.outstanding + bytes > this.limit) return false;
    this.outstanding += bytes;
    return true;
  }

  /** Entries were committed (and handed out to apply): their bytes no longer count. */
  release(entries: readonly Entry[]): void {
    if (this.limit === 0) return;
    let bytes = 0;
    for (const entry of entries) bytes += payloadBytes(entry);
    this.outstanding = Math.max(0, this.outstanding - bytes);
  }

  reset(): void {
    this.outstanding = 0;
  }

  /** Payload bytes counted and not yet released. */
  get bytes(): number {
    return this.outstanding;
  }
}
