import { defineScenario } from '../sim/scenario.js';

/**
 * Links that fail in one direction only: a node that hears everyone but whom nobody
 * hears (its heartbeats vanish, so the others elect a new leader while it still thinks
 * it leads), or one that speaks but cannot hear (it keeps timing out and raising terms).
 * Single links also fail and recover on their own. One-way faults are where liveness
 * bugs of PreVote and CheckQuorum hide; safety must hold throughout.
 */
export default defineScenario({
  name: 'asymmetric-partition',
  description: 'five nodes under one-way partitions and flaky single links',
  nodes: 5,
  durationMs: 10000,
  workload: { type: 'register', clients: 4 },
  nemesis: { intervalMs: 600, faults: ['one-way', 'flaky-link'] },
});
