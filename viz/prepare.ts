import type { TraceEvent } from '../sim/trace.js';
import { releasedText } from '../sim/story.js';
import { clockSpans, clogLanes, clogSpans, networkSpans, networkText, partitionSpans } from './faults.js';
import { prepareOps } from './ops.js';
import { bootConf, confSpans, laneMarks, memberSpans, membershipInPlay, transferSpans } from './raft.js';
import {
  MSG_DELIVERED,
  MSG_DROPPED,
  MSG_IN_FLIGHT,
  type DownSpan,
  type Marker,
  type Messages,
  type Model,
  type Role,
  type RoleBand,
  type ViewerTrace,
} from './types.js';

export { connectivity, partitionSpans, pct } from './faults.js';

/**
 * Trace → everything the viewer draws, in one pass per layer. Pure: no DOM, so it
 * runs (and is tested) in node as well as in the page.
 */
export function prepareModel(trace: ViewerTrace): Model {
  const events = inTimeOrder(trace.events);
  const nodes = Array.from({ length: trace.scenario.nodes }, (_, i) => i + 1);
  const last = events.length > 0 ? events[events.length - 1].t : 0;
  const end = Math.max(last, trace.stats?.simulatedMs ?? 0, 1);
  const { ops, clients: opClients, linearization } = prepareOps(events, end, trace.linearizability);
  const messages = messageColumns(events, end);
  // Client traffic (kvReq/kvResp) gets a lane even for a client with no recorded op.
  const clientSet = new Set(opClients);
  for (let r = 0; r < messages.count; r++) {
    if (messages.from[r] > nodes.length) clientSet.add(messages.from[r]);
    if (messages.to[r] > nodes.length) clientSet.add(messages.to[r]);
  }
  const clients = [...clientSet].sort((a, b) => a - b);
  const initialConf = bootConf(trace);
  const confs = confSpans(events, initialConf, end);
  const clogs = clogSpans(events, end);
  return {
    trace,
    events,
    nodes,
    clients,
    start: 0,
    end,
    bands: roleBands(events, nodes, end),
    downs: downSpans(events, end),
    partitions: partitionSpans(events, nodes, end),
    networks: networkSpans(trace, events, end),
    clocks: clockSpans(events, end),
    clogs,
    clogLanes: clogLanes(clogs, nodes),
    messages,
    markers: markers(events),
    ops,
    linearization,
    initialConf,
    confs,
    members: memberSpans(confs, nodes),
    membershipInPlay: membershipInPlay(events, initialConf, nodes),
    transfers: transferSpans(events, end),
    laneMarks: laneMarks(events),
  };
}

/**
 * Events sorted by time, stably. The simulator writes them in order, but a verdict
 * reached after the run (the linearizability check) is appended with the earlier
 * time it is about; every lookup here binary-searches on time.
 */
export function inTimeOrder(events: readonly TraceEvent[]): readonly TraceEvent[] {
  let sorted = true;
  for (let i = 1; i < events.length && sorted; i++) if (events[i].t < events[i - 1].t) sorted = false;
  if (sorted) return events;
  return events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].t - b[0].t || a[1] - b[1])
    .map(([e]) => e);
}

/** Role bands per node; a new band starts whenever role or term changes, and none while crashed. */
export function roleBands(events: readonly TraceEvent[], nodes: readonly number[], end: number): RoleBand[] {
  const out: RoleBand[] = [];
  const open = new Map<number, RoleBand>();
  const begin = (band: RoleBand) => {
    const prev = open.get(band.node);
    if (prev) prev.end = band.start;
    open.set(band.node, band);
    out.push(band);
  };
  for (const node of nodes) begin({ node, start: 0, end, role: 'follower', term: 0, lead: 0, vote: 0, index: -1 });
  events.forEach((e, index) => {
    if (e.k === 'state') {
      const prev = open.get(e.node);
      if (prev && prev.role === e.role && prev.term === e.term) return;
      begin({ node: e.node, start: e.t, end, role: e.role, term: e.term, lead: e.lead, vote: e.vote, index });
    } else if (e.k === 'crash') {
      const prev = open.get(e.node);
      if (prev) prev.end = e.t;
      open.delete(e.node);
    } else if (e.k === 'restart') {
      begin({ node: e.node, start: e.t, end, role: 'follower', term: e.term, lead: 0, vote: e.vote, index });
    }
  });
  return out.filter((band) => band.end > band.start || band.end === end);
}

