import type { ClusterState, NodeState } from '../state.js';
import { rateText } from '../faults.js';
import { ROLE_COLOR, ROLE_TEXT, termColor } from './colors.js';
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
      }</div>
      ${this.table(state)}
      ${this.logs(state)}
      ${this.progress(state)}`;
  }

  private table(state: ClusterState): string {
    const rows = state.nodes
      .map((n) => {
        const role = n.status === 'crashed' ? 'crashed' : n.role;
        const style = n.status === 'crashed' ? 'background:#3d434b;color:#fff' : `background:${ROLE_COLOR[n.role]};color:${ROLE_TEXT[n.role]}`;
        return `<tr data-node="${n.id}" class="${n.status}">
          <td>${n.id}</td>
          <td><span class="role-chip role" style="${style}">${role}${n.status === 'paused' ? ' ❚❚' : ''}</span>${clockBadge(n)}</td>
          <td class="term">${n.term}</td><td class="vote">${n.vote || '–'}</td><td class="lead">${n.lead || '–'}</td>
          <td class="commit">${n.commit}</td><td class="applied">${n.applied}</td><td class="last">${n.log.length}</td></tr>`;
      })
      .join('');
    return `<table class="state-table"><thead><tr><th>node</th><th>role</th><th title="current term">term</th><th title="voted for in this term">vote</th><th title="known leader">lead</th><th title="commit index">commit</th><th title="last applied index">applied</th><th title="last log index">last</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  private logs(state: ClusterState): string {
    const last = Math.max(0, ...state.nodes.map((n) => n.log.length));
    if (last === 0) return '<h3>Logs</h3><div class="muted">all logs are empty</div>';
    const from = Math.max(1, last - LOG_COLUMNS + 1);
    const indices = Array.from({ length: last - from + 1 }, (_, i) => from + i);
    const head = `<div class="log-row log-head"><span class="log-node"></span>${from > 1 ? '<span class="log-more">…</span>' : ''}${indices
      .map((i) => `<span class="log-index">${i}</span>`)
      .join('')}</div>`;
    const rows = state.nodes.map((n) => this.logRow(n, indices, from > 1)).join('');
    return `<h3>Logs <span class="muted">index:term, solid = committed</span></h3><div class="logs">${head}${rows}</div>`;
  }

  private logRow(n: NodeState, indices: number[], more: boolean): string {
    const cells = indices
      .map((i) => {
        if (i > n.log.length) return '<span class="log-cell empty"></span>';
        const term = n.log[i - 1];
        const committed = i <= n.commit;
        const title = `node ${n.id} index ${i}: term ${term}${committed ? ', committed' : ', not committed'}${i <= n.applied ? ', applied' : ''}`;
        return `<span class="log-cell${committed ? ' committed' : ''}" style="background:${termColor(term)}" title="${title}">${term}</span>`;
      })
      .join('');
    return `<div class="log-row ${n.status}" data-node="${n.id}"><span class="log-node">${n.id}</span>${more ? '<span class="log-more">…</span>' : ''}${cells}</div>`;
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
            return `<tr data-peer="${p.id}"><td>${p.id}</td><td class="match">${pr ? pr.match : '?'}</td><td class="next">${pr ? pr.next : '?'}</td><td class="muted">${note}</td></tr>`;
          })
          .join('');
        return `<h3>Leader ${leader.id} (term ${leader.term}) sees</h3>
          <table class="progress-table" data-leader="${leader.id}"><thead><tr><th>follower</th><th title="highest index known to match">match</th><th title="next index to send">next</th><th></th></tr></thead><tbody>${cells}</tbody></table>`;
      })
      .join('');
  }
}

/** A drifting clock next to the role: it explains early timeouts (fast) or a stale lease (slow). */
function clockBadge(n: NodeState): string {
  if (n.clock === 1) return '';
  return `<span class="clock-rate" title="node ${n.id}'s clock runs at ${n.clock}× true time">◷${rateText(n.clock)}</span>`;
}
