import type { TraceEvent } from '../../sim/trace.js';
import { confText, isJoint, memberLabel } from '../raft.js';
import type { ConfState, Model } from '../types.js';
import type { Description } from './describe.js';
import type { Item } from './store.js';

/** Tooltip and details text for membership, transfers, snapshots and step-downs. */

const ms = (t: number) => `${Math.round(t * 1000) / 1000} ms`;
const nodes = (ns: readonly number[]) => (ns.length === 0 ? 'none' : ns.join(', '));

type RaftItem = Extract<Item, { kind: 'member' | 'conf' | 'transfer' | 'laneMark' }>;

export function describeRaft(model: Model, item: RaftItem): Description {
  switch (item.kind) {
    case 'member':
      return describeMember(model, item.index);
    case 'conf':
      return describeConf(model, item.index);
    case 'transfer':
      return describeTransfer(model, item.index);
    case 'laneMark':
      return describeLaneMark(model, item.index);
  }
}

const STATUS_MEANING = {
  voter: 'votes in elections and counts towards commit',
  incoming: 'joint consensus: a voter of the new configuration only; every decision needs a majority of both halves',
  outgoing: 'joint consensus: a voter of the old configuration only; it leaves (or becomes a learner) once the joint config is left',
  learner: 'receives the log but neither votes nor counts towards commit',
  outside: 'not a member: the leader sends it nothing and its votes and campaigns are ignored',
} as const;

function describeMember(model: Model, index: number): Description {
  const span = model.members[index];
  const conf = model.confs[span.conf];
  const rows: [string, string][] = [
    ['node', String(span.node)],
    ['membership', memberLabel(span.status, conf.conf, span.node)],
    ['meaning', STATUS_MEANING[span.status]],
    ['configuration', confText(conf.conf)],
    ['from', ms(span.start)],
    ['until', ms(span.end)],
  ];
  const events = conf.index >= 0 ? [model.events[conf.index]] : [];
  return { title: `node ${span.node}: ${memberLabel(span.status, conf.conf, span.node)}`, rows, events, t: span.start };
}

/** Who must agree: one majority, or during joint consensus one of each half. */
export function quorumText(conf: ConfState): string {
  const majority = (ns: readonly number[]) => `${Math.floor(ns.length / 2) + 1} of [${ns.join(',')}]`;
  return isJoint(conf) ? `${majority(conf.votersOutgoing)} and ${majority(conf.voters)}` : majority(conf.voters);
}

function describeConf(model: Model, index: number): Description {
  const span = model.confs[index];
  const c = span.conf;
  const rows: [string, string][] = [];
  if (isJoint(c)) rows.push(['joint', 'yes: old and new configurations both decide'], ['old voters', nodes(c.votersOutgoing)], ['new voters', nodes(c.voters)]);
  else rows.push(['voters', nodes(c.voters)]);
  rows.push(['learners', nodes([...c.learners, ...c.learnersNext])]);
  if (c.learnersNext.length > 0) rows.push(['learners once left', nodes(c.learnersNext)]);
  if (isJoint(c)) rows.push(['leaves joint', c.autoLeave ? 'on its own once committed (auto-leave)' : 'only when asked (explicit leave)']);
  rows.push(['quorum', quorumText(c)]);
  const outside = model.nodes.filter((n) => ![...c.voters, ...c.votersOutgoing, ...c.learners, ...c.learnersNext].includes(n));
  if (outside.length > 0) rows.push(['outside', nodes(outside)]);
  const events: TraceEvent[] = [];
  if (span.index >= 0) {
    const first = model.events[span.index];
    rows.push(['conf entry', `log index ${span.confIndex}, first applied by node ${'node' in first ? first.node : '?'}`]);
    const propose = model.events.find((e) => e.k === 'confPropose' && e.result === `appended at ${span.confIndex}`);
    if (propose && propose.k === 'confPropose') rows.push(['proposed', `${propose.change} at leader ${propose.node}, ${ms(propose.t)}`]);
    if (propose) events.push(propose);
    events.push(first);
  } else rows.push(['conf entry', 'the boot configuration']);
  rows.push(['from', ms(span.start)], ['until', ms(span.end)]);
  return { title: `configuration: ${confText(c)}`, rows, events, t: span.start };
}

