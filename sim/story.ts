import type { ConfState } from '../src/raft/types.js';
import type { TraceEvent } from './trace.js';

/**
 * A run's story in words: who led which term and what it committed, each fault, crash and
 * restart, membership and leadership changes, and the violation if there is one, one line
 * per event that changes the plot. The messages, appends and client operations that make up
 * most of a trace are left out (the viewer draws them); the counts close the story.
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

/** What a line is about: the nodes it concerns, or every node. */
type About = readonly number[] | 'all';

interface Tenure {
  readonly node: number;
  readonly term: number;
  readonly since: number;
  commit: number;
}

/** The lines of a trace's story, in time order. */
export function tellStory(events: readonly TraceEvent[], options: StoryOptions = {}): StoryLine[] {
  const lines: StoryLine[] = [];
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  const tell = (t: number, kind: StoryKind, about: About, text: string) => {
    if (t < from || t > to) return;
    if (options.node !== undefined && about !== 'all' && !about.includes(options.node)) return;
    lines.push({ t, kind, text });
  };
  const roles = new Map<number, string>();
  const tenures = new Map<number, Tenure>();
  const confIndices = new Set<number>();
  const votes = new VoteTally();
  const campaigns = new Map<number, { first: number; last: number }>();
  const outageMs = options.outageMs ?? 100;
  let lastSuccess = -1;
  const endCampaign = (node: number, t: number, why: string) => {
    const campaign = campaigns.get(node);
    campaigns.delete(node);
    if (!campaign || campaign.last === campaign.first) return;
    const elections = campaign.last - campaign.first + 1;
    tell(t, 'election', [node], `node ${node} stops campaigning (${why}) after ${elections} elections in a row, terms ${campaign.first}–${campaign.last}`);
  };
  const endTenure = (node: number, t: number, why: string) => {
    const tenure = tenures.get(node);
    if (!tenure) return;
    tenures.delete(node);
    tell(t, 'leadership', [node], `node ${node} no longer leads term ${tenure.term} (${why}); it led for ${t - tenure.since} ms${tenure.commit > 0 ? `, committing up to index ${tenure.commit}` : ''}`);
  };

  for (const e of events) {
    switch (e.k) {
      case 'state': {
        const before = roles.get(e.node);
        roles.set(e.node, e.role);
        // A candidate that times out campaigns again: counted, told once it stops.
        if (e.role === 'candidate' && before === 'candidate') {
          const campaign = campaigns.get(e.node);
          if (campaign && e.term > campaign.last) campaign.last = e.term;
          break;
        }
        if (e.role === before) break;
        if (before === 'candidate') endCampaign(e.node, e.t, `now a ${e.role}`);
        if (before === 'leader') endTenure(e.node, e.t, `now a ${e.role} in term ${e.term}`);
        if (e.role === 'leader') {
          tenures.set(e.node, { node: e.node, term: e.term, since: e.t, commit: 0 });
          tell(e.t, 'leadership', [e.node], `node ${e.node} is leader of term ${e.term}, ${votes.describe(e.node, e.term)}`);
        } else if (e.role === 'candidate') {
          campaigns.set(e.node, { first: e.term, last: e.term });
          tell(e.t, 'election', [e.node], `node ${e.node} campaigns for term ${e.term}`);
        }
        else if (e.role === 'preCandidate') tell(e.t, 'election', [e.node], `node ${e.node} asks whether it could win term ${e.term + 1} (pre-vote)`);
        break;
      }
      case 'send':
        if (e.type === 'voteResp' && e.info.granted === true) votes.granted(e.id, e.from, e.to, e.term);
        break;
      case 'duplicate':
        votes.copied(e.id, e.copy);
        break;
      case 'deliver':
        votes.delivered(e.id);
        break;
      case 'commit': {
        const tenure = tenures.get(e.node);
        if (tenure) tenure.commit = Math.max(tenure.commit, e.index);
        break;
      }
      case 'crash': {
        roles.delete(e.node);
        tell(e.t, 'process', [e.node], `✖ node ${e.node} crashes: ${describeLoss(e)}`);
        endCampaign(e.node, e.t, 'it crashed');
        endTenure(e.node, e.t, 'it crashed');
        break;
      }
      case 'restart':
        tell(e.t, 'process', [e.node], `node ${e.node} restarts from its disk: term ${e.term}, vote ${e.vote || 'none'}, commit ${e.commit}, last index ${e.lastIndex}`);
        break;
      case 'pause':
        tell(e.t, 'process', [e.node], `⏸ node ${e.node} pauses`);
        break;
      case 'resume':
        tell(e.t, 'process', [e.node], `node ${e.node} resumes with ${e.queued} message${e.queued === 1 ? '' : 's'} queued`);
        break;
      case 'partition':
        tell(e.t, 'fault', e.cuts.length === 0 ? 'all' : nodesOf(e.cuts), e.cuts.length === 0 ? '✂ every link heals' : `✂ ${e.label}`);
        break;
      case 'network':
        tell(e.t, 'fault', 'all', `network: ${percent(e.dropRate)} lost, ${percent(e.duplicateRate)} duplicated, ${e.minLatencyMs}+${e.latencySpreadMs} ms${e.tailRate ? `, ${percent(e.tailRate)} up to ${e.tailMs} ms more` : ''}`);
        break;
      case 'clock':
        tell(e.t, 'fault', [e.node], `◷ node ${e.node}'s clock runs at ×${e.rate}`);
        break;
      case 'disk':
        tell(e.t, 'fault', [e.node], `node ${e.node}'s disk takes ${e.syncMs} ms per sync`);
        break;
      case 'installSnapshot':
        tell(e.t, 'snapshot', [e.node, e.from], `node ${e.node} installs node ${e.from}'s snapshot up to index ${e.index}`);
        break;
      case 'confPropose':
        tell(e.t, 'membership', [e.node], `node ${e.node} proposes ${e.change}: ${e.result}`);
        break;
      case 'conf':
        // Every node applies each configuration; the first to do so tells it.
        if (confIndices.has(e.index)) break;
        confIndices.add(e.index);
        tell(e.t, 'membership', 'all', `the configuration at index ${e.index}: ${describeConf(e.conf)}`);
        break;
      case 'transfer':
        tell(e.t, 'leadership', [e.from, e.to], `leadership transfer ${e.from} → ${e.to} (term ${e.term}) ${e.phase}${e.reason ? `: ${e.reason}` : ''}`);
        break;
      case 'stepDown':
        tell(e.t, 'leadership', [e.node], `node ${e.node} steps down in term ${e.term}: ${e.reason}`);
        break;
      case 'client':
        if (e.type !== 'ok') break;
        if (lastSuccess >= 0 && e.t - lastSuccess >= outageMs) {
          tell(e.t, 'availability', 'all', `clients saw no operation succeed for ${e.t - lastSuccess} ms (since ${lastSuccess} ms)`);
        }
        lastSuccess = e.t;
        break;
      case 'note':
        tell(e.t, 'note', 'all', `ℹ ${e.text}`);
        break;
      case 'violation':
        tell(e.t, 'violation', 'all', `✗ ${e.invariant}: ${e.message}`);
        break;
    }
  }
  const end = events.length > 0 ? events[events.length - 1].t : 0;
  for (const node of [...campaigns.keys()].sort((a, b) => a - b)) endCampaign(node, end, 'the run ends');
  for (const tenure of [...tenures.values()].sort((a, b) => a.node - b.node)) {
    tell(end, 'leadership', [tenure.node], `the run ends with node ${tenure.node} leading term ${tenure.term} (for ${end - tenure.since} ms${tenure.commit > 0 ? `, committing up to index ${tenure.commit}` : ''})`);
  }
  return lines;
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

function describeLoss(crash: Extract<TraceEvent, { k: 'crash' }>): string {
  const { lostWrites: lost, keptWrites: kept = 0, torn = false } = crash;
  if (lost === 0 && kept === 0) return 'nothing unsynced to lose';
  const parts = [lost > 0 ? `${lost} lost` : '', kept > 0 ? `${kept} kept` : '', torn ? 'the last one torn' : ''];
  return `unsynced writes: ${parts.filter((part) => part !== '').join(', ')}`;
}

function nodesOf(cuts: readonly (readonly [number, number])[]): number[] {
  return [...new Set(cuts.flat())];
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
