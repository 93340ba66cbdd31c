import { defineScenario } from '../sim/scenario.js';

/**
 * The leader crashes mid-run. Its unsynced writes are lost; the others time out,
 * elect a new leader among themselves (the up-to-date check picks one holding every
 * committed entry), and the old leader restarts later as a follower and catches up.
 */
export default defineScenario({
  name: 'leader-crash',
  description: 'five nodes; the leader crashes twice and restarts as a follower',
  nodes: 5,
  workload: { type: 'register', clients: 4 },
  durationMs: 8000,
  faults: [
    { at: 2000, action: 'crash', node: 'leader' },
    { at: 4000, action: 'restart', node: 'all' },
    { at: 5000, action: 'crash', node: 'leader' },
    { at: 6500, action: 'restart', node: 'all' },
  ],
});
