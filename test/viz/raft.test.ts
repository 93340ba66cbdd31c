import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/trace.js';
import { KNOWN_TYPES, markers, prepareModel } from '../../viz/prepare.js';
import { confSpans, confText, laneMarks, memberSpans, memberStatus, transferSpans } from '../../viz/raft.js';
import { applyEvent, initialStates, StateIndex } from '../../viz/state.js';
import type { ConfState, MemberStatus, Model } from '../../viz/types.js';
import { realTrace } from './fixtures.js';

/** The newer Raft features as the viewer derives them: membership, transfers, snapshots, step-downs. */

const conf = (voters: number[], more: Partial<ConfState> = {}): ConfState => ({ voters, learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false, ...more });
const applied = (t: number, node: number, index: number, c: ConfState): TraceEvent => ({ t, k: 'conf', node, index, conf: c });

/** Each node's statuses over the run, in order, without repeats. */
function statusesOf(model: Model, node: number): MemberStatus[] {
  return model.members.filter((s) => s.node === node).map((s) => s.status);
}

describe('membership status', () => {
  it('tells voters, learners and outsiders apart, and both halves of a joint config', () => {
    const plain = conf([1, 2, 3], { learners: [4] });
    expect([1, 4, 5].map((n) => memberStatus(plain, n))).toEqual(['voter', 'learner', 'outside']);
    const joint = conf([3, 4, 5], { votersOutgoing: [1, 2, 3], learnersNext: [2] });
    expect([1, 2, 3, 4, 6].map((n) => memberStatus(joint, n))).toEqual(['outgoing', 'outgoing', 'voter', 'incoming', 'outside']);
    expect(confText(joint)).toBe('◫ joint · old 1,2,3 → new 3,4,5 · learner 2');
    expect(confText(plain)).toBe('voters 1,2,3 · learner 4');
  });

  it('moves the cluster on with the first node to apply a newer entry, and ignores re-applied older ones', () => {
    const learner = conf([1, 2, 3], { learners: [4] });
    const voter = conf([1, 2, 3, 4]);
    const events = [applied(10, 3, 5, learner), applied(12, 1, 5, learner), applied(20, 3, 9, voter), applied(25, 2, 5, learner), applied(30, 1, 9, voter)];
    const spans = confSpans(events, conf([1, 2, 3]), 100);
    expect(spans.map((s) => [s.start, s.end, s.confIndex])).toEqual([
      [0, 10, 0],
      [10, 20, 5],
      [20, 100, 9],
    ]);
    const members = memberSpans(spans, [4]);
    expect(members.map((s) => [s.status, s.start, s.end])).toEqual([
      ['outside', 0, 10],
      ['learner', 10, 20],
      ['voter', 20, 100],
    ]);
  });
});

describe('membership from real runs', () => {
  let change: Model;
  let joint: Model;
  beforeAll(() => {
    change = prepareModel(realTrace('membership-change', 1, 7000));
    joint = prepareModel(realTrace('joint-consensus', 1, 6500));
  });

  it('adds a learner, promotes it, removes a voter and adds one', () => {
    expect(change.membershipInPlay).toBe(true);
    expect(change.initialConf.voters).toEqual([1, 2, 3]);
    expect(change.confs.map((c) => confText(c.conf))).toEqual(['voters 1,2,3', 'voters 1,2,3 · learner 4', 'voters 1,2,3,4', 'voters 1,3,4', 'voters 1,3,4,5']);
    expect(statusesOf(change, 4)).toEqual(['outside', 'learner', 'voter']);
    expect(statusesOf(change, 2)).toEqual(['voter', 'outside']);
    expect(statusesOf(change, 5)).toEqual(['outside', 'voter']);
    const learner = change.members.find((s) => s.node === 4 && s.status === 'learner');
    expect(learner?.start).toBe(1510);
  });

  it('shows the joint configuration, who joins and who leaves, and its end', () => {
    const spans = joint.confs.filter((c) => c.joint);
    expect(spans).toHaveLength(1);
    expect(confText(spans[0].conf)).toBe('◫ joint · old 1,2,3 → new 3,4,5');
    expect(statusesOf(joint, 1)).toEqual(['voter', 'outgoing', 'outside']);
    expect(statusesOf(joint, 3)).toEqual(['voter']);
    expect(statusesOf(joint, 4)).toEqual(['outside', 'incoming', 'voter']);
    const left = joint.confs[joint.confs.length - 1];
    expect(left.joint).toBe(false);
    expect(left.start).toBeGreaterThan(5500);
  });

  it('gives every node its own applied config in the state at the cursor', () => {
    const index = new StateIndex(change.events, change.nodes, undefined, change.initialConf);
    const early = index.at(1000).nodes;
    expect(early.map((n) => memberStatus(n.conf, n.id))).toEqual(['voter', 'voter', 'voter', 'outside', 'outside']);
    // Node 3 leads and applies the learner entry first; node 4 itself learns of it later.
    const at = index.at(1512).nodes;
    expect(memberStatus(at[2].conf, 4)).toBe('learner');
    expect(memberStatus(at[3].conf, 4)).toBe('outside');
  });

  it('leaves a trace without membership changes alone', () => {
    const plain = prepareModel(realTrace('leader-crash', 1, 1500));
    expect(plain.membershipInPlay).toBe(false);
    expect(plain.confs).toHaveLength(1);
    expect(plain.members.every((s) => s.status === 'voter')).toBe(true);
  });
});

