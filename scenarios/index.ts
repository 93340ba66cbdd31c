import type { Scenario } from '../sim/scenario.js';
import crashRestart from './crash-restart.js';
import flakyNetwork from './flaky-network.js';
import happy from './happy.js';
import leaderCrash from './leader-crash.js';
import leaseExpiry from './lease-expiry.js';
import nemesis from './nemesis.js';
import partitionLeader from './partition-leader.js';
import partitionMinority from './partition-minority.js';
import staleRead from './stale-read.js';

/** The built-in scenarios, in the order `raftsim list` shows them. */
export const scenarios: readonly Scenario[] = [
  happy,
  leaderCrash,
  partitionMinority,
  partitionLeader,
  flakyNetwork,
  crashRestart,
  staleRead,
  leaseExpiry,
  nemesis,
];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}
