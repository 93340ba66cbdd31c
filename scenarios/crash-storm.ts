import { defineScenario } from '../sim/scenario.js';

/**
 * Crashes every ~15 ms over a slow, reordering network. A node that grants its vote must
 * have the vote on disk first: crash it right after, and a node that forgot would vote
 * again in the same term for a rival whose request straggled in late, and two leaders of
 * one term follow (the planted bug `vote-before-persist` shows it). Watch the restart
 * events: term and vote come back exactly as synced.
 */
export default defineScenario({
  name: 'crash-storm',
  description: 'five nodes crash and restart every ~15 ms over a slow, reordering network',
  nodes: 5,
  durationMs: 10000,
  network: { minLatencyMs: 1, latencySpreadMs: 30 },
  workload: { type: 'proposals', intervalMs: 50 },
  nemesis: { intervalMs: 15, faults: ['crash'] },
});
