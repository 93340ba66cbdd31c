import type { TraceEvent } from '../../sim/trace.js';
import { releasedText } from '../../sim/story.js';
import { laneCutText, networkText, pct, rateText } from '../faults.js';
import { faultLabel } from '../prepare.js';
import { formatValue } from '../ops.js';
import { MSG_DELIVERED, MSG_DROPPED, type Model } from '../types.js';
import { describeRaft } from './describe-raft.js';
import type { Item } from './store.js';

/** What the tooltip and the details panel say about an item: a title, fields, and the raw events. */
export interface Description {
  readonly title: string;
  readonly rows: readonly (readonly [string, string])[];
  readonly events: readonly TraceEvent[];
  /** The moment the item is about, for "move the cursor here". */
  readonly t: number;
}

const TYPE_NAMES: Record<string, string> = {
  kvReq: 'client request',
  kvResp: 'reply to a client',
  reset: 'connection reset (a killed server)',
  vote: 'RequestVote',
  voteResp: 'RequestVote response',
  app: 'AppendEntries',
  appResp: 'AppendEntries response',
  heartbeat: 'heartbeat',
  heartbeatResp: 'heartbeat response',
  snap: 'InstallSnapshot',
  snapResp: 'InstallSnapshot response',
  prop: 'forwarded proposal',
  readIndex: 'ReadIndex request',
  readIndexResp: 'ReadIndex response',
  preVote: 'PreVote: would you vote for me in the next term? (nobody changes term)',
  preVoteResp: 'PreVote response',
  timeoutNow: 'TimeoutNow: the leader tells its transfer target to campaign at once',
};

function address(model: Model, a: number): string {
  return model.nodes.includes(a) ? `node ${a}` : `client ${a}`;
}

const ms = (t: number) => `${Math.round(t * 1000) / 1000} ms`;

export function describe(model: Model, item: Item): Description {
  switch (item.kind) {
    case 'message':
      return describeMessage(model, item.row);
    case 'op': {
      const op = model.ops[item.index];
      const lin = model.linearization;
      const rows: [string, string][] = [
        ['client', String(op.client)],
        ['op', String(op.op)],
        ['f', op.f],
      ];
      if (op.key !== undefined) rows.push(['key', op.key]);
      if (op.invokeValue !== undefined) rows.push(['value', formatValue(op.invokeValue)]);
      rows.push(['outcome', op.status === 'pending' ? 'never completed' : op.status]);
      if (op.resultValue !== undefined) rows.push(['result', formatValue(op.resultValue)]);
      if (op.node !== undefined) rows.push(['node', String(op.node)]);
      rows.push(['invoked', ms(op.start)], [op.status === 'ok' || op.status === 'fail' ? 'completed' : 'open until', ms(op.end)]);
      if (lin) {
        const step = lin.points.findIndex((p) => p.op === op.op);
        if (step >= 0) rows.push(['linearized', `step ${step + 1} of the longest linearizable prefix, at ${ms(lin.points[step].t)}`]);
        if (lin.impossible.has(op.op)) rows.push(['linearization', 'could come next but cannot be placed: no order explains it']);
      }
      const events = [op.invokeIndex, op.completeIndex].filter((i) => i >= 0).map((i) => model.events[i]);
      return { title: `client ${op.client}: ${op.label}`, rows, events, t: op.start };
    }
    case 'band': {
      const b = model.bands[item.index];
      const rows: [string, string][] = [
        ['node', String(b.node)],
        ['role', b.role === 'preCandidate' ? 'pre-candidate: asks for pre-votes first, its term unchanged until a majority would vote' : b.role],
        ['term', String(b.term)],
        ['voted for', b.vote === 0 ? 'nobody' : `node ${b.vote}`],
        ['known leader', b.lead === 0 ? 'none' : `node ${b.lead}`],
        ['from', ms(b.start)],
        ['until', ms(b.end)],
      ];
      return { title: `node ${b.node}: ${b.role === 'preCandidate' ? 'pre-candidate' : b.role} in term ${b.term}`, rows, events: b.index >= 0 ? [model.events[b.index]] : [], t: b.start };
    }
    case 'down': {
      const d = model.downs[item.index];
      const events = [d.index, d.endIndex].filter((i) => i >= 0).map((i) => model.events[i]);
      const what = d.kind === 'crashed' ? 'crashed: no ticks, no messages; volatile state is gone' : 'paused: frozen, its incoming messages queue up';
      const rows: [string, string][] = [
        ['node', String(d.node)],
        ['state', what],
      ];
      const crash = model.events[d.index];
      if (crash.k === 'crash') rows.push(['unsynced writes', unsyncedText(crash)]);
      rows.push(['from', ms(d.start)], ['until', d.endIndex >= 0 ? ms(d.end) : 'the end of the run']);
      return { title: `node ${d.node} ${d.kind}${d.note ? ` (${d.note})` : ''}`, rows, events, t: d.start };
    }
    case 'partition': {
      const p = model.partitions[item.index];
      const rows: [string, string][] = [
        ['groups', p.groups.map((g) => `[${g.join(',')}]`).join(' | ')],
        ['cut links', p.cuts.map(([a, b]) => `${a}→${b}`).join(' ')],
        ['from', ms(p.start)],
        ['until', ms(p.end)],
      ];
      if (p.oneWay.length > 0) rows.splice(1, 0, ['one-way cuts', p.oneWay.map(([a, b]) => `${a}→${b}`).join(' ')]);
      // Per node, in words: groups alone cannot show a bridge, a ring or a one-way cut.
      const peers = model.nodes.length - 1;
      rows.splice(2, 0, ...p.lanes.map((lane): [string, string] => [`node ${lane.node}`, laneCutText(lane, peers)]));
      return { title: `partition: ${p.label}`, rows, events: [model.events[p.index]], t: p.start };
    }
    case 'network': {
      const n = model.networks[item.index];
      const rows: [string, string][] = [
        ['latency', `${n.minLatencyMs}–${n.minLatencyMs + n.latencySpreadMs} ms`],
        ['loss', pct(n.dropRate)],
        ['duplicates', pct(n.duplicateRate)],
      ];
      if (n.tailRate > 0) rows.push(['long tail', `${pct(n.tailRate)} of messages take up to ${n.tailMs} ms more`]);
      rows.push(['from', ms(n.start)], ['until', ms(n.end)]);
      return { title: `network: ${networkText(n)}`, rows, events: [model.events[n.index]], t: n.start };
    }
    case 'clog': {
      const c = model.clogs[item.index];
      const events = [c.index, c.endIndex].filter((i) => i >= 0).map((i) => model.events[i]);
      return {
        title: `clogged link ${c.from} → ${c.to}`,
        rows: [
          ['link', `node ${c.from}'s messages to node ${c.to}, one way`],
          ['meaning', 'held in order, none lost; the other direction flows'],
          ['from', ms(c.start)],
          ['until', c.released === null ? 'the end of the run' : ms(c.end)],
          ['then', c.released === null ? 'still held' : releasedText(c.released)],
        ],
        events,
        t: c.start,
      };
    }
    case 'clock': {
      const c = model.clocks[item.index];
      const pace = c.rate > 1 ? 'fast: its timers fire and its leases expire early' : 'slow: its timers fire and its leases expire late';
      return {
        title: `node ${c.node}'s clock ${rateText(c.rate)}`,
        rows: [
          ['node', String(c.node)],
          ['rate', `${c.rate} × true time`],
          ['meaning', pace],
          ['from', ms(c.start)],
          ['until', ms(c.end)],
        ],
        events: [model.events[c.index]],
        t: c.start,
      };
    }
    case 'member':
    case 'conf':
    case 'transfer':
    case 'laneMark':
      return describeRaft(model, item);
    case 'marker': {
      const m = model.markers[item.index];
      const e = model.events[m.index];
      const title = m.kind === 'violation' ? `✗ violation at ${ms(m.t)}` : m.kind === 'fault' ? faultLabel(e) : m.label;
      return { title, rows: [['what', m.label], ['at', ms(m.t)]], events: [e], t: m.t };
    }
  }
}

