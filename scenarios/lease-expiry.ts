import { defineScenario } from '../sim/scenario.js';

/**
 * Clients take one-second leases, attach keys, keep some alive a while and abandon
 * the rest. Only the leader's lessor decides that a lease has expired, and it does
 * so by committing a revoke through the log, so every replica deletes the same keys
 * at the same point of its history. When the leader crashes, the new leader gives
 * every lease a fresh TTL rather than expiring them all at once. At the end, every
 * abandoned lease must be gone, with its keys, on every replica; and no replica may
 * have revoked a lease before its TTL ran out.
 */
export default defineScenario({
  name: 'lease-expiry',
  description: 'keys vanish when their lease expires, on every replica, across a leader change',
  nodes: 5,
  durationMs: 8000,
  workload: { type: 'lease', clients: 4, ttlSeconds: 1, keysPerLease: 2, thinkMs: 150 },
  faults: [
    { at: 2500, action: 'crash', node: 'leader' },
    { at: 4000, action: 'restart', node: 'all' },
    { at: 5000, action: 'isolate', node: 'leader' },
    { at: 6500, action: 'heal' },
  ],
  settleMs: 3000,
});
