import type { ConfState } from '../src/raft/types.js';
import type { TraceEvent } from './trace.js';

/**
 * A run's story in words: who led which term, with whose votes, and what it committed; each
 * fault, crash and restart; membership and leadership changes; the outages the clients saw;
 * the violation if there is one: one line per event that changes the plot. The messages,
 * appends and client operations that make up most of a trace are left out (the viewer draws
 * them).
 */
export interface StoryLine {
  readonly t: number;
  /** What the line is about, for a reader that colours or filters them. */
  readonly kind: StoryKind;
  readonly text: string;
}

export type StoryKind = 'election' | 'leadership' | 'process' | 'fault' | 'snapshot' | 'membership' | 'availability' | 'note' | 'violation';

export interface StoryOptions {
  /** Only lines at or after this virtual time (ms). */
  readonly from?: number;
  /** Only lines at or before this virtual time (ms). */
  readonly to?: number;
  /** Only lines about this node (violations, notes and cluster-wide faults are always told). */
  readonly node?: number;
  /** A pause this long (ms) between two client operations that succeeded is told as an outage; default 100. */
  readonly outageMs?: number;
}

/** The lines of a trace's story, in time order. */
export function tellStory(events: readonly TraceEvent[], options: StoryOptions = {}): StoryLine[] {
  const teller = new Storyteller(options);
  for (const event of events) teller.hear(event);
  return teller.end(events.length > 0 ? events[events.length - 1].t : 0);
}

/** What a line is about: the nodes it concerns, or every node. */
type About = readonly number[] | 'all';

/** A line that needs nothing but its own event. */
type Told = readonly [kind: StoryKind, about: About, text: string];

interface Tenure {
  readonly node: number;
  readonly term: number;
  readonly since: number;
  commit: number;
}

/** The plot so far: roles, tenures, campaigns, votes and the clients' last success. */
class Storyteller {
  private readonly lines: StoryLine[] = [];
  private readonly roles = new Map<number, string>();
  private readonly tenures = new Map<number, Tenure>();
  private readonly campaigns = new Map<number, { first: number; last: number }>();
  private readonly confIndices = new Set<number>();
  private readonly votes = new VoteTally();
  private lastSuccess = -1;

  constructor(private readonly options: StoryOptions) {}

  hear(e: TraceEvent): void {
    switch (e.k) {
      case 'state':
        return this.roleChanged(e);
      case 'send':
        if (e.type === 'voteResp' && e.info.granted === true) this.votes.granted(e.id, e.from, e.to, e.term);
        return;
      case 'duplicate':
        return this.votes.copied(e.id, e.copy);
      case 'deliver':
        return this.votes.delivered(e.id);
      case 'commit': {
        const tenure = this.tenures.get(e.node);
        if (tenure) tenure.commit = Math.max(tenure.commit, e.index);
        return;
      }
      case 'crash':
        this.roles.delete(e.node);
        this.tell(e.t, 'process', [e.node], e.killed ? `✖ node ${e.node}'s process is killed: every write it made survives, its clients are reset` : `✖ node ${e.node} crashes: ${describeLoss(e)}`);
        this.endCampaign(e.node, e.t, e.killed ? 'it was killed' : 'it crashed');
        return this.endTenure(e.node, e.t, e.killed ? 'it was killed' : 'it crashed');
      case 'conf':
        // Every node applies each configuration; the first to do so tells it.
        if (this.confIndices.has(e.index)) return;
        this.confIndices.add(e.index);
        return this.tell(e.t, 'membership', 'all', `the configuration at index ${e.index}: ${describeConf(e.conf)}`);
      case 'client':
        return this.clientAnswered(e);
      default: {
        const told = describeEvent(e);
        if (told) this.tell(e.t, ...told);
      }
    }
  }

  /** Closes what is still open at the end of the run, and returns the story. */
  end(t: number): StoryLine[] {
    for (const node of [...this.campaigns.keys()].sort((a, b) => a - b)) this.endCampaign(node, t, 'the run ends');
    for (const tenure of [...this.tenures.values()].sort((a, b) => a.node - b.node)) {
      this.tell(t, 'leadership', [tenure.node], `the run ends with node ${tenure.node} leading term ${tenure.term} (for ${t - tenure.since} ms${committed(tenure)})`);
    }
    return this.lines;
  }

