import { defineScenario } from '../sim/scenario.js';

/**
 * Clocks that drift: one node's runs three times fast, another's at half speed, and
 * later the leader's own clock races. A fast clock times out early and calls needless
 * elections; a slow one is late to notice a dead leader. Raft's safety never depends on
 * clocks, and ReadIndex reads confirm leadership with a round of messages, not a timer,
 * so every read here stays linearizable. (Lease-based reads, which trust the clock, are
 * exactly what drift breaks.)
 */
export default defineScenario({
  name: 'clock-skew',
  description: 'five nodes whose clocks drift fast and slow, the leader\'s included',
  nodes: 5,
  durationMs: 9000,
  workload: { type: 'kv', clients: 4, keys: 3 },
  faults: [
    { at: 500, action: 'clock', node: 2, rate: 3 },
    { at: 500, action: 'clock', node: 4, rate: 0.5 },
    { at: 3000, action: 'clock', node: 'leader', rate: 2.5 },
    { at: 4000, action: 'isolate', node: 'leader' },
    { at: 5500, action: 'heal' },
    { at: 6000, action: 'clock', node: 'leader', rate: 0.4 },
    { at: 7000, action: 'crash', node: 'leader' },
    { at: 7600, action: 'restart', node: 'all' },
  ],
});