function describeMessage(model: Model, row: number): Description {
  const m = model.messages;
  const type = m.types[m.type[row]];
  const send = model.events[m.sendIndex[row]];
  const original = send.k === 'duplicate' ? model.events.find((e) => e.k === 'send' && e.id === m.copyOf[row]) : send;
  const rows: [string, string][] = [
    ['id', String(m.id[row])],
    ['type', `${type} (${TYPE_NAMES[type] ?? type})`],
    ['from → to', `${address(model, m.from[row])} → ${address(model, m.to[row])}`],
    ['term', String(m.term[row])],
    ['sent', ms(m.sendT[row])],
  ];
  if (m.copyOf[row] >= 0) rows.push(['duplicate', `a second copy of message ${m.copyOf[row]}, made by the network`]);
  const status = m.status[row];
  if (status === MSG_DELIVERED) rows.push(['delivered', `${ms(m.endT[row])} (after ${ms(m.endT[row] - m.sendT[row])})`]);
  else if (status === MSG_DROPPED) {
    const drop = model.events[m.endIndex[row]];
    rows.push(['dropped', `${ms(m.endT[row])}${drop.k === 'drop' ? `, ${drop.reason === 'chosen' ? 'chosen (a drop fault of the schedule)' : drop.reason}` : ''}`]);
  } else rows.push(['outcome', 'still in flight when the run ended']);
  if (original && original.k === 'send') for (const [k, v] of Object.entries(original.info)) rows.push([k, String(v)]);
  const events = [send, ...(original && original !== send ? [original] : []), ...(m.endIndex[row] >= 0 ? [model.events[m.endIndex[row]]] : [])];
  return { title: `${type} ${m.from[row]} → ${m.to[row]} (term ${m.term[row]})`, rows, events, t: m.sendT[row] };
}

function unsyncedText(e: Extract<TraceEvent, { k: 'crash' }>): string {
  const parts = [`${e.lostWrites} lost`];
  if (e.keptWrites !== undefined) parts.push(`${e.keptWrites} reached the disk anyway`);
  if (e.torn) parts.push('the next one torn in half (its checksum fails on restart, so it and everything after are dropped)');
  return parts.join('; ');
}
