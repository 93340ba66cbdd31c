import { defineScenario } from '../sim/scenario.js';

/**
 * leader-crash with kill -9 instead of a machine crash: the leader's process dies while its
 * machine stays up. No write is lost (the operating system holds them, synced or not), and the
 * machine resets its clients' connections, so they go to another server at once instead of
 * waiting out their timeouts: compare the outages `raftsim story` tells for the two.
 */
export default defineScenario({
  name: 'leader-kill',
  description: "five nodes; the leader's process is killed twice (kill -9): no write lost, clients reset at once",
  nodes: 5,
  workload: { type: 'register', clients: 4 },
  durationMs: 8000,
  faults: [
    { at: 2000, action: 'kill', node: 'leader' },
    { at: 4000, action: 'restart', node: 'all' },
    { at: 5000, action: 'kill', node: 'leader' },
    { at: 6500, action: 'restart', node: 'all' },
  ],
});
