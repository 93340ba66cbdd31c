import type { RandomStream, RandomStreams } from './random.js';
import type { NemesisFault, Scenario } from './scenario.js';

/**
 * How the nemesis behaves in one run: which faults it uses and how hard they hit. With
 * swarm testing (as TigerBeetle's VOPR does) every seed draws its own profile, so a
 * sweep explores many different fault mixes instead of one average mix, and a bug that
 * only shows when, say, crashes come often and the network never drops, gets its seeds.
 */
export interface FaultProfile {
  /** The fault kinds this run uses. */
  readonly faults: readonly NemesisFault[];
  /** Mean time between nemesis steps (each step injects a fault or heals one). */
  readonly intervalMs: number;
  /** How many faults may be on at once: a crash storm during a slow network needs two. */
  readonly concurrency: number;
  /** Chance that a fault aimed at one node aims at the leader. */
  readonly leaderBias: number;
  /** flaky: loss, duplication and extra reordering spread drawn up to these. */
  readonly maxDropRate: number;
  readonly maxDuplicateRate: number;
  readonly maxExtraSpreadMs: number;
  /** delay: this share of messages is held up to `tailMs` longer. */
  readonly tailRate: number;
  readonly tailMs: number;
  /** clock: a drifting node's clock runs at a rate drawn in [1/maxDrift, maxDrift]. */
  readonly maxDrift: number;
  /** slow-disk: each sync of the struck node's disk takes up to this long. */
  readonly maxSyncMs: number;
  /** A slow network for the whole run: this much more latency spread from the start (stragglers everywhere). */
  readonly slowNetworkMs: number;
}

/** How much faster or slower than the scenario's interval a drawn profile may step. */
const MIN_PACE = 0.02;
const MAX_PACE = 3;

/** The profile without swarm testing: every enabled fault, at the scenario's interval. */
export function fixedProfile(faults: readonly NemesisFault[], intervalMs: number): FaultProfile {
  return { faults, intervalMs, concurrency: 1, leaderBias: 0.5, maxDropRate: 0.3, maxDuplicateRate: 0.3, maxExtraSpreadMs: 50, tailRate: 0.05, tailMs: 300, maxDrift: 2, maxSyncMs: 50, slowNetworkMs: 0 };
}

/**
 * A profile drawn for this seed from its own stream (`swarm`), so drawing it moves no
 * other concern's numbers: each enabled fault is on with even odds (at least one is),
 * and every strength is drawn across its whole useful range.
 */
export function drawProfile(random: RandomStream, enabled: readonly NemesisFault[], intervalMs: number): FaultProfile {
  const faults = enabled.filter(() => random.chance(0.5));
  if (faults.length === 0) faults.push(random.pick(enabled));
  return {
    faults,
    // Log-uniform from a storm (a fault every few ms) to a calm run (one every few seconds).
    intervalMs: Math.max(5, Math.round(intervalMs * Math.exp(Math.log(MIN_PACE) + Math.log(MAX_PACE / MIN_PACE) * random.float()))),
    concurrency: random.int(1, 3),
    leaderBias: round(random.float()),
    maxDropRate: round(0.02 + 0.38 * random.float()),
    maxDuplicateRate: round(0.5 * random.float()),
    maxExtraSpreadMs: random.int(5, 100),
    tailRate: round(0.01 + 0.2 * random.float()),
    tailMs: random.int(50, 1000),
    maxDrift: round(1.2 + 2.8 * random.float()),
    maxSyncMs: random.int(2, 300),
    // Half the runs keep the scenario's network; the others straggle, up to 50 ms more.
    slowNetworkMs: random.chance(0.5) ? 0 : random.int(5, 50),
  };
}

export function describeProfile(profile: FaultProfile): string {
  return (
    `${profile.faults.join(', ')}; a step every ~${profile.intervalMs} ms, up to ${profile.concurrency} at once; leader targeted ${Math.round(profile.leaderBias * 100)} %; ` +
    `flaky up to ${Math.round(profile.maxDropRate * 100)} % loss, ${Math.round(profile.maxDuplicateRate * 100)} % duplicates, +${profile.maxExtraSpreadMs} ms spread; ` +
    `delay ${Math.round(profile.tailRate * 100)} % of messages up to ${profile.tailMs} ms; clocks ×${profile.maxDrift} drift; syncs up to ${profile.maxSyncMs} ms${profile.slowNetworkMs > 0 ? `; a slow network, +${profile.slowNetworkMs} ms spread throughout` : ''}`
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The run's fault profile: drawn from the seed's own `swarm` stream under swarm testing, the scenario's as written otherwise. */
export function profileFor(nemesis: NonNullable<Scenario['nemesis']>, random: RandomStreams): FaultProfile {
  return nemesis.swarm ? drawProfile(random.named('swarm'), nemesis.faults, nemesis.intervalMs) : fixedProfile(nemesis.faults, nemesis.intervalMs);
}
