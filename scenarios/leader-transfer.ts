import { defineScenario } from '../sim/scenario.js';

/**
 * Leadership moves on purpose, again and again, while clients read and write over a
 * network that drops and duplicates messages. Each time the leader stops taking
 * proposals, brings the target up to date and tells it to campaign at once; the trace
 * shows every transfer as `started`, then `finished` (the target leads) or `abandoned`
 * (a lost timeoutNow, or the election timeout ran out). Every history stays linearizable:
 * a transfer is only an election that the old leader asked for.
 */
export default defineScenario({
  name: 'leader-transfer',
  description: 'repeated leadership transfers under client load on a flaky network',
  nodes: 5,
  durationMs: 9000,
  workload: { type: 'kv', clients: 4, keys: 4 },
  network: { dropRate: 0.05, duplicateRate: 0.05 },
  raft: { preVote: true, checkQuorum: true },
  faults: [
    { at: 1000, action: 'transfer', to: 'follower' },
    { at: 1800, action: 'transfer' },
    { at: 2600, action: 'transfer', to: 'follower' },
    { at: 3400, action: 'transfer' },
    { at: 4200, action: 'transfer', to: 'follower' },
    { at: 5000, action: 'transfer' },
    { at: 5800, action: 'transfer', to: 'follower' },
    { at: 6600, action: 'transfer' },
    { at: 7400, action: 'transfer', to: 'follower' },
    { at: 8200, action: 'transfer' },
  ],
});
