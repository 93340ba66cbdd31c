/**
 * Scenarios for planted bugs that the default `nemesis` scenario does not reach within a
 * test's seed budget. Each says what the nemesis lacks; none weakens a check.
 */
import { defineScenario } from '../../sim/scenario.js';

/**
 * vote-before-persist: a vote is lost only by a crash in the few milliseconds between the
 * vote and the node's next sync, and it matters only if a delayed vote request from a rival
 * candidate of the same term arrives after the restart. The nemesis crashes about once in
 * two seconds for hundreds of ms; here crashes come every ~15 ms and messages straggle.
 */
export const crashStorm = defineScenario({
  name: 'bugs-crash-storm',
  description: 'five nodes crash and restart every ~15 ms over a slow, reordering network',
  nodes: 5,
  durationMs: 10000,
  network: { minLatencyMs: 1, latencySpreadMs: 30 },
  workload: { type: 'proposals', intervalMs: 50 },
  nemesis: { intervalMs: 15, faults: ['crash'] },
});

/**
 * early-read-index: the read must reach a new leader in the round trip before its first
 * entry commits, right after a write the old leader acknowledged. Three nodes, one key,
 * eight busy clients, slow links and a leader change every few hundred ms make that common.
 */
export const readsAcrossElections = defineScenario({
  name: 'bugs-reads-across-elections',
  description: 'three nodes, one hot register key, frequent leader isolation and crashes',
  nodes: 3,
  durationMs: 10000,
  network: { minLatencyMs: 2, latencySpreadMs: 20 },
  workload: { type: 'register', clients: 8, keys: 1, thinkMs: 5 },
  nemesis: { intervalMs: 300, faults: ['isolate', 'crash'] },
});

/** watch-skips-on-leader-change: only the watch workload watches; the nemesis runs the register workload. */
export const watchNemesis = defineScenario({
  name: 'bugs-watch-nemesis',
  description: 'the nemesis with the watch workload: writers and resuming watchers on prefix w/',
  nodes: 5,
  durationMs: 10000,
  workload: { type: 'watch', clients: 3, watchers: 2 },
  nemesis: { intervalMs: 700, faults: ['partition', 'isolate', 'crash', 'pause', 'flaky'] },
});
