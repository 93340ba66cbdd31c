/**
 * Planted bugs in the Raft node and its host, each found by sweeping the default `nemesis`
 * scenario from seed 1.
 */
import { describe, it } from 'vitest';
import nemesis from '../../scenarios/nemesis.js';
import { expectCaught } from './helpers.js';

describe('planted Raft bugs are caught by the nemesis', () => {
  it('figure-8-commit: a leader commits an entry of an earlier term by counting (commit-rule)', () => {
    expectCaught({ bug: 'figure-8-commit', scenario: nemesis, budget: 10, caughtBy: 'commit-rule' });
  });

  it('vote-before-persist: a voter crashed right after its grant votes again in the term (election-safety)', () => {
    expectCaught({ bug: 'vote-before-persist', scenario: nemesis, budget: 10, caughtBy: 'election-safety' });
  });

  it('vote-without-log-check: a leader lacking a committed entry (leader-completeness)', () => {
    expectCaught({ bug: 'vote-without-log-check', scenario: nemesis, budget: 10, caughtBy: 'leader-completeness' });
  });

  it('ack-before-sync: a crash loses an acknowledged, applied entry (durability)', () => {
    expectCaught({ bug: 'ack-before-sync', scenario: nemesis, budget: 10, caughtBy: 'durability' });
  });

  it('truncate-on-every-append: a committed entry a follower dropped is on too few disks (durability)', () => {
    expectCaught({ bug: 'truncate-on-every-append', scenario: nemesis, budget: 10, caughtBy: 'durability' });
  });

  it('uncapped-follower-commit: a follower commits a stale tail (state-machine-safety)', () => {
    expectCaught({ bug: 'uncapped-follower-commit', scenario: nemesis, budget: 10, caughtBy: 'state-machine-safety' });
  });

  it('fixed-election-timeout: split votes forever after the heal (liveness)', () => {
    expectCaught({ bug: 'fixed-election-timeout', scenario: nemesis, budget: 80, caughtBy: 'liveness' });
  }, 240_000);

  it('leader-overwrites-own-entry: a leader rewrites its last entry (leader-append-only, before log matching sees it)', () => {
    expectCaught({ bug: 'leader-overwrites-own-entry', scenario: nemesis, budget: 5, caughtBy: 'leader-append-only' });
  });

  it('reapply-after-restart: a restarted node applies index 1 again (apply-order)', () => {
    expectCaught({ bug: 'reapply-after-restart', scenario: nemesis, budget: 10, caughtBy: 'apply-order' });
  });
});
