import type { TraceEvent } from '../sim/trace.js';
import type { ConfSpan, ConfState, LaneMark, MemberSpan, MemberStatus, TransferSpan, ViewerTrace } from './types.js';

/**
 * The newer Raft features as spans and marks: membership (learners, joint configs,
 * nodes outside the cluster), leadership transfers, snapshots and CheckQuorum
 * step-downs. Pure, like prepare.ts, so node tests check exactly what the page draws.
 */

/** Voters 1..members as the simulator boots them; nodes past `members` start outside. */
export function bootConf(trace: Pick<ViewerTrace, 'scenario'>): ConfState {
  const members = trace.scenario.members ?? trace.scenario.nodes;
  return { voters: Array.from({ length: members }, (_, i) => i + 1), learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
}

export function isJoint(conf: ConfState): boolean {
  return conf.votersOutgoing.length > 0;
}

export function memberStatus(conf: ConfState, node: number): MemberStatus {
  const incoming = conf.voters.includes(node);
  if (!isJoint(conf)) return incoming ? 'voter' : conf.learners.includes(node) ? 'learner' : 'outside';
  const outgoing = conf.votersOutgoing.includes(node);
  if (incoming && outgoing) return 'voter';
  if (incoming) return 'incoming';
  if (outgoing) return 'outgoing';
  return conf.learners.includes(node) || conf.learnersNext.includes(node) ? 'learner' : 'outside';
}

/** Lane text for a status; `learnersNext` nodes are outgoing voters that stay on as learners. */
export function memberLabel(status: MemberStatus, conf?: ConfState, node?: number): string {
  switch (status) {
    case 'voter':
      return conf && isJoint(conf) ? 'voter (both halves)' : 'voter';
    case 'incoming':
      return 'joining: new half only';
    case 'outgoing':
      return conf && node !== undefined && conf.learnersNext.includes(node) ? 'leaving: old half only, then learner' : 'leaving: old half only';
    case 'learner':
      return 'learner (no vote)';
    case 'outside':
      return 'outside the cluster';
  }
}

const list = (ns: readonly number[]) => (ns.length === 0 ? 'none' : ns.join(','));

/** `voters 1,2,3 · learner 4` or `◫ joint · old 1,2,3 → new 3,4,5`: the config row's label. */
export function confText(conf: ConfState): string {
  const learners = [...conf.learners, ...conf.learnersNext];
  const tail = learners.length > 0 ? ` · ${learners.length === 1 ? 'learner' : 'learners'} ${list(learners)}` : '';
  if (isJoint(conf)) return `◫ joint · old ${list(conf.votersOutgoing)} → new ${list(conf.voters)}${tail}`;
  return `voters ${list(conf.voters)}${tail}`;
}

/**
 * The cluster's configuration over time. Each node applies the same conf entries in
 * log order, some later than others (or again, on restart or from a snapshot), so the
 * cluster's config is the highest-indexed entry any node has applied so far: the
 * first node to apply it (the leader, usually) moves the cluster on.
 */
export function confSpans(events: readonly TraceEvent[], initial: ConfState, end: number): ConfSpan[] {
  const out: ConfSpan[] = [{ start: 0, end, conf: initial, confIndex: 0, joint: isJoint(initial), index: -1 }];
  events.forEach((e, index) => {
    if (e.k !== 'conf') return;
    const open = out[out.length - 1];
    if (e.index <= open.confIndex) return;
    if (sameConf(open.conf, e.conf)) return;
    open.end = e.t;
    out.push({ start: e.t, end, conf: e.conf, confIndex: e.index, joint: isJoint(e.conf), index });
  });
  return out.filter((span, i) => span.end > span.start || i === out.length - 1);
}

function sameConf(a: ConfState, b: ConfState): boolean {
  const eq = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.voters, b.voters) && eq(a.learners, b.learners) && eq(a.votersOutgoing, b.votersOutgoing) && eq(a.learnersNext, b.learnersNext);
}

/** Per lane, stretches of one membership status; `conf` points back into `confs`. */
export function memberSpans(confs: readonly ConfSpan[], nodes: readonly number[]): MemberSpan[] {
  const out: MemberSpan[] = [];
  for (const node of nodes) {
    let open: MemberSpan | null = null;
    confs.forEach((span, conf) => {
      const status = memberStatus(span.conf, node);
      if (open && open.status === status) {
        open.end = span.end;
        return;
      }
      open = { node, start: span.start, end: span.end, status, conf };
      out.push(open);
    });
  }
  return out.sort((a, b) => a.start - b.start || a.node - b.node);
}

/** Whether membership is worth drawing: anyone starts outside, or a change is proposed or applied. */
export function membershipInPlay(events: readonly TraceEvent[], initial: ConfState, nodes: readonly number[]): boolean {
  if (initial.voters.length < nodes.length) return true;
  return events.some((e) => e.k === 'confPropose' || (e.k === 'conf' && !sameConf(e.conf, initial)));
}

/** Pairs each transfer's start with its finish or abandonment (one transfer per leader at a time). */
export function transferSpans(events: readonly TraceEvent[], end: number): TransferSpan[] {
  const out: TransferSpan[] = [];
  const open = new Map<number, TransferSpan>();
  events.forEach((e, index) => {
    if (e.k !== 'transfer') return;
    const prev = open.get(e.from);
    if (e.phase === 'started') {
      if (prev) close(prev, e.t, -1, 'abandoned', 'superseded by another transfer');
      const span: TransferSpan = { from: e.from, to: e.to, term: e.term, start: e.t, end, outcome: 'open', reason: '', index, endIndex: -1 };
      open.set(e.from, span);
      out.push(span);
      return;
    }
    if (!prev || prev.to !== e.to) return;
    close(prev, e.t, index, e.phase, e.reason ?? '');
    open.delete(e.from);
  });
  return out;
}

function close(span: TransferSpan, t: number, index: number, outcome: TransferSpan['outcome'], reason: string): void {
  span.end = t;
  span.endIndex = index;
  span.outcome = outcome;
  span.reason = reason;
}

/** Compactions, installed snapshots and step-downs, in time order. */
export function laneMarks(events: readonly TraceEvent[]): LaneMark[] {
  const out: LaneMark[] = [];
  events.forEach((e, index) => {
    if (e.k === 'snapshot') out.push({ t: e.t, node: e.node, kind: 'snapshot', label: `▨ ≤${e.index}`, index });
    else if (e.k === 'installSnapshot') out.push({ t: e.t, node: e.node, kind: 'install', label: `↧ snapshot ≤${e.index} from ${e.from}`, index });
    else if (e.k === 'stepDown') out.push({ t: e.t, node: e.node, kind: 'stepDown', label: `▼ stepped down: ${e.reason}`, index });
  });
  return out;
}

/** The leader's snapshot pipeline for a peer, in words (progressState). */
export function progressStateText(state: 'probe' | 'replicate' | 'snapshot', pending?: number): string {
  if (state === 'snapshot') return pending ? `sending snapshot ≤${pending}` : 'needs a snapshot';
  return state === 'probe' ? 'probing' : 'replicating';
}
