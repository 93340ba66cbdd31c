import { profileText } from '../faults.js';
import type { ViewerTrace } from '../types.js';
import { escapeHtml, formatCount } from './format.js';
import type { Navigator } from './nav.js';
import type { Store } from './store.js';

/** Scenario, seed, verdict, stats, hash and the command that reproduces the run. */
export function renderHeader(root: HTMLElement, store: Store, nav: Navigator): void {
  const { trace } = store.model;
  const s = trace.stats;
  const stat = (value: string, label: string) => `<span class="stat"><b>${value}</b> ${label}</span>`;
  const stats = s
    ? [
        stat(`${(s.simulatedMs / 1000).toFixed(1)} s`, 'simulated'),
        stat(formatCount(trace.events.length), 'events'),
        stat(formatCount(s.leaderChanges), 'leader changes'),
        stat(formatCount(s.maxTerm), 'max term'),
        stat(formatCount(s.committed), 'committed'),
        stat(formatCount(s.messagesSent), 'messages'),
        stat(formatCount(s.messagesDropped), 'dropped'),
        s.recoveryMs !== null ? stat(`${s.recoveryMs} ms`, 'to recover') : '',
      ].join('')
    : stat(formatCount(trace.events.length), 'events');
  const lin = trace.linearizability;
  const linBadge = lin
    ? `<span class="badge ${lin.verdict === 'linearizable' ? 'ok' : lin.verdict === 'unknown' ? 'unknown' : 'failed'}" title="linearizability check of the client history">${escapeHtml(lin.verdict)}</span>`
    : '';
  const violations = trace.violations
    .map((v, i) => `<li><a href="#" data-violation="${i}">✗ <b>${escapeHtml(v.invariant)}</b> at ${v.time} ms</a>: ${escapeHtml(v.message)}</li>`)
    .join('');
  root.innerHTML = `
    <div class="title-row">
      <span class="brand">raftsim</span>
      <h1>${escapeHtml(trace.scenario.name)}</h1>
      <span class="seed">seed ${trace.seed}</span>
      <span class="badge ${trace.ok ? 'ok' : 'failed'}">${trace.ok ? 'OK' : 'FAILED'}</span>
      ${linBadge}
      ${trace.bug ? `<span class="badge bug" id="bug" title="a planted bug was switched on for this run (raftsim bugs)">planted bug: ${escapeHtml(trace.bug)}</span>` : ''}
      <span class="description">${escapeHtml(trace.scenario.description)}</span>
    </div>
    ${profileRow(trace)}
    <div class="meta-row">
      <span class="repro">reproduce: <code id="command">${escapeHtml(store.meta.command)}</code><button id="copy" class="link" title="copy the command">copy</button></span>
      <span class="hash">trace hash <code>${escapeHtml(trace.traceHash)}</code></span>
      <span class="stats">${stats}</span>
    </div>
    ${violations ? `<ul class="violations">${violations}</ul>` : ''}`;
  root.querySelector('#copy')?.addEventListener('click', () => {
    void navigator.clipboard?.writeText(store.meta.command).catch(() => undefined);
  });
  root.querySelectorAll<HTMLAnchorElement>('a[data-violation]').forEach((a) =>
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const v = trace.violations[Number(a.dataset.violation)];
      if (v) nav.goTo(v.time);
    }),
  );
}

/** The nemesis's fault profile, drawn per seed under swarm testing: what this run was exposed to. */
function profileRow(trace: ViewerTrace): string {
  if (!trace.profile) return '';
  const drawn = trace.scenario.nemesis?.swarm ? ' (drawn for this seed)' : '';
  return `<div class="profile-row" id="profile"><span class="muted">nemesis profile${drawn}:</span> ${escapeHtml(profileText(trace.profile))}</div>`;
}
