import { escapeHtml, formatCount } from '../app/format.js';
import type { Store } from '../app/store.js';
import type { FaultAction, NodeRef, Scenario } from '../../sim/scenario.js';
import { MSG_DROPPED } from '../types.js';
import { serializeTraceFile, type TraceFile } from '../../sim/trace-file.js';
import { describeAction, encodeExperiment, isPlaygroundAction, linkToRelease, MAX_PLAYGROUND_MS, PLAYGROUND_ACTIONS, type Experiment, type Target } from './experiment.js';

export interface PanelContext {
  readonly store: Store;
  readonly experiment: Experiment;
  readonly scenario: Scenario;
  readonly trace: TraceFile;
  readonly wallMs: number;
  /** Why the link's experiment could not be used, if it could not. */
  readonly error?: string;
}

/**
 * The playground's side panel: act on a node at the cursor, change the seed, take back
 * what was added, download the scenario and the trace. Every change becomes a new URL
 * fragment, which reruns the page (so Back undoes it).
 */
export function mountPanel(aside: HTMLElement, context: PanelContext): void {
  const { store, experiment, scenario } = context;
  const style = document.createElement('style');
  style.textContent = PANEL_STYLE;
  document.head.appendChild(style);
  const section = document.createElement('section');
  section.id = 'playground';
  aside.prepend(section);
  const nodes = Array.from({ length: scenario.nodes }, (_, i) => i + 1);
  const actionOptions = Object.entries(PLAYGROUND_ACTIONS).map(([name, a]) => `<option value="${name}">${escapeHtml(a.label)}</option>`).join('');
  section.innerHTML = `
    <h2>Playground <span class="muted">this page runs the simulator: change the run, watch what Raft does</span></h2>
    <div class="pg-row">at <b id="pg-at"></b>
      <select id="pg-action" title="what happens at the cursor">${actionOptions}</select>
      <select id="pg-target" title="to whom"></select>
      <select id="pg-peer" title="the link's other end" hidden></select>
      <button id="pg-apply" class="primary" title="add this at the cursor and run again">apply</button></div>
    <div class="pg-row" id="pg-message"></div>
    <ol id="pg-added">${experiment.added.map((fault, i) => `<li><span class="muted">${formatCount(fault.at)} ms</span> ${escapeHtml(describeAction(fault))} <button class="link" data-remove="${i}" title="take it back">✕</button></li>`).join('')}</ol>
    <div class="pg-row">seed <input id="pg-seed" type="number" min="0" step="1" value="${experiment.seed}">
      faults for <input id="pg-length" type="number" min="0.1" max="${MAX_PLAYGROUND_MS / 1000}" step="any" value="${scenario.durationMs / 1000}"> s
      <button id="pg-run" title="the same experiment under another seed, or with a longer or shorter fault phase">run</button>
      <button id="pg-reset" title="no faults added, the page's seed">start over</button>
      <span class="muted" id="pg-timing">ran in ${formatCount(context.wallMs)} ms here</span></div>
    <div class="pg-row">download: <a id="pg-scenario" href="#">scenario</a> <a id="pg-trace" href="#">trace</a>
      <span class="muted">(<code>raftsim run</code> it, <code>raftsim replay</code> the trace: same hash)</span></div>
    <p id="pg-error" class="pg-error"${context.error ? '' : ' hidden'}>${escapeHtml(context.error ?? '')}</p>`;

  const at = section.querySelector('#pg-at') as HTMLElement;
  const action = section.querySelector('#pg-action') as HTMLSelectElement;
  const target = section.querySelector('#pg-target') as HTMLSelectElement;
  const peer = section.querySelector('#pg-peer') as HTMLSelectElement;
  const error = section.querySelector('#pg-error') as HTMLElement;
  const showError = (message: string) => {
    error.textContent = message;
    error.hidden = false;
  };
  const fillTargets = () => {
    const chosen = PLAYGROUND_ACTIONS[action.value as keyof typeof PLAYGROUND_ACTIONS];
    const extra = chosen.aim === 'leader' ? '<option value="leader">the leader</option>' : chosen.aim === 'all' ? '<option value="all">every node</option>' : '';
    target.innerHTML = chosen.aim === 'nobody' ? '<option value="">—</option>' : extra + nodes.map((n) => `<option value="${n}">node ${n}</option>`).join('');
    target.disabled = chosen.aim === 'nobody';
    peer.hidden = chosen.peer === '';
    const word = chosen.peer;
    peer.innerHTML = `<option value="leader">${word} the leader</option>` + nodes.map((n) => `<option value="${n}">${word} node ${n}</option>`).join('');
    proposeRelease();
  };
  /** A release names the link held or cut at the cursor, by its nodes. */
  const proposeRelease = () => {
    const link = isPlaygroundAction(action.value) ? linkToRelease(action.value, store.model, store.cursor) : undefined;
    if (!link) return;
    target.value = String(link[0]);
    peer.value = String(link[1]);
  };
  fillTargets();
  action.addEventListener('change', fillTargets);
  const showCursor = () => {
    at.textContent = `${formatCount(Math.round(store.cursor))} ms`;
  };
  showCursor();
  store.subscribe((changes) => {
    if (!changes.has('cursor')) return;
    showCursor();
    proposeRelease();
  });

  const message = section.querySelector('#pg-message') as HTMLElement;
  const showMessage = () => {
    const chosen = droppable(store);
    message.innerHTML = chosen.kind === 'none' ? '<span class="muted">click a message to drop it</span>' : `${escapeHtml(chosen.text)}${chosen.kind === 'ok' ? ' <button id="pg-drop">drop it</button>' : ''}`;
    message.querySelector('#pg-drop')?.addEventListener('click', () => {
      if (chosen.kind === 'ok') go({ added: [...experiment.added, chosen.fault] });
    });
  };
  showMessage();
  store.subscribe((changes) => {
    if (changes.has('selection')) showMessage();
  });

  const view = () => ({ from: store.domain[0], to: store.domain[1], cursor: store.cursor });
  /** A new experiment: this one with `change` made, in the view of the moment. */
  const go = (change: Partial<Experiment>) => {
    location.hash = encodeExperiment({ ...experiment, view: view(), ...change });
  };
  section.querySelector('#pg-apply')?.addEventListener('click', () => {
    const time = Math.round(store.cursor);
    if (time > scenario.durationMs) {
      return showError(`faults end at ${formatCount(scenario.durationMs)} ms: after that everything heals and the run checks that the cluster recovers`);
    }
    if (!isPlaygroundAction(action.value)) return;
    const value = target.value;
    const aimed: Target = value === 'leader' || value === 'all' ? value : Number(value);
    const other: NodeRef = peer.value === 'leader' ? 'leader' : Number(peer.value);
    const fault = PLAYGROUND_ACTIONS[action.value].build(time, aimed, other);
    go({ added: [...experiment.added, fault] });
  });
  section.querySelectorAll<HTMLButtonElement>('button[data-remove]').forEach((button) =>
    button.addEventListener('click', () => {
      const index = Number(button.dataset.remove);
      go({ added: experiment.added.filter((_, i) => i !== index) });
    }),
  );
  const seed = section.querySelector('#pg-seed') as HTMLInputElement;
  const length = section.querySelector('#pg-length') as HTMLInputElement;
  const runSeed = () => {
    const value = Number(seed.value);
    if (!Number.isInteger(value) || value < 0) return showError(`seed ${seed.value}: a seed is a whole number, 0 or more`);
    const seconds = Number(length.value);
    if (!(seconds * 1000 >= 100 && seconds * 1000 <= MAX_PLAYGROUND_MS)) return showError(`faults for ${length.value} s: from 0.1 to ${MAX_PLAYGROUND_MS / 1000} s`);
    go({ seed: value, durationMs: Math.round(seconds * 1000) });
  };
  section.querySelector('#pg-run')?.addEventListener('click', runSeed);
  for (const input of [seed, length]) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') runSeed();
    });
  }
  section.querySelector('#pg-reset')?.addEventListener('click', () => {
    location.hash = '';
  });
  offerDownload(section.querySelector('#pg-scenario') as HTMLAnchorElement, `${scenario.name}.json`, `${JSON.stringify(scenario, null, 2)}\n`);
  offerDownload(section.querySelector('#pg-trace') as HTMLAnchorElement, `${scenario.name}-seed-${experiment.seed}.trace.json`, serializeTraceFile(context.trace));
}

