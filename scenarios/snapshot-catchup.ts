import { defineScenario } from '../sim/scenario.js';

/**
 * A follower is cut off while the other two keep committing and compact their logs far
 * past it (every 20 applied entries, keeping 5 behind). When the cut heals, the leader
 * no longer holds the entries the follower needs: it sends its newest snapshot instead
 * (watch the `snap` message and the follower's progress enter the snapshot state), the
 * follower replaces its log and its key-value store with it, and then catches up with
 * ordinary appends. The clients' history stays linearizable throughout.
 */
export default defineScenario({
  name: 'snapshot-catchup',
  description: 'a follower misses hundreds of entries that the others compact away; it catches up by InstallSnapshot',
  nodes: 3,
  durationMs: 8000,
  raft: { snapshotEntries: 20, snapshotCatchUpEntries: 5 },
  workload: { type: 'kv', clients: 4, thinkMs: 5, keys: 6 },
  faults: [
    { at: 1000, action: 'isolate', node: 'follower' },
    { at: 4500, action: 'heal' },
  ],
});
