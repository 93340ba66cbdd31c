import { defineScenario } from '../sim/scenario.js';

/**
 * The membership nemesis among partitions and crashes: voters are removed (never below
 * three), brought back as learners and promoted, or added straight as voters, while
 * the network splits and nodes crash, often the leader, under KV clients. A change that
 * finds no leader, or one whose previous change is still pending, is skipped with a note.
 */
export default defineScenario({
  name: 'membership-nemesis',
  description: 'five nodes; membership changes drawn by the nemesis among partitions and crashes; KV clients',
  nodes: 5,
  workload: { type: 'kv', clients: 4, keys: 4 },
  durationMs: 10000,
  nemesis: { intervalMs: 400, faults: ['membership', 'membership', 'partition', 'isolate', 'crash'] },
});