export function downSpans(events: readonly TraceEvent[], end: number): DownSpan[] {
  const out: DownSpan[] = [];
  const open = new Map<string, DownSpan>();
  events.forEach((e, index) => {
    if (e.k === 'crash' || e.k === 'pause') {
      const kind = e.k === 'crash' ? 'crashed' : 'paused';
      const note = e.k === 'crash' ? crashNote(e) : '';
      const span: DownSpan = { node: e.node, kind, start: e.t, end, index, endIndex: -1, note };
      open.set(`${kind}:${e.node}`, span);
      out.push(span);
    } else if (e.k === 'restart' || e.k === 'resume') {
      const key = `${e.k === 'restart' ? 'crashed' : 'paused'}:${e.node}`;
      const span = open.get(key);
      if (span) {
        span.end = e.t;
        span.endIndex = index;
        open.delete(key);
      }
    }
  });
  return out;
}

/** Known types first, in a stable order, so colours and filters do not move between traces. */
export const KNOWN_TYPES = ['vote', 'voteResp', 'app', 'appResp', 'heartbeat', 'heartbeatResp', 'snap', 'snapResp', 'prop', 'readIndex', 'readIndexResp', 'kvReq', 'kvResp', 'reset', 'preVote', 'preVoteResp', 'timeoutNow'];

/**
 * Whether heartbeats would drown the window [t0, t1]: more than one for every two
 * pixel columns, and the bands and the rarer messages disappear under them. The page
 * starts with heartbeats hidden then (H or the chip brings them back).
 */
export function heartbeatsDense(m: Messages, t0: number, t1: number, plotWidth: number): boolean {
  const lo = upperBound(m.count, (i) => m.sendT[i], t0 - m.maxDuration - 1e-9);
  const hi = upperBound(m.count, (i) => m.sendT[i], t1);
  const heartbeat = new Uint8Array(m.types.length);
  m.types.forEach((type, i) => (heartbeat[i] = type.startsWith('heartbeat') ? 1 : 0));
  let count = 0;
  for (let r = lo; r < hi; r++) if (heartbeat[m.type[r]] && m.endT[r] >= t0) count++;
  return count > plotWidth * 0.5;
}

export function messageColumns(events: readonly TraceEvent[], end: number): Messages {
  let count = 0;
  for (const e of events) if (e.k === 'send' || e.k === 'duplicate') count++;
  const id = new Int32Array(count);
  const copyOf = new Int32Array(count).fill(-1);
  const sendT = new Float64Array(count);
  const endT = new Float64Array(count);
  const from = new Uint16Array(count);
  const to = new Uint16Array(count);
  const type = new Uint8Array(count);
  const status = new Uint8Array(count).fill(MSG_IN_FLIGHT);
  const term = new Int32Array(count);
  const sendIndex = new Int32Array(count);
  const endIndex = new Int32Array(count).fill(-1);
  const types = [...KNOWN_TYPES];
  const typeIndex = new Map(types.map((name, i) => [name, i]));
  const row = new Map<number, number>();
  let n = 0;
  let maxDuration = 0;
  const resolve = (messageId: number, t: number, index: number, outcome: number) => {
    const r = row.get(messageId);
    if (r === undefined) return;
    endT[r] = t;
    endIndex[r] = index;
    status[r] = outcome;
    maxDuration = Math.max(maxDuration, t - sendT[r]);
  };
  events.forEach((e, index) => {
    if (e.k === 'send') {
      let ti = typeIndex.get(e.type);
      if (ti === undefined) {
        ti = types.length;
        types.push(e.type);
        typeIndex.set(e.type, ti);
      }
      id[n] = e.id;
      sendT[n] = e.t;
      endT[n] = end;
      from[n] = e.from;
      to[n] = e.to;
      type[n] = ti;
      term[n] = e.term;
      sendIndex[n] = index;
      row.set(e.id, n++);
    } else if (e.k === 'duplicate') {
      const original = row.get(e.id);
      if (original === undefined) return;
      id[n] = e.copy;
      copyOf[n] = e.id;
      sendT[n] = e.t;
      endT[n] = end;
      from[n] = from[original];
      to[n] = to[original];
      type[n] = type[original];
      term[n] = term[original];
      sendIndex[n] = index;
      row.set(e.copy, n++);
    } else if (e.k === 'deliver') resolve(e.id, e.t, index, MSG_DELIVERED);
    else if (e.k === 'drop') resolve(e.id, e.t, index, MSG_DROPPED);
  });
  const open: number[] = [];
  for (let r = 0; r < n; r++) if (status[r] === MSG_IN_FLIGHT) open.push(r);
  return { count: n, id, copyOf, sendT, endT, from, to, type, status, term, sendIndex, endIndex, types, maxDuration, openRows: Int32Array.from(open) };
}

/** Nemesis and scenario actions: transfers and membership proposals are faults a scenario schedules, notes say what an action did. */
const FAULT_KINDS = new Set(['crash', 'restart', 'pause', 'resume', 'partition', 'clog', 'unclog', 'network', 'clock', 'disk', 'confPropose', 'note']);

