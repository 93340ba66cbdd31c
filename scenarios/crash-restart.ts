import { defineScenario } from '../sim/scenario.js';

/**
 * Nodes crash and restart one after another, followers and leaders alike. Each
 * restart must come back with exactly what was synced: its term, its vote and its
 * log; a node that forgot its vote could vote twice in one term.
 */
export default defineScenario({
  name: 'crash-restart',
  description: 'three nodes crash and restart in turn, leader included',
  nodes: 3,
  workload: { type: 'register', clients: 3 },
  durationMs: 9000,
  faults: [
    { at: 1000, action: 'crash', node: 1 },
    { at: 1800, action: 'restart', node: 1 },
    { at: 2500, action: 'crash', node: 'leader' },
    { at: 3200, action: 'restart', node: 'all' },
    { at: 4000, action: 'crash', node: 'follower' },
    { at: 4100, action: 'crash', node: 'leader' },
    { at: 5000, action: 'restart', node: 'all' },
    { at: 6000, action: 'crash', node: 3 },
    { at: 6050, action: 'restart', node: 3 },
    { at: 7000, action: 'crash', node: 'leader' },
    { at: 7300, action: 'restart', node: 'all' },
  ],
});
