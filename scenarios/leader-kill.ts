import { defineScenario } from '../sim/scenario.js';
import leaderCrash from './leader-crash.js';

/**
 * leader-crash with kill -9 instead of a machine crash: the leader's process dies while its
 * machine stays up. No write is lost (the operating system holds them, synced or not), and the
 * machine resets its clients' connections, so they go to another server at once instead of
 * waiting out their timeouts: compare the outages `raftsim story` tells for the two.
 */
export default defineScenario({
  ...leaderCrash,
  name: 'leader-kill',
  description: "five nodes; the leader's process is killed twice (kill -9): no write lost, clients reset at once",
  faults: leaderCrash.faults.map((fault) => (fault.action === 'crash' ? { at: fault.at, action: 'kill' as const, node: fault.node } : fault)),
});