type Droppable = { readonly kind: 'none' } | { readonly kind: 'refused'; readonly text: string } | { readonly kind: 'ok'; readonly text: string; readonly fault: FaultAction };

/** The selected message, if the network could lose it: one between nodes, sent before the faults end. */
function droppable(store: Store): Droppable {
  const selected = store.selection;
  if (selected?.kind !== 'message') return { kind: 'none' };
  const m = store.model.messages;
  const row = selected.row;
  const name = `${m.types[m.type[row]]} ${m.from[row]}→${m.to[row]} (#${m.id[row]}, sent at ${formatCount(m.sendT[row])} ms)`;
  const servers = store.model.nodes;
  if (!servers.includes(m.from[row]) || !servers.includes(m.to[row])) return { kind: 'refused', text: `${name}: client traffic travels on connections, which never lose it` };
  if (m.status[row] === MSG_DROPPED) return { kind: 'refused', text: `${name}: already lost` };
  const at = Math.round(m.sendT[row]);
  if (at > store.model.trace.scenario.durationMs) return { kind: 'refused', text: `${name}: faults end at ${formatCount(store.model.trace.scenario.durationMs)} ms` };
  return { kind: 'ok', text: name, fault: { at, action: 'drop', message: m.id[row] } };
}

const PANEL_STYLE = `
#playground { background:#fffdf5; }
#playground h2 .muted { font-weight:400; font-size:11px; }
.pg-row { display:flex; flex-wrap:wrap; gap:5px; align-items:center; margin:5px 0; font-size:12.5px; }
.pg-row input { width:70px; font:inherit; border:1px solid #cfd6de; border-radius:5px; padding:1px 4px; }
#pg-added { margin:4px 0; padding-left:20px; font-size:12.5px; }
#pg-added:empty { display:none; }
.pg-error { color:var(--bad); margin:4px 0; font-size:12.5px; }
`;

function offerDownload(link: HTMLAnchorElement, fileName: string, text: string): void {
  link.download = fileName;
  link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  link.title = fileName;
}
