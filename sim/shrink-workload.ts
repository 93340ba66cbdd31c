import type { InvariantName } from './invariants.js';
import type { Scenario, WorkloadConfig } from './scenario.js';

/** Checks that judge what clients saw: without clients they cannot fail. */
const CLIENT_CHECKS: ReadonlySet<string> = new Set<InvariantName>(['linearizability', 'bank', 'lease', 'watch']);

/** How many times slower clients are tried, each twice as slow as the one before. */
const SLOWER_CLIENT_STEPS = 6;

/**
 * A simpler workload that still fails, so the repro shows few operations: for a failure of
 * Raft itself, plain proposals instead of clients; otherwise no watchers unless the watch
 * check failed, clients ever slower (each doubling of the pause halves the operations), and
 * the fewest keys. Every candidate is a full run; `stillFails` keeps the ones that fail.
 */
export function simplifyWorkload(current: () => Scenario, check: string, stillFails: (scenario: Scenario) => boolean): void {
  const workload = () => current().workload;
  const withWorkload = (next: WorkloadConfig): Scenario => ({ ...current(), workload: next });
  if (!('clients' in workload())) return;
  if (!CLIENT_CHECKS.has(check) && stillFails(withWorkload({ type: 'proposals', intervalMs: 50 }))) return;
  const watching = workload();
  if (watching.type === 'watch' && check !== 'watch') {
    const { watchers: _watchers, type: _type, ...writers } = watching;
    stillFails(withWorkload({ ...writers, type: 'kv', serializableShare: 0 }));
  }
  for (let step = 0; step < SLOWER_CLIENT_STEPS; step++) {
    const clients = workload();
    if (!('thinkMs' in clients)) return;
    const thinkMs = Math.max(10, clients.thinkMs * 2);
    if (thinkMs > current().durationMs / 2 || !stillFails(withWorkload({ ...clients, thinkMs }))) break;
  }
  const keyed = workload();
  if ('keys' in keyed) {
    const fewest = keyed.type === 'register' ? 1 : 2;
    if (keyed.keys > fewest) stillFails(withWorkload({ ...keyed, keys: fewest }));
  }
}
