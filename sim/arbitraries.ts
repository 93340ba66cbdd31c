import fc from 'fast-check';
import type { FaultAction, NodeRef } from './scenario.js';

/**
 * fast-check arbitraries for property tests over clusters: users combine them with
 * `runScenario` and let fast-check shrink a failing schedule to a small one.
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

export function faultActionArbitrary(nodes: number, durationMs: number): fc.Arbitrary<FaultAction> {
  const at = fc.integer({ min: 0, max: durationMs });
  const node = nodeRefArbitrary(nodes);
  return fc.oneof(
    fc.record({ at, action: fc.constant('partition' as const), groups: groupsArbitrary(nodes) }),
    fc.record({ at, action: fc.constant('isolate' as const), node }),
    fc.record({ at, action: fc.constant('cut' as const), from: node, to: node }),
    fc.record({ at, action: fc.constant('heal' as const) }),
    fc.record({ at, action: fc.constant('crash' as const), node }),
    fc.record({ at, action: fc.constant('restart' as const), node: fc.oneof(node, fc.constant('all' as const)) }),
    fc.record({ at, action: fc.constant('pause' as const), node }),
    fc.record({ at, action: fc.constant('resume' as const), node: fc.oneof(node, fc.constant('all' as const)) }),
    fc.record({
      at,
      action: fc.constant('network' as const),
      settings: fc.record({
        dropRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
        duplicateRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
        latencySpreadMs: fc.integer({ min: 0, max: 40 }),
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
