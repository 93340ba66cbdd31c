import { defineScenario } from '../sim/scenario.js';

/**
 * A minority is cut off. Its nodes keep timing out and raising their terms but can
 * never win an election; the majority side keeps its leader (or elects one) and
 * commits. On heal, the minority's higher terms force one more election, and its
 * uncommitted entries (it has none from a leader) are overwritten.
 */
export default defineScenario({
  name: 'partition-minority',
  description: 'five nodes split 3 | 2; the majority keeps committing, then heal',
  nodes: 5,
  workload: { type: 'bank', clients: 4 },
  durationMs: 8000,
  faults: [
    { at: 2000, action: 'partition', groups: [[1, 2, 3], [4, 5]] },
    { at: 5000, action: 'heal' },
  ],
});
