/**
 * Planted bugs in reads and watches. The default `nemesis` scenario (register workload)
 * catches the leader's local reads; a new leader's early ReadIndex needs reads racing
 * elections, and the watch bug needs watchers (test/bugs/scenarios.ts says why).
 */
import { describe, it } from 'vitest';
import nemesis from '../../scenarios/nemesis.js';
import { expectCaught } from './helpers.js';
import { readsAcrossElections, watchNemesis } from './scenarios.js';

describe('planted read and watch bugs', () => {
  it('local-linearizable-read: a deposed leader serves a stale read (linearizability), nemesis', () => {
    expectCaught({ bug: 'local-linearizable-read', scenario: nemesis, budget: 100, caughtBy: 'linearizability' });
  });

  it('early-read-index: a new leader serves a read below the commit index (linearizability), test scenario', () => {
    expectCaught({ bug: 'early-read-index', scenario: readsAcrossElections, budget: 20, caughtBy: 'linearizability' });
  });

  it('watch-skips-on-leader-change: a watcher misses events (watch), nemesis with the watch workload', () => {
    expectCaught({ bug: 'watch-skips-on-leader-change', scenario: watchNemesis, budget: 10, caughtBy: 'watch' });
  });
});