  private tell(t: number, kind: StoryKind, about: About, text: string): void {
    const { from = -Infinity, to = Infinity, node } = this.options;
    if (t < from || t > to) return;
    if (node !== undefined && about !== 'all' && !about.includes(node)) return;
    this.lines.push({ t, kind, text });
  }

  private roleChanged(e: Extract<TraceEvent, { k: 'state' }>): void {
    const before = this.roles.get(e.node);
    this.roles.set(e.node, e.role);
    // A candidate that times out campaigns again: counted, told once it stops.
    if (e.role === 'candidate' && before === 'candidate') {
      const campaign = this.campaigns.get(e.node);
      if (campaign && e.term > campaign.last) campaign.last = e.term;
      return;
    }
    if (e.role === before) return;
    if (before === 'candidate') this.endCampaign(e.node, e.t, `now a ${e.role}`);
    if (before === 'leader') this.endTenure(e.node, e.t, `now a ${e.role} in term ${e.term}`);
    if (e.role === 'leader') {
      this.tenures.set(e.node, { node: e.node, term: e.term, since: e.t, commit: 0 });
      this.tell(e.t, 'leadership', [e.node], `node ${e.node} is leader of term ${e.term}, ${this.votes.describe(e.node, e.term)}`);
    } else if (e.role === 'candidate') {
      this.campaigns.set(e.node, { first: e.term, last: e.term });
      this.tell(e.t, 'election', [e.node], `node ${e.node} campaigns for term ${e.term}`);
    } else if (e.role === 'preCandidate') {
      this.tell(e.t, 'election', [e.node], `node ${e.node} asks whether it could win term ${e.term + 1} (pre-vote)`);
    }
  }

  private endCampaign(node: number, t: number, why: string): void {
    const campaign = this.campaigns.get(node);
    this.campaigns.delete(node);
    if (!campaign || campaign.last === campaign.first) return;
    const elections = campaign.last - campaign.first + 1;
    this.tell(t, 'election', [node], `node ${node} stops campaigning (${why}) after ${elections} elections in a row, terms ${campaign.first}–${campaign.last}`);
  }

  private endTenure(node: number, t: number, why: string): void {
    const tenure = this.tenures.get(node);
    if (!tenure) return;
    this.tenures.delete(node);
    this.tell(t, 'leadership', [node], `node ${node} no longer leads term ${tenure.term} (${why}); it led for ${t - tenure.since} ms${committed(tenure)}`);
  }

  private clientAnswered(e: Extract<TraceEvent, { k: 'client' }>): void {
    if (e.type !== 'ok') return;
    const quiet = e.t - this.lastSuccess;
    if (this.lastSuccess >= 0 && quiet >= (this.options.outageMs ?? 100)) {
      this.tell(e.t, 'availability', 'all', `clients saw no operation succeed for ${quiet} ms (since ${this.lastSuccess} ms)`);
    }
    this.lastSuccess = e.t;
  }
}

