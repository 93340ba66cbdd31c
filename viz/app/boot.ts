import { heartbeatsDense, prepareModel } from '../prepare.js';
import { StateIndex } from '../state.js';
import type { Model, PageMeta, ViewerTrace } from '../types.js';
import { CLOCK_COLOR, CLOG_COLOR, CRASHED_COLOR, MEMBER_COLOR, OP_COLOR, PARTITION_TINTS, PRE_CANDIDATE_STROKE, ROLE_COLOR, SNAPSHOT_COLOR, STEP_DOWN_COLOR, TRANSFER_COLOR } from './colors.js';
import { Controls, setFamilyHidden } from './controls.js';
import { DetailsPanel } from './details-panel.js';
import { StoryPanel } from './story-panel.js';
import { formatCount } from './format.js';
import { renderHeader } from './header.js';
import { helpHtml, Keyboard } from './keyboard.js';
import { Navigator } from './nav.js';
import { StatePanel } from './state-panel.js';
import { Store } from './store.js';
import { STYLE } from './style.js';
import { Timeline } from './timeline.js';
import { FAMILIES } from './colors.js';

/** The test and console handle: `window.raftsimViewer`. */
export interface ViewerHandle {
  readonly store: Store;
  readonly timeline: Timeline;
  readonly nav: Navigator;
  /** Milliseconds from navigation start until the first full paint was ready. */
  readonly loadMs: number;
  /** performance.now() after each load phase: start, parse, prepare, checkpoints, ready. */
  readonly timings: Readonly<Record<string, number>>;
  messagePoint(id: number): { x: number; y: number } | null;
  zoomTo(t0: number, t1: number): void;
  setCursor(t: number): void;
  /** Redraws synchronously instead of on the next frame. */
  flush(): void;
}

declare global {
  interface Window {
    raftsimViewer?: ViewerHandle;
  }
}

/** Only what this trace can show: a legend entry for clock drift in a run without any is noise. */
function legendHtml(model: Model): string {
  const hasClients = model.clients.length > 0;
  const swatch = (style: string, label: string) => `<span class="legend-item"><i style="${style}"></i>${label}</span>`;
  return [
    swatch(`background:${ROLE_COLOR.follower}`, 'follower'),
    model.bands.some((b) => b.role === 'preCandidate') ? swatch(`background:${ROLE_COLOR.preCandidate};border:1.5px dashed ${PRE_CANDIDATE_STROKE}`, 'pre-candidate') : '',
    swatch(`background:${ROLE_COLOR.candidate}`, 'candidate'),
    swatch(`background:${ROLE_COLOR.leader}`, 'leader'),
    swatch(`background:${CRASHED_COLOR}`, 'crashed'),
    swatch('background:repeating-linear-gradient(45deg,#8b96a3 0 2px,#eef1f4 2px 5px)', 'paused'),
    swatch(`background:${PARTITION_TINTS[0]}`, 'partitioned away'),
    model.partitions.length > 0
      ? '<span class="legend-item" title="on a lane: cut both ways from 4 and 5; its messages to 3 are lost; it hears nothing from 1"><b class="cut">✂ 4,5 →3 ←1</b>cut links (both ways, sent, heard)</span>'
      : '',
    model.clogs.length > 0 ? `<span class="legend-item" title="on a lane: its messages to 1 are held; messages from 4 to it are held"><b style="color:${CLOG_COLOR}">▥ →1 ←4</b>clogged links (held, none lost)</span>` : '',
    model.clocks.length > 0 ? `<span class="legend-item"><b style="color:${CLOCK_COLOR}">◷ ×2</b>clock drift</span>` : '',
    swatch('background:repeating-linear-gradient(-45deg,#f4b455 0 2px,#fff4dc 2px 5px)', 'flaky network'),
    ...raftLegend(model),
    '<span class="legend-item"><b class="x">✕</b>dropped message</span>',
    '<span class="legend-item"><b class="dash">- - →</b>duplicate</span>',
    hasClients ? swatch(`background:${OP_COLOR.ok}`, 'op ok') + swatch(`background:${OP_COLOR.fail}`, 'op failed') + swatch(`background:${OP_COLOR.info}`, 'op unknown (info)') : '',
    '<span class="legend-item"><b class="cursor-mark">│</b>cursor</span>',
  ].join('');
}

/** Membership, transfers, snapshots and step-downs: only the ones this trace has. */
function raftLegend(model: Model): string[] {
  const item = (mark: string, color: string, label: string) => `<span class="legend-item"><b style="color:${color}">${mark}</b>${label}</span>`;
  const has = (kind: string) => model.laneMarks.some((m) => m.kind === kind);
  const status = new Set(model.members.map((s) => s.status));
  const stripe = (s: keyof typeof MEMBER_COLOR, label: string) => (status.has(s) ? `<span class="legend-item"><i style="background:${MEMBER_COLOR[s]};height:4px"></i>${label}</span>` : '');
  return [
    stripe('learner', 'learner'),
    stripe('outside', 'outside the cluster (veiled)'),
    model.confs.some((c) => c.joint) ? swatchHtml('background:repeating-linear-gradient(45deg,#f3d3a0 0 2px,#fff3df 2px 5px);border-color:#b26a00', 'joint config (◫)') : '',
    stripe('incoming', 'joining (new half)'),
    stripe('outgoing', 'leaving (old half)'),
    model.transfers.length > 0 ? item('⇢', TRANSFER_COLOR, 'leadership transfer') : '',
    has('stepDown') ? item('▼', STEP_DOWN_COLOR, 'step-down (CheckQuorum)') : '',
    has('snapshot') ? item('│▨', SNAPSHOT_COLOR, 'log compacted') : '',
    has('install') ? item('↧', SNAPSHOT_COLOR, 'snapshot installed') : '',
  ].filter((s) => s !== '');
}

