import type { Scenario } from '../sim/scenario.js';
import asymmetricPartition from './asymmetric-partition.js';
import bridge from './bridge.js';
import checkQuorum from './check-quorum.js';
import churn from './churn.js';
import clockSkew from './clock-skew.js';
import crashAll from './crash-all.js';
import crashRestart from './crash-restart.js';
import crashStorm from './crash-storm.js';
import disruptiveRejoin from './disruptive-rejoin.js';
import figure8 from './figure-8.js';
import flakyNetwork from './flaky-network.js';
import happy from './happy.js';
import leaderCrash from './leader-crash.js';
import leaderIsolation from './leader-isolation.js';
import leaderKill from './leader-kill.js';
import leaderTransfer from './leader-transfer.js';
import leaseReadSkew from './lease-read-skew.js';
import leaseExpiry from './lease-expiry.js';
import jointConsensus from './joint-consensus.js';
import lostFsync from './lost-fsync.js';
import membershipChange from './membership-change.js';
import membershipNemesis from './membership-nemesis.js';
import nemesis from './nemesis.js';
import partitionLeader from './partition-leader.js';
import partitionMinority from './partition-minority.js';
import snapshotCatchup from './snapshot-catchup.js';
import snapshotCrash from './snapshot-crash.js';
import nemesisHardened from './nemesis-hardened.js';
import prevoteRejoin from './prevote-rejoin.js';
import staleRead from './stale-read.js';
import tornWrite from './torn-write.js';
import unreliableChurn from './unreliable-churn.js';

/** The built-in scenarios, in the order `raftsim list` shows them. */
export const scenarios: readonly Scenario[] = [
  happy,
  leaderCrash,
  leaderKill,
  partitionMinority,
  partitionLeader,
  flakyNetwork,
  crashRestart,
  crashAll,
  crashStorm,
  figure8,
  leaderIsolation,
  disruptiveRejoin,
  prevoteRejoin,
  checkQuorum,
  leaderTransfer,
  asymmetricPartition,
  bridge,
  churn,
  unreliableChurn,
  clockSkew,
  lostFsync,
  tornWrite,
  snapshotCatchup,
  snapshotCrash,
  staleRead,
  leaseExpiry,
  leaseReadSkew,
  nemesis,
  nemesisHardened,
  membershipChange,
  jointConsensus,
  membershipNemesis,
];

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((scenario) => scenario.name === name);
}