/** The lines that need no memory of the plot: faults, restarts, snapshots, transfers, notes, violations. */
function describeEvent(e: TraceEvent): Told | undefined {
  switch (e.k) {
    case 'restart':
      return ['process', [e.node], `node ${e.node} restarts from its disk: term ${e.term}, vote ${e.vote || 'none'}, commit ${e.commit}, last index ${e.lastIndex}`];
    case 'pause':
      return ['process', [e.node], `⏸ node ${e.node} pauses`];
    case 'resume':
      return ['process', [e.node], `node ${e.node} resumes with ${e.queued} message${e.queued === 1 ? '' : 's'} queued`];
    case 'partition':
      return e.cuts.length === 0 ? ['fault', 'all', '✂ every link heals'] : ['fault', [...new Set(e.cuts.flat())], `✂ ${e.label}`];
    case 'clog':
      return ['fault', [e.from, e.to], `▥ node ${e.from}'s messages to node ${e.to} are held, none lost`];
    case 'unclog':
      return ['fault', [e.from, e.to], `▥ the link ${e.from} → ${e.to} opens: ${releasedText(e.released)}`];
    case 'network': {
      const tail = e.tailRate ? `, ${percent(e.tailRate)} up to ${e.tailMs} ms more` : '';
      return ['fault', 'all', `network: ${percent(e.dropRate)} lost, ${percent(e.duplicateRate)} duplicated, ${e.minLatencyMs}+${e.latencySpreadMs} ms${tail}`];
    }
    case 'clock':
      return ['fault', [e.node], `◷ node ${e.node}'s clock runs at ×${e.rate}`];
    case 'disk':
      return ['fault', [e.node], `node ${e.node}'s disk takes ${e.syncMs} ms per sync`];
    case 'installSnapshot':
      return ['snapshot', [e.node, e.from], `node ${e.node} installs node ${e.from}'s snapshot up to index ${e.index}`];
    case 'confPropose':
      return ['membership', [e.node], `node ${e.node} proposes ${e.change}: ${e.result}`];
    case 'transfer':
      return ['leadership', [e.from, e.to], `leadership transfer ${e.from} → ${e.to} (term ${e.term}) ${e.phase}${e.reason ? `: ${e.reason}` : ''}`];
    case 'stepDown':
      return ['leadership', [e.node], `node ${e.node} steps down in term ${e.term}: ${e.reason}`];
    case 'drop':
      return e.reason === 'chosen' ? ['fault', [e.from, e.to], `✕ the network loses message #${e.id}, ${e.from} → ${e.to}, as a drop fault says`] : undefined;
    case 'note':
      return ['note', 'all', `ℹ ${e.text}`];
    case 'violation':
      return ['violation', 'all', `✗ ${e.invariant}: ${e.message}`];
    default:
      return undefined;
  }
}

/** Granted votes in flight and received, to say whose votes made each leader. */
class VoteTally {
  private readonly inFlight = new Map<number, { readonly voter: number; readonly key: string }>();
  private readonly received = new Map<string, Set<number>>();

  granted(id: number, voter: number, candidate: number, term: number): void {
    this.inFlight.set(id, { voter, key: `${candidate}:${term}` });
  }

  copied(id: number, copy: number): void {
    const vote = this.inFlight.get(id);
    if (vote) this.inFlight.set(copy, vote);
  }

  delivered(id: number): void {
    const vote = this.inFlight.get(id);
    if (!vote) return;
    this.inFlight.delete(id);
    const voters = this.received.get(vote.key) ?? new Set<number>();
    voters.add(vote.voter);
    this.received.set(vote.key, voters);
  }

  describe(candidate: number, term: number): string {
    const voters = [...(this.received.get(`${candidate}:${term}`) ?? [])].sort((a, b) => a - b);
    return voters.length === 0 ? 'with its own vote' : `with votes from ${voters.join(', ')} and its own`;
  }
}

function committed(tenure: Tenure): string {
  return tenure.commit > 0 ? `, committing up to index ${tenure.commit}` : '';
}

function describeLoss(crash: Extract<TraceEvent, { k: 'crash' }>): string {
  const { lostWrites: lost, keptWrites: kept = 0, torn = false } = crash;
  if (lost === 0 && kept === 0) return 'nothing unsynced to lose';
  const parts = [lost > 0 ? `${lost} lost` : '', kept > 0 ? `${kept} kept` : '', torn ? 'the last one torn' : ''];
  return `unsynced writes: ${parts.filter((part) => part !== '').join(', ')}`;
}

/** What an unclogged link let through: `161 held messages go on at once`. */
export function releasedText(released: number): string {
  if (released === 0) return 'it held nothing';
  return released === 1 ? 'its one held message goes on' : `its ${released} held messages go on at once`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

function describeConf(conf: ConfState): string {
  const parts = [`voters ${conf.voters.join(',')}`];
  if (conf.learners.length > 0) parts.push(`learners ${conf.learners.join(',')}`);
  if (conf.votersOutgoing.length > 0) parts.push(`joint with the outgoing voters ${conf.votersOutgoing.join(',')}`);
  return parts.join('; ');
}