function describeTransfer(model: Model, index: number): Description {
  const s = model.transfers[index];
  const outcome =
    s.outcome === 'finished' ? `finished: node ${s.to} leads` : s.outcome === 'abandoned' ? `abandoned${s.reason ? `: ${s.reason}` : ''}` : 'still under way when the run ended';
  const rows: [string, string][] = [
    ['from → to', `node ${s.from} → node ${s.to}`],
    ['term', `${s.term} (the leader's)`],
    ['how', `the leader stops taking proposals, brings node ${s.to} up to date, then sends it TimeoutNow so it campaigns at once`],
    ['outcome', outcome],
    ['started', ms(s.start)],
    [s.outcome === 'open' ? 'open until' : 'ended', `${ms(s.end)} (after ${ms(s.end - s.start)})`],
  ];
  const events = [s.index, s.endIndex].filter((i) => i >= 0).map((i) => model.events[i]);
  return { title: `leadership transfer ${s.from} → ${s.to}: ${s.outcome === 'open' ? 'open' : s.outcome}`, rows, events, t: s.start };
}

function describeLaneMark(model: Model, index: number): Description {
  const mark = model.laneMarks[index];
  const e = model.events[mark.index];
  const at: [string, string] = ['at', ms(mark.t)];
  if (e.k === 'snapshot') {
    const rows: [string, string][] = [
      ['node', String(e.node)],
      ['compacted', `log entries 1–${e.index} (last term ${e.term}) now live only in a snapshot of the state machine`],
      ['why it matters', 'a follower that still needs those entries gets the snapshot instead (InstallSnapshot)'],
      at,
    ];
    return { title: `node ${e.node} compacts its log up to ${e.index}`, rows, events: [e], t: e.t };
  }
  if (e.k === 'installSnapshot') {
    const rows: [string, string][] = [
      ['node', String(e.node)],
      ['from', `leader ${e.from}`],
      ['installed', `a snapshot up to index ${e.index}: its log and state machine are replaced, its commit and applied index jump to ${e.index}`],
      at,
    ];
    const events: TraceEvent[] = [e];
    // The leader's decision to send it, and the message itself, explain why it happened.
    const before = model.events.slice(Math.max(0, mark.index - 400), mark.index).reverse();
    const decided = before.find((x) => x.k === 'progressState' && x.node === e.from && x.peer === e.node && x.state === 'snapshot');
    if (decided) {
      rows.splice(2, 0, ['leader saw', `node ${e.node} needed entries it had compacted (marked for a snapshot at ${ms(decided.t)})`]);
      events.unshift(decided);
    }
    const sent = before.find((x) => x.k === 'send' && x.type === 'snap' && x.from === e.from && x.to === e.node);
    if (sent && sent.k === 'send') {
      if (typeof sent.info.bytes === 'number') rows.splice(3, 0, ['size', `${sent.info.bytes} bytes`]);
      events.unshift(sent);
    }
    return { title: `node ${e.node} installs leader ${e.from}'s snapshot ≤${e.index}`, rows, events, t: e.t };
  }
  if (e.k === 'stepDown') {
    const rows: [string, string][] = [
      ['node', String(e.node)],
      ['term', String(e.term)],
      ['reason', e.reason],
      [
        'meaning',
        e.reason.includes('quorum')
          ? 'CheckQuorum: a majority of voters had not answered it within an election timeout, so it stops serving as leader instead of waiting to be deposed'
          : 'the leader gave up leadership on its own',
      ],
      at,
    ];
    return { title: `node ${e.node} steps down as leader (${e.reason})`, rows, events: [e], t: e.t };
  }
  return { title: mark.label, rows: [at], events: [e], t: mark.t };
}
