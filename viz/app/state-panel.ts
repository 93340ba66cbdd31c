import type { ClusterState, NodeState } from '../state.js';
import { rateText } from '../faults.js';
import { confText, isJoint, memberStatus, progressStateText } from '../raft.js';
import { JOINT_COLOR, MEMBER_COLOR, ROLE_COLOR, ROLE_TEXT, termColor } from './colors.js';
import { memberBadge } from './raft-layer.js';
import { escapeHtml, formatCount, formatTime } from './format.js';
import type { Store } from './store.js';

/** Log columns shown at once; older entries are summarised as "…". */
const LOG_COLUMNS = 12;

/**
 * The cluster at the cursor, as RaftScope shows it: each node's role, term, vote,
 * commit and applied index, its log coloured by term (faded where not committed),
 * and each leader's view of its followers.
 */
export class StatePanel {
  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
  ) {
    store.subscribe((changes) => {
      if (changes.has('cursor')) this.render();
    });
    this.render();
  }

  render(): void {
    const { store } = this;
    const state = store.states.at(store.cursor);
    const total = store.model.events.length;
    const event = state.applied > 0 ? store.model.events[state.applied - 1] : null;
    this.root.innerHTML = `
      <h2>State at <span class="state-time">${formatTime(store.cursor, 0)}</span></h2>
      <div class="muted">after event ${formatCount(state.applied)} of ${formatCount(total)}${event ? ` (<code>${escapeHtml(event.k)}</code> at ${formatTime(event.t, 0)})` : ''}${
        state.partition ? ` · <span class="partition-now">✂ ${escapeHtml(state.partition)}</span>` : ''
      }${this.clogsNow()}</div>
      ${this.confLine(state)}
      ${this.table(state)}
      ${this.logs(state)}
      ${this.progress(state)}`;
  }

  /** The links holding messages at the cursor (a release at the cursor itself has happened). */
  private clogsNow(): string {
    const t = this.store.cursor;
    const held = this.store.model.clogs.filter((c) => c.start <= t && t < c.end);
    if (held.length === 0) return '';
    return ` · <span class="clogs-now" title="clogged links: their messages are held, none lost">▥ ${held.map((c) => `${c.from}→${c.to}`).join(' ')} held</span>`;
  }

  /** The configuration as the most advanced node has applied it: the cluster's, at this moment. */
  private confLine(state: ClusterState): string {
    if (!this.store.model.membershipInPlay) return '';
    const conf = clusterConf(this.store, state);
    return `<div class="conf-now${isJoint(conf) ? ' joint' : ''}" id="conf-now" title="the newest configuration any node has applied">config: ${escapeHtml(confText(conf))}</div>`;
  }

  private table(state: ClusterState): string {
    const membership = this.store.model.membershipInPlay;
    const rows = state.nodes
      .map((n) => {
        const role = n.status === 'crashed' ? 'crashed' : n.role;
        const style = n.status === 'crashed' ? 'background:#3d434b;color:#fff' : `background:${ROLE_COLOR[n.role]};color:${ROLE_TEXT[n.role]}`;
        return `<tr data-node="${n.id}" class="${n.status}">
          <td>${n.id}</td>
          <td><span class="role-chip role" style="${style}">${role === 'preCandidate' ? 'pre-cand.' : role}${n.status === 'paused' ? ' ❚❚' : ''}</span>${clockBadge(n)}</td>${membership ? `<td class="member">${memberChip(n)}</td>` : ''}
          <td class="term">${n.term}</td><td class="vote">${n.vote || '–'}</td><td class="lead">${n.lead || '–'}</td>
          <td class="commit">${n.commit}</td><td class="applied">${n.applied}</td><td class="last">${n.log.length}</td></tr>`;
      })
      .join('');
    return `<table class="state-table"><thead><tr><th>node</th><th>role</th>${membership ? '<th title="membership in the configuration this node has applied">member</th>' : ''}<th title="current term">term</th><th title="voted for in this term">vote</th><th title="known leader">lead</th><th title="commit index">commit</th><th title="last applied index">applied</th><th title="last log index">last</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  private logs(state: ClusterState): string {
    const last = Math.max(0, ...state.nodes.map((n) => n.log.length));
    if (last === 0) return '<h3>Logs</h3><div class="muted">all logs are empty</div>';
    const from = Math.max(1, last - LOG_COLUMNS + 1);
    const indices = Array.from({ length: last - from + 1 }, (_, i) => from + i);
    const snaps = state.nodes.some((n) => n.snapIndex > 0);
    const head = `<div class="log-row log-head"><span class="log-node"></span>${snaps ? '<span class="log-snap log-index" title="compacted into a snapshot up to">snap</span>' : ''}${from > 1 ? '<span class="log-more">…</span>' : ''}${indices
      .map((i) => `<span class="log-index">${i}</span>`)
      .join('')}</div>`;
    const rows = state.nodes.map((n) => this.logRow(n, indices, from > 1, snaps)).join('');
    return `<h3>Logs <span class="muted">index:term, solid = committed${snaps ? ', ▨ = compacted into a snapshot' : ''}</span></h3><div class="logs">${head}${rows}</div>`;
  }

  private logRow(n: NodeState, indices: number[], more: boolean, snaps: boolean): string {
    const cells = indices
      .map((i) => {
        if (i > n.log.length) return '<span class="log-cell empty"></span>';
        const term = n.log[i - 1];
        if (i <= n.snapIndex) {
          const title = `node ${n.id} index ${i}: compacted into the snapshot up to ${n.snapIndex}${term > 0 ? ` (term ${term})` : ''}`;
          return `<span class="log-cell compacted" title="${title}">${term > 0 ? term : '▨'}</span>`;
        }
        const committed = i <= n.commit;
        const title = `node ${n.id} index ${i}: term ${term}${committed ? ', committed' : ', not committed'}${i <= n.applied ? ', applied' : ''}`;
        return `<span class="log-cell${committed ? ' committed' : ''}" style="background:${termColor(term)}" title="${title}">${term}</span>`;
      })
      .join('');
    const snap = !snaps
      ? ''
      : n.snapIndex > 0
        ? `<span class="log-snap" title="entries 1–${n.snapIndex} live only in a snapshot${n.snapTerm > 0 ? ` (last term ${n.snapTerm})` : ''}">▨ ≤${n.snapIndex}</span>`
        : '<span class="log-snap empty" style="visibility:hidden">–</span>';
    return `<div class="log-row ${n.status}" data-node="${n.id}" data-snap="${n.snapIndex}"><span class="log-node">${n.id}</span>${snap}${more ? '<span class="log-more">…</span>' : ''}${cells}</div>`;
  }

  private progress(state: ClusterState): string {
    const leaders = state.nodes.filter((n) => n.role === 'leader' && n.status !== 'crashed');
    if (leaders.length === 0) return '<h3>Leader progress</h3><div class="muted">no leader at this moment</div>';
    return leaders
      .map((leader) => {
        const peers = state.nodes.filter((n) => n.id !== leader.id);
        const cells = peers
          .map((p) => {
            const pr = leader.progress.get(p.id);
            const behind = pr ? leader.log.length - pr.match : 0;
            // match 0 right after an election means "not confirmed yet", not "empty log".
            const note = !pr ? 'not yet known' : pr.match === 0 ? 'probing' : behind === 0 ? 'up to date' : `${behind} behind`;
            // The leader's own snapshot pipeline for this peer, when the trace recorded it.
            const pstate = pr?.state && pr.state !== 'replicate' ? ` <span class="pstate ${pr.state}">${progressStateText(pr.state, pr.pendingSnapshot)}</span>` : '';
            const member = memberStatus(leader.conf, p.id);
            const tag = member === 'voter' ? '' : ` <span class="member-chip" style="color:${MEMBER_COLOR[member]}">${memberBadge(member, isJoint(leader.conf))}</span>`;
            return `<tr data-peer="${p.id}"><td>${p.id}</td><td class="match">${pr ? pr.match : '?'}</td><td class="next">${pr ? pr.next : '?'}</td><td class="muted">${note}${pstate}${tag}</td></tr>`;
          })
          .join('');
        const transfer = this.store.model.transfers.find((t) => t.from === leader.id && t.start <= this.store.cursor && this.store.cursor < t.end);
        const handing = transfer ? ` <span class="transfer-now" title="no new proposals until it is done">⇢ handing over to ${transfer.to}</span>` : '';
        return `<h3>Leader ${leader.id} (term ${leader.term}) sees${handing}</h3>
          <table class="progress-table" data-leader="${leader.id}"><thead><tr><th>follower</th><th title="highest index known to match">match</th><th title="next index to send">next</th><th></th></tr></thead><tbody>${cells}</tbody></table>`;
      })
      .join('');
  }
}

/** The newest configuration applied anywhere: conf indices only grow, so the one furthest on wins. */
function clusterConf(store: Store, state: ClusterState) {
  const model = store.model;
  const span = model.confs.find((c) => c.start <= store.cursor && store.cursor < c.end) ?? model.confs[model.confs.length - 1];
  return span?.conf ?? state.nodes[0].conf;
}

/** A node's membership in its own applied configuration: a lagging node may still think it is a learner. */
function memberChip(n: NodeState): string {
  const status = memberStatus(n.conf, n.id);
  const color = status === 'voter' && isJoint(n.conf) ? JOINT_COLOR : MEMBER_COLOR[status];
  return `<span class="member-chip" data-status="${status}" style="color:${color}" title="${escapeHtml(confText(n.conf))}">${memberBadge(status, isJoint(n.conf))}</span>`;
}

/** A drifting clock next to the role: it explains early timeouts (fast) or a stale lease (slow). */
function clockBadge(n: NodeState): string {
  if (n.clock === 1) return '';
  return `<span class="clock-rate" title="node ${n.id}'s clock runs at ${n.clock}× true time">◷${rateText(n.clock)}</span>`;
}
