import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/index.js';

describe('regressions found by simulation', () => {
  it('does not force a write that only happens to leave the current state unchanged', () => {
    // From partition-leader seed 1: write 4 runs while the register already holds 4, but
    // the only linearization needs it later, after write 1, where it changes the state.
    const history = [
      {"process": 0, "type": "invoke", "f": "write", "key": "r0", "value": 4, "time": 455},
      {"process": 3, "type": "invoke", "f": "read", "key": "r0", "value": null, "time": 461},
      {"process": 2, "type": "invoke", "f": "read", "key": "r0", "value": null, "time": 465},
      {"process": 0, "type": "ok", "f": "write", "key": "r0", "value": 4, "time": 468},
      {"process": 3, "type": "ok", "f": "read", "key": "r0", "value": 4, "time": 471},
      {"process": 0, "type": "invoke", "f": "write", "key": "r0", "value": 1, "time": 472},
      {"process": 3, "type": "invoke", "f": "cas", "key": "r0", "value": [1, 1], "time": 477},
      {"process": 2, "type": "ok", "f": "read", "key": "r0", "value": 4, "time": 477},
      {"process": 2, "type": "invoke", "f": "write", "key": "r0", "value": 4, "time": 481},
      {"process": 0, "type": "ok", "f": "write", "key": "r0", "value": 1, "time": 482},
      {"process": 0, "type": "invoke", "f": "cas", "key": "r0", "value": [3, 3], "time": 483},
      {"process": 3, "type": "ok", "f": "cas", "key": "r0", "value": [1, 1], "time": 491},
      {"process": 1, "type": "invoke", "f": "cas", "key": "r0", "value": [4, 1], "time": 492},
      {"process": 2, "type": "ok", "f": "write", "key": "r0", "value": 4, "time": 494},
      {"process": 2, "type": "invoke", "f": "write", "key": "r0", "value": 2, "time": 494},
      {"process": 0, "type": "fail", "f": "cas", "key": "r0", "value": [3, 3], "time": 495},
      {"process": 1, "type": "ok", "f": "cas", "key": "r0", "value": [4, 1], "time": 503},
      {"process": 2, "type": "ok", "f": "write", "key": "r0", "value": 2, "time": 508},
    ];
    expect(checkHistory(history, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('linearizable');
  });

  it('still finds the stale read in the same history with the last read changed', () => {
    const history = [
      { process: 0, type: 'invoke', f: 'write', key: 'r0', value: 4, time: 1 },
      { process: 0, type: 'ok', f: 'write', key: 'r0', value: 4, time: 2 },
      { process: 1, type: 'invoke', f: 'write', key: 'r0', value: 4, time: 3 },
      { process: 1, type: 'ok', f: 'write', key: 'r0', value: 4, time: 4 },
      { process: 0, type: 'invoke', f: 'write', key: 'r0', value: 1, time: 5 },
      { process: 0, type: 'ok', f: 'write', key: 'r0', value: 1, time: 6 },
      { process: 1, type: 'invoke', f: 'read', key: 'r0', value: null, time: 7 },
      { process: 1, type: 'ok', f: 'read', key: 'r0', value: 4, time: 8 },
    ];
    expect(checkHistory(history, { model: 'register', maxSteps: 10_000_000 }).verdict).toBe('not-linearizable');
  });
});
