/**
 * Planted bugs in the Raft node and its host, each found by sweeping a scenario from seed 1.
 * The default `nemesis` scenario catches all of them but vote-before-persist, which needs
 * a crash storm (test/bugs/scenarios.ts says why).
 */
import { describe, it } from 'vitest';
import nemesis from '../../scenarios/nemesis.js';
import { expectCaught } from './helpers.js';
import { crashStorm } from './scenarios.js';

describe('planted Raft bugs are caught by the nemesis', () => {
  it('vote-without-log-check: a leader lacking a committed entry (leader-completeness)', () => {
    expectCaught({ bug: 'vote-without-log-check', scenario: nemesis, budget: 10, caughtBy: 'leader-completeness' });
  });

  it('ack-before-sync: a crash loses an acknowledged, applied entry (durability)', () => {
    expectCaught({ bug: 'ack-before-sync', scenario: nemesis, budget: 10, caughtBy: 'durability' });
  });

  it('truncate-on-every-append: a committed entry falls off a majority of disks (durability)', () => {
    expectCaught({ bug: 'truncate-on-every-append', scenario: nemesis, budget: 15, caughtBy: 'durability' });
  });

  it('fixed-election-timeout: split votes forever after the heal (liveness)', () => {
    expectCaught({ bug: 'fixed-election-timeout', scenario: nemesis, budget: 40, caughtBy: 'liveness' });
  });

  it('reapply-after-restart: a restarted node applies index 1 again (apply-order)', () => {
    expectCaught({ bug: 'reapply-after-restart', scenario: nemesis, budget: 10, caughtBy: 'apply-order' });
  });
});

describe('planted Raft bugs the nemesis does not reach (test scenario)', () => {
  it('vote-before-persist: two leaders in one term after a lost vote (election-safety), under a crash storm', () => {
    expectCaught({ bug: 'vote-before-persist', scenario: crashStorm, budget: 20, caughtBy: 'election-safety' });
  });
});