describe('leadership transfers', () => {
  const start = (t: number, from: number, to: number): TraceEvent => ({ t, k: 'transfer', phase: 'started', from, to, term: 2 });
  it('pairs starts with finishes and abandonments, and keeps an unfinished one open', () => {
    const spans = transferSpans(
      [
        start(100, 1, 2),
        { t: 110, k: 'transfer', phase: 'finished', from: 1, to: 2, term: 2 },
        start(200, 2, 3),
        { t: 400, k: 'transfer', phase: 'abandoned', from: 2, to: 3, term: 2, reason: 'timeout' },
        start(500, 2, 4),
      ],
      1000,
    );
    expect(spans.map((s) => [s.from, s.to, s.start, s.end, s.outcome, s.reason])).toEqual([
      [1, 2, 100, 110, 'finished', ''],
      [2, 3, 200, 400, 'abandoned', 'timeout'],
      [2, 4, 500, 1000, 'open', ''],
    ]);
  });

  it('finds every transfer of a real run, each finished within an election timeout', () => {
    const model = prepareModel(realTrace('leader-transfer', 1, 3000));
    expect(model.transfers.map((s) => [s.from, s.to, s.outcome])).toEqual([
      [4, 2, 'finished'],
      [2, 1, 'finished'],
      [1, 3, 'finished'],
    ]);
    for (const s of model.transfers) expect(s.end - s.start).toBeLessThan(100);
    // A start is a fault marker on the old leader's lane; the finish is the new leader's marker.
    const faults = model.markers.filter((m) => m.kind === 'fault' && model.events[m.index].k === 'transfer');
    expect(faults.map((m) => m.node)).toEqual([4, 2, 1]);
    expect(KNOWN_TYPES).toEqual(expect.arrayContaining(['preVote', 'preVoteResp', 'timeoutNow']));
    expect(model.messages.types.indexOf('timeoutNow')).toBe(KNOWN_TYPES.indexOf('timeoutNow'));
  });
});

describe('snapshots and step-downs', () => {
  it('marks compactions, installs and step-downs on their lanes, in time order', () => {
    const marks = laneMarks([
      { t: 5, k: 'snapshot', node: 1, index: 20, term: 1 },
      { t: 9, k: 'installSnapshot', node: 3, from: 1, index: 20 },
      { t: 12, k: 'stepDown', node: 1, term: 2, reason: 'check quorum' },
    ]);
    expect(marks.map((m) => [m.kind, m.node, m.label])).toEqual([
      ['snapshot', 1, '▨ ≤20'],
      ['install', 3, '↧ snapshot ≤20 from 1'],
      ['stepDown', 1, '▼ stepped down: check quorum'],
    ]);
    const [step] = markers([{ t: 12, k: 'stepDown', node: 1, term: 2, reason: 'check quorum' }]);
    expect(step).toMatchObject({ kind: 'leader', node: 1 });
  });

  it('keeps the compacted prefix, installs a snapshot over the log, and the leader’s snapshot state', () => {
    const nodes = initialStates([1, 2]);
    applyEvent(nodes, { t: 1, k: 'append', node: 1, from: 1, terms: [1, 1, 2, 2] });
    applyEvent(nodes, { t: 2, k: 'snapshot', node: 1, index: 3, term: 2 });
    expect(nodes[0]).toMatchObject({ snapIndex: 3, snapTerm: 2, log: [1, 1, 2, 2] });
    applyEvent(nodes, { t: 3, k: 'append', node: 2, from: 1, terms: [1] });
    applyEvent(nodes, { t: 4, k: 'installSnapshot', node: 2, from: 1, index: 3 });
    expect(nodes[1]).toMatchObject({ snapIndex: 3, log: [0, 0, 0], commit: 3, applied: 3 });
    applyEvent(nodes, { t: 5, k: 'progressState', node: 1, peer: 2, state: 'snapshot', pendingSnapshot: 3 });
    expect(nodes[0].progress.get(2)).toMatchObject({ state: 'snapshot', pendingSnapshot: 3 });
    applyEvent(nodes, { t: 6, k: 'progress', node: 1, peer: 2, match: 3, next: 4 });
    expect(nodes[0].progress.get(2)).toEqual({ match: 3, next: 4, state: 'snapshot', pendingSnapshot: 3 });
    applyEvent(nodes, { t: 7, k: 'crash', node: 2, lostWrites: 0 });
    applyEvent(nodes, { t: 8, k: 'restart', node: 2, term: 1, vote: 1, commit: 3, lastIndex: 3 });
    expect(nodes[1]).toMatchObject({ snapIndex: 3, applied: 3 });
  });

  it('finds the catch-up snapshot of a real run and who sent it', () => {
    const model = prepareModel(realTrace('snapshot-catchup', 1, 5000));
    const installs = model.laneMarks.filter((m) => m.kind === 'install');
    expect(installs).toHaveLength(1);
    const install = model.events[installs[0].index];
    expect(install).toMatchObject({ k: 'installSnapshot', node: 1 });
    expect(model.laneMarks.filter((m) => m.kind === 'snapshot').length).toBeGreaterThan(20);
    const state = new StateIndex(model.events, model.nodes).at(installs[0].t);
    const follower = state.nodes[0];
    expect(install.k === 'installSnapshot' && follower.snapIndex).toBe(install.k === 'installSnapshot' ? install.index : -1);
    expect(follower.commit).toBeGreaterThanOrEqual(follower.snapIndex);
  });

  it('finds the CheckQuorum step-down of a real run, and pre-candidates', () => {
    const model = prepareModel(realTrace('check-quorum', 1, 2500));
    expect(model.laneMarks.filter((m) => m.kind === 'stepDown').map((m) => [m.node, m.t])).toEqual([[4, 1618]]);
    expect(model.bands.some((b) => b.role === 'preCandidate')).toBe(true);
    expect(model.markers.some((m) => m.kind === 'leader' && /steps down/.test(m.label))).toBe(true);
  });
});
