/**
 * Planted bugs in reads and watches, each found by sweeping the default `nemesis`
 * scenario (KV clients and watchers) from seed 1.
 */
import { describe, expect, it } from 'vitest';
import nemesis from '../../scenarios/nemesis.js';
import { expectCaught } from './helpers.js';

describe('planted read and watch bugs are caught by the nemesis', () => {
  it('local-linearizable-read: a deposed leader serves a stale read (linearizability)', () => {
    expectCaught({ bug: 'local-linearizable-read', scenario: nemesis, budget: 40, caughtBy: 'linearizability' });
  });

  it('early-read-index: a new leader serves a read below the commit index (linearizability)', () => {
    expectCaught({ bug: 'early-read-index', scenario: nemesis, budget: 80, caughtBy: 'linearizability' });
  }, 240_000);

  it('empty-write-bumps-revision: a revision that no write made (linearizability, revision order)', () => {
    const hunt = expectCaught({ bug: 'empty-write-bumps-revision', scenario: nemesis, budget: 5, caughtBy: 'linearizability' });
    expect(hunt.message).toMatch(/^revision order: revision \d+ was made by no write: op \d+ (delete .* \(nothing deleted\)|txn .*) saw it/);
  });

  it('watch-skips-on-leader-change: a watcher misses events (watch)', () => {
    expectCaught({ bug: 'watch-skips-on-leader-change', scenario: nemesis, budget: 10, caughtBy: 'watch' });
  });
});
