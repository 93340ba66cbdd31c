/**
 * Membership changes in the simulator: the scenarios do what they say with every check
 * green, the fault actions note what they could not do, and the invariant checker
 * judges durability by the config that committed an entry and refuses config steps
 * that let two majorities miss each other.
 */
import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../src/raft/log.js';
import { bootstrapConf } from '../../src/raft/membership.js';
import type { ConfState, Entry } from '../../src/raft/types.js';
import { findScenario } from '../../scenarios/index.js';
import { InvariantChecker } from '../../sim/invariants.js';
import { defineScenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import type { TraceEvent } from '../../sim/trace.js';

function run(name: string, seed: number) {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const result = runScenario(scenario, { seed, trace: 'full' });
  const of = <K extends TraceEvent['k']>(k: K) => result.events.filter((e): e is Extract<TraceEvent, { k: K }> => e.k === k);
  return { result, of };
}

const conf = (voters: number[], rest: Partial<ConfState> = {}): ConfState => ({ ...bootstrapConf(voters), ...rest });

describe('membership scenarios', () => {
  it.each([1, 2, 3])('membership-change (seed %i): 4 joins as a learner and is promoted, 2 leaves, 5 joins; every check holds', (seed) => {
    const { result, of } = run('membership-change', seed);
    expect(result.violations).toEqual([]);
    expect(result.linearizability?.verdict).toBe('linearizable');
    const confs = of('conf');
    expect(confs.some((c) => JSON.stringify(c.conf) === JSON.stringify(conf([1, 2, 3], { learners: [4] })))).toBe(true);
    for (const id of [1, 3, 4, 5]) expect(confs.filter((c) => c.node === id).at(-1)?.conf).toEqual(conf([1, 3, 4, 5]));
    // Outside the cluster, and as a learner, a node never campaigns.
    const promoted = confs.find((c) => c.node === 4 && c.conf.voters.includes(4))!.t;
    expect(of('state').filter((s) => (s.node === 4 && s.t < promoted) || s.node === 5).every((s) => s.role !== 'candidate')).toBe(true);
  });

  it.each([1, 2, 3])('joint-consensus (seed %i): voters 1,2,3 become 3,4,5 through a joint config that outlives a leader crash', (seed) => {
    const { result, of } = run('joint-consensus', seed);
    expect(result.violations).toEqual([]);
    expect(result.linearizability?.verdict).toBe('linearizable');
    const joint = of('conf').filter((c) => c.conf.votersOutgoing.length > 0);
    expect(joint.length).toBeGreaterThan(0);
    expect(joint[0].conf).toEqual(conf([3, 4, 5], { votersOutgoing: [1, 2, 3] }));
    const entered = joint[0].t;
    const left = of('conf').find((c) => c.t > entered && c.conf.votersOutgoing.length === 0)!.t;
    // The leader of the moment crashed between entering and leaving.
    const crash = of('crash').find((c) => c.t > entered && c.t < left);
    expect(crash).toBeDefined();
    expect(of('state').filter((s) => s.t < crash!.t && s.role === 'leader').at(-1)?.node).toBe(crash!.node);
    expect(of('state').some((s) => s.t > crash!.t && s.t < left && s.role === 'leader')).toBe(true);
    for (const id of [3, 4, 5]) expect(of('conf').filter((c) => c.node === id).at(-1)?.conf).toEqual(conf([3, 4, 5]));
  });

  it('joint-consensus seed 82046: the leader that applies the leave hands over, so the new voters elect a leader after all', () => {
    // The leader (node 2, outgoing only) committed the leave and stepped down at once: nodes 4 and 5
    // held the entry without knowing it committed, so they still needed the outgoing voters, whose
    // logs were one entry longer and refused them. Elections went on to term 53 and liveness failed.
    const { result, of } = run('joint-consensus', 82046);
    expect(result.violations).toEqual([]);
    const leaveApplied = of('conf').find((c) => c.node === 2 && c.conf.votersOutgoing.length === 0)!.t;
    const next = of('state').find((s) => s.t >= leaveApplied && s.role === 'leader' && [3, 4, 5].includes(s.node));
    expect(next).toBeDefined();
    expect(next!.t - leaveApplied).toBeLessThan(100);
    expect(of('transfer').some((t) => t.from === 2 && t.phase === 'started')).toBe(true);
  });

  it.each([1, 2, 3])('membership-nemesis (seed %i): the nemesis changes the membership among partitions and crashes; every check holds', (seed) => {
    const { result, of } = run('membership-nemesis', seed);
    expect(result.violations).toEqual([]);
    expect(result.linearizability?.verdict).toBe('linearizable');
    expect(of('confPropose').filter((p) => p.result.startsWith('appended')).length).toBeGreaterThan(0);
    expect(of('crash').length + of('partition').length).toBeGreaterThan(0);
  });

  it.each(['membership-change', 'joint-consensus', 'membership-nemesis'])('%s: the same seed gives the same trace', (name) => {
    const scenario = findScenario(name)!;
    const hashes = [1, 1].map((seed) => runScenario(scenario, { seed, trace: 'hash' }).traceHash);
    expect(hashes[0]).toBe(hashes[1]);
    expect(runScenario(scenario, { seed: 2, trace: 'hash' }).traceHash).not.toBe(hashes[0]);
  });

  it('a change without a leader, or a promotion of a non-learner, is skipped with a note', () => {
    const scenario = defineScenario({
      name: 'early-change',
      nodes: 4,
      members: 3,
      durationMs: 2000,
      faults: [
        { at: 0, action: 'add-voter', node: 4 },
        { at: 1000, action: 'promote', node: 4 },
      ],
    });
    const result = runScenario(scenario, { seed: 1, trace: 'full' });
    const notes = result.events.filter((e) => e.k === 'note').map((e) => (e as { text: string }).text);
    expect(notes).toContain('conf change +v4 skipped: no live leader');
    expect(notes).toContain('promote skipped: node 4 is no learner');
    expect(result.ok).toBe(true);
  });

  it('members defaults to every node and may not exceed them', () => {
    expect(defineScenario({ name: 'x', nodes: 3 }).members).toBeUndefined();
    expect(() => defineScenario({ name: 'x', nodes: 3, members: 4 })).toThrow(/members: 4 is more than the 3 nodes/);
  });
});

describe('invariant checker and configs', () => {
  const clock = { now: () => 7 };
  const e = (index: number, term: number): Entry => ({ index, term, data: `d${index}` });
  const has = { durablyHolds: (i: number, term: number) => i === 1 && term === 1 };
  const lacks = { durablyHolds: () => false };

  it('durability counts the voters of the config that committed the entry, not every disk', () => {
    const checker = new InvariantChecker(clock);
    // Voters 1, 2, 3 of five nodes: two of them suffice, though that is not a majority of five disks.
    checker.onCommit(1, 1, 1, new RaftLog([e(1, 1)], 1), conf([1, 2, 3]));
    checker.checkCommittedDurable([has, has, lacks, lacks, lacks], 3);
    expect(checker.ok).toBe(true);
    // Copies on the non-voters 4 and 5 do not count.
    checker.checkCommittedDurable([has, lacks, lacks, has, has], 3);
    expect(checker.violations[0].invariant).toBe('durability');
  });

  it('durability in a joint config needs a majority of both halves', () => {
    const checker = new InvariantChecker(clock);
    checker.onCommit(1, 1, 1, new RaftLog([e(1, 1)], 1), conf([3, 4, 5], { votersOutgoing: [1, 2, 3] }));
    // A majority of the incoming {3,4,5}, but only 3 of the outgoing {1,2,3}.
    checker.checkCommittedDurable([lacks, lacks, has, has, has], 3);
    expect(checker.violations[0]?.message).toMatch(/voters 1,2,3 of the joint config/);
  });

  it('a leader commit must be durable on a majority of both halves of its config as it happens', () => {
    const log = new RaftLog([e(1, 1)], 1);
    const onlyIncoming = (node: number) => node >= 3;
    const checker = new InvariantChecker(clock);
    checker.onLeaderCommit(3, 1, 1, log, { conf: conf([3, 4, 5]), durablyHolds: onlyIncoming });
    expect(checker.ok).toBe(true);
    checker.onLeaderCommit(3, 1, 1, log, { conf: conf([3, 4, 5], { votersOutgoing: [1, 2, 3] }), durablyHolds: onlyIncoming });
    expect(checker.violations[0]?.message).toMatch(/durable on only 1 of voters 1,2,3/);
  });

  it('flags a step that changes two voters without joint consensus, and nodes disagreeing on a config', () => {
    const checker = new InvariantChecker(clock);
    checker.onConfApplied(1, 5, conf([1, 2, 3]), conf([1, 2, 3, 4]));
    checker.onConfApplied(1, 6, conf([1, 2, 3, 4]), conf([3, 4, 5], { votersOutgoing: [1, 2, 3, 4] }));
    checker.onConfApplied(1, 7, conf([3, 4, 5], { votersOutgoing: [1, 2, 3, 4] }), conf([3, 4, 5]));
    expect(checker.ok).toBe(true);
    checker.onConfApplied(2, 5, conf([1, 2, 3]), conf([1, 2, 4]));
    expect(checker.violations[0]?.invariant).toBe('config-change');
    const direct = new InvariantChecker(clock);
    direct.onConfApplied(1, 5, conf([1, 2, 3]), conf([1, 4, 5]));
    expect(direct.violations[0]?.message).toMatch(/more than one voter changed without joint consensus/);
  });
});
