import fc from 'fast-check';
import type { FaultAction, NodeRef, WorkloadConfig } from './scenario.js';

/**
 * fast-check arbitraries for property tests over clusters: fault schedules and
 * workloads. Users combine them with `runScenario` (or `clusterProperty` in
 * sim/testing.ts) and let fast-check shrink a failing schedule to a small one.
 */

export function nodeRefArbitrary(nodes: number): fc.Arbitrary<NodeRef> {
  return fc.oneof(fc.integer({ min: 1, max: nodes }), fc.constantFrom('leader' as const, 'follower' as const, 'random' as const));
}

/** A random split of the cluster into two to three groups. */
function groupsArbitrary(nodes: number): fc.Arbitrary<number[][]> {
  return fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: nodes, maxLength: nodes })
    .map((sides) => [0, 1, 2].map((side) => sides.flatMap((s, i) => (s === side ? [i + 1] : []))).filter((group) => group.length > 0));
}

/** Any one fault action of the scenario schema, at a time within the run. */
export function faultActionArbitrary(nodes: number, durationMs: number): fc.Arbitrary<FaultAction> {
  const at = fc.integer({ min: 0, max: durationMs });
  const node = nodeRefArbitrary(nodes);
  const id = fc.integer({ min: 1, max: nodes });
  return fc.oneof(
    fc.record({ at, action: fc.constant('partition' as const), groups: groupsArbitrary(nodes) }),
    fc.record({ at, action: fc.constant('isolate' as const), node }),
    fc.record({ at, action: fc.constant('cut' as const), from: node, to: node }),
    fc.record({ at, action: fc.constant('uncut' as const), from: id, to: id }),
    fc.record({ at, action: fc.constant('clog' as const), from: node, to: node }),
    fc.record({ at, action: fc.constant('unclog' as const), from: id, to: id }),
    fc.record({ at, action: fc.constant('bridge' as const), node }),
    fc.record({ at, action: fc.constant('ring' as const) }),
    fc.record({ at, action: fc.constant('heal' as const) }),
    fc.record({ at, action: fc.constant('crash' as const), node, unsynced: fc.constantFrom('lose' as const, 'keep-some' as const, 'tear' as const), keep: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ at, action: fc.constant('kill' as const), node }),
    fc.record({ at, action: fc.constant('restart' as const), node: fc.oneof(node, fc.constant('all' as const)) }),
    fc.record({ at, action: fc.constant('pause' as const), node }),
    fc.record({ at, action: fc.constant('resume' as const), node: fc.oneof(node, fc.constant('all' as const)) }),
    fc.record({ at, action: fc.constant('clock' as const), node, rate: fc.constantFrom(0.25, 0.5, 2, 4) }),
    fc.record({
      at,
      action: fc.constant('network' as const),
      settings: fc.record({
        dropRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
        duplicateRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
        latencySpreadMs: fc.integer({ min: 0, max: 40 }),
        tailRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
        tailMs: fc.integer({ min: 0, max: 400 }),
      }),
    }),
  );
}

/** A schedule of faults, sorted by time, as a scenario's `faults` field takes it. */
export function faultScheduleArbitrary(nodes: number, durationMs: number, maxFaults = 12): fc.Arbitrary<FaultAction[]> {
  return fc
    .array(faultActionArbitrary(nodes, durationMs), { maxLength: maxFaults })
    .map((faults) => faults.slice().sort((a, b) => a.at - b.at));
}

const hotKeyShare = fc.constantFrom(0, 0.5, 0.9);

const clientFields = {
  clients: fc.integer({ min: 1, max: 6 }),
  thinkMs: fc.integer({ min: 0, max: 40 }),
  timeoutMs: fc.constantFrom(300, 500, 1000),
};

/** Any client workload with a checker: register, kv, bank, watch or lease. */
export function workloadArbitrary(): fc.Arbitrary<WorkloadConfig> {
  return fc.oneof(
    fc.record({ type: fc.constant('register' as const), ...clientFields, keys: fc.integer({ min: 1, max: 4 }), hotKeyShare }),
    fc.record({ type: fc.constant('kv' as const), ...clientFields, keys: fc.integer({ min: 2, max: 8 }), hotKeyShare, serializableShare: fc.constantFrom(0, 0.2) }),
    fc.record({ type: fc.constant('bank' as const), ...clientFields, accounts: fc.integer({ min: 2, max: 6 }) }),
    fc.record({ type: fc.constant('watch' as const), ...clientFields, keys: fc.integer({ min: 2, max: 6 }), hotKeyShare, watchers: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ type: fc.constant('lease' as const), ...clientFields, ttlSeconds: fc.constantFrom(1, 2), keysPerLease: fc.integer({ min: 0, max: 3 }) }),
  );
}