/** The lane a fault marker belongs to: a transfer's leader, a clogged link's sender, a node's own fault; 0 for the whole cluster. */
function markerNode(e: TraceEvent): number {
  if (e.k === 'transfer' || e.k === 'clog' || e.k === 'unclog') return e.from;
  return 'node' in e && typeof e.node === 'number' ? e.node : 0;
}

/** Points worth jumping to: leader changes (step-downs too), faults and violations, in time order. */
export function markers(events: readonly TraceEvent[]): Marker[] {
  const out: Marker[] = [];
  const role = new Map<number, Role>();
  events.forEach((e, index) => {
    if (e.k === 'state') {
      if (e.role === 'leader' && role.get(e.node) !== 'leader') {
        out.push({ t: e.t, kind: 'leader', label: `node ${e.node} becomes leader of term ${e.term}`, node: e.node, index });
      }
      role.set(e.node, e.role);
    } else if (e.k === 'restart') role.set(e.node, 'follower');
    if (e.k === 'stepDown') out.push({ t: e.t, kind: 'leader', label: `node ${e.node} steps down as leader of term ${e.term} (${e.reason})`, node: e.node, index });
    // A transfer's start and abandonment are faults; its finish is the new leader's marker.
    if (e.k === 'transfer' && e.phase !== 'finished') out.push({ t: e.t, kind: 'fault', label: faultLabel(e), node: e.from, index });
    else if (e.k === 'violation') out.push({ t: e.t, kind: 'violation', label: `${e.invariant}: ${e.message}`, node: 0, index });
    else if (FAULT_KINDS.has(e.k)) out.push({ t: e.t, kind: 'fault', label: faultLabel(e), node: markerNode(e), index });
  });
  return out;
}

export function faultLabel(e: TraceEvent): string {
  switch (e.k) {
    case 'crash':
      return e.killed ? `node ${e.node}'s process is killed (every write survives; its clients are reset)` : `node ${e.node} crashes${crashDetail(e)}`;
    case 'restart':
      return `node ${e.node} restarts (term ${e.term}, commit ${e.commit}, last index ${e.lastIndex})`;
    case 'pause':
      return `node ${e.node} pauses`;
    case 'resume':
      return `node ${e.node} resumes (${e.queued} queued messages)`;
    case 'partition':
      return e.cuts.length === 0 ? `network heals (${e.label})` : e.label;
    case 'clog':
      return `the link ${e.from} → ${e.to} clogs: node ${e.from}'s messages to node ${e.to} are held, none lost`;
    case 'unclog':
      return `the link ${e.from} → ${e.to} opens: ${releasedText(e.released)}`;
    case 'network':
      return `network: ${networkText({ ...e, tailRate: e.tailRate ?? 0, tailMs: e.tailMs ?? 0 })}`;
    case 'clock':
      return e.rate === 1 ? `node ${e.node}'s clock runs true again` : `node ${e.node}'s clock runs at ${e.rate}× speed (${e.rate > 1 ? 'fast' : 'slow'})`;
    case 'disk':
      return e.syncMs > 0 ? `node ${e.node}'s disk takes ${e.syncMs} ms per sync` : `node ${e.node}'s disk is fast again`;
    case 'transfer':
      return transferLabel(e);
    case 'confPropose':
      return `membership change ${e.change} proposed at leader ${e.node}: ${e.result}`;
    case 'note':
      return e.text;
    default:
      return e.k;
  }
}

function transferLabel(e: Extract<TraceEvent, { k: 'transfer' }>): string {
  const what = `leadership transfer ${e.from} → ${e.to} (term ${e.term})`;
  if (e.phase === 'started') return `${what} starts`;
  if (e.phase === 'finished') return `${what} done: node ${e.to} leads`;
  return `${what} abandoned${e.reason ? `: ${e.reason}` : ''}`;
}

function crashDetail(e: Extract<TraceEvent, { k: 'crash' }>): string {
  const parts: string[] = [];
  if (e.lostWrites > 0) parts.push(`${e.lostWrites} unsynced ${plural(e.lostWrites, 'write')} lost`);
  if (e.keptWrites) parts.push(`${e.keptWrites} reached the disk anyway`);
  if (e.torn) parts.push('a torn write, caught by its checksum');
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** The short form on the crashed stretch of the lane: `1 lost · 1 kept · torn`. */
export function crashNote(e: Extract<TraceEvent, { k: 'crash' }>): string {
  if (e.killed) return 'killed';
  const parts: string[] = [];
  if (e.lostWrites > 0) parts.push(`${e.lostWrites} lost`);
  if (e.keptWrites) parts.push(`${e.keptWrites} kept`);
  if (e.torn) parts.push('torn');
  return parts.join(' · ');
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Index of the first element whose key is greater than `t` (times are sorted). */
export function upperBound(n: number, key: (i: number) => number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