function swatchHtml(style: string, label: string): string {
  return `<span class="legend-item"><i style="${style}"></i>${label}</span>`;
}

/** Where a page opens: a view and a cursor (the playground keeps them across its reruns). */
export interface InitialView {
  readonly domain: readonly [number, number];
  readonly cursor: number;
}

/**
 * Draws the viewer for one trace into `root`, once per page (its keyboard listens on the
 * document). `timings` holds what the page did before (at least `start`).
 */
export function bootViewer(root: HTMLElement, trace: ViewerTrace, meta: PageMeta, timings: Record<string, number>, initialView?: InitialView): ViewerHandle {
  const model = prepareModel(trace);
  timings.prepare = performance.now();
  const store = new Store(model, new StateIndex(model.events, model.nodes, undefined, model.initialConf), meta);
  timings.checkpoints = performance.now();

  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.appendChild(style);
  root.innerHTML = `
    <header id="header"></header>
    <nav id="toolbar"></nav>
    <main>
      <section class="timeline-wrap"><div id="timeline"></div><div class="legend">${legendHtml(model)}<span id="status" class="muted"></span></div></section>
      <aside><section id="state"></section><section id="story"></section><section id="details"></section></aside>
    </main>
    <div id="help-overlay" class="help" hidden>${helpHtml()}</div>`;

  const firstViolation = model.markers.find((m) => m.kind === 'violation');
  const firstLeader = model.markers.find((m) => m.kind === 'leader');
  // A failing run opens on its first violation, with a little of what led up to it.
  if (firstViolation) {
    store.domain = [Math.max(model.start, firstViolation.t - 400), Math.min(model.end, firstViolation.t + 100)];
    store.cursor = firstViolation.t;
    store.selection = { kind: 'marker', index: model.markers.indexOf(firstViolation) };
  } else if (firstLeader) store.cursor = firstLeader.t;
  if (initialView) {
    const [from, to] = initialView.domain;
    if (from < to && from >= model.start && to <= model.end) store.domain = [from, to];
    store.cursor = Math.max(model.start, Math.min(model.end, initialView.cursor));
  }

  const timelineElement = document.getElementById('timeline') as HTMLElement;
  const timeline = new Timeline(timelineElement, store);
  const nav = new Navigator(store, timeline);
  const helpElement = document.getElementById('help-overlay') as HTMLElement;
  const help = {
    open: () => !helpElement.hidden,
    toggle: (show?: boolean) => {
      helpElement.hidden = !(show ?? helpElement.hidden);
    },
  };
  helpElement.addEventListener('click', (e) => {
    if (e.target === helpElement) help.toggle(false);
  });
  renderHeader(document.getElementById('header') as HTMLElement, store, nav);
  // Heartbeats drown everything else when many share a pixel; start without them then.
  const heartbeatFamily = FAMILIES.find((f) => f.name === 'heartbeat');
  const hideHeartbeats = heartbeatsDense(model.messages, store.domain[0], store.domain[1], timeline.geometry.plotWidth);
  if (heartbeatFamily && hideHeartbeats) setFamilyHidden(store, heartbeatFamily, true);
  new Controls(document.getElementById('toolbar') as HTMLElement, store, nav, timeline, () => help.toggle());
  new StatePanel(document.getElementById('state') as HTMLElement, store);
  new StoryPanel(document.getElementById('story') as HTMLElement, store, nav);
  new DetailsPanel(document.getElementById('details') as HTMLElement, store);
  new Keyboard(store, nav, timeline, help);
  const status = document.getElementById('status') as HTMLElement;
  store.subscribe((changes) => {
    if (!changes.has('view') && !changes.has('filters')) return;
    const hidden = store.hiddenTypes.has('heartbeat') ? ' · heartbeats hidden (H shows them)' : '';
    status.textContent = `${formatCount(timeline.messages.drawn)} messages drawn${hidden}`;
  });
  store.notify('view');
  store.notify('cursor');
  store.notify('selection');
  store.flush();
  const loadMs = performance.now();
  timings.ready = loadMs;
  status.title = `loaded ${formatCount(model.events.length)} events in ${Math.round(loadMs)} ms`;
  const handle: ViewerHandle = {
    store,
    timeline,
    nav,
    loadMs,
    timings,
    messagePoint: (id) => timeline.messagePoint(id),
    zoomTo: (a, b) => timeline.zoomTo(a, b),
    setCursor: (t) => store.setCursor(t),
    flush: () => store.flush(),
  };
  window.raftsimViewer = handle;
  return handle;
}

/** JSON the page carries inline, in the element with this id (see selfContainedPage). */
export function readPageJson<T>(id: string): T {
  const element = document.getElementById(id);
  if (!element?.textContent) throw new Error(`missing #${id}`);
  return JSON.parse(element.textContent) as T;
}

/** A page that could not be drawn says why, in place of the viewer. */
export function showFatal(error: unknown): void {
  const root = document.getElementById('raftsim-viewer') ?? document.body;
  root.innerHTML = `<pre class="fatal">raftsim viewer: ${String(error instanceof Error ? (error.stack ?? error.message) : error).replace(/</g, '&lt;')}</pre>`;
  document.body.dataset.ready = 'error';
}
