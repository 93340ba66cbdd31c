import { FAMILIES } from './colors.js';
import { setFamilyHidden, toggleNode } from './controls.js';
import type { Navigator } from './nav.js';
import type { Store } from './store.js';
import type { Timeline } from './timeline.js';

/** The shortcuts, as the help overlay lists them; the handler below implements the same table. */
export const SHORTCUTS: readonly (readonly [string, string])[] = [
  ['space', 'play / pause'],
  ['[  ]', 'slower / faster'],
  ['← →', 'previous / next event'],
  ['shift ← →', 'move the cursor a tenth of the view'],
  ['L  shift+L', 'next / previous leader change'],
  ['F  shift+F', 'next / previous fault (crash, restart, pause, partition, network, clock)'],
  ['V  shift+V', 'next / previous violation'],
  ['+  −', 'zoom in / out around the cursor'],
  ['0', 'show the whole run'],
  ['C', 'centre the view on the cursor'],
  ['H', 'show / hide heartbeats'],
  ['1 … 9', 'show / hide a node’s messages'],
  ['Esc', 'clear the selection, close this help'],
  ['?', 'this help'],
  ['mouse', 'wheel zooms, drag pans, drag the ruler or the cursor line to scrub, click for details'],
];

export function helpHtml(): string {
  const rows = SHORTCUTS.map(([k, v]) => `<tr><th><kbd>${k}</kbd></th><td>${v}</td></tr>`).join('');
  return `<div class="help-card" role="dialog" aria-label="keyboard shortcuts">
    <h2>Keyboard shortcuts</h2><table>${rows}</table>
    <p class="muted">Reading the timeline: each node has a lane; its band is the role it held (grey follower, yellow candidate, orange leader) with the term.
    Arrows are messages from sender to receiver, coloured by type; a red cross is a message the network lost.
    Shaded lanes are cut off by a partition; their label names the lost links (<b>✂ 4,5</b> both ways, <b>→3</b> its messages to 3, <b>←1</b> messages from 1).
    A purple underline is a drifting clock (<b>◷ ×2.5</b>). The toolbar's chips show or hide each message type and each node's messages. The vertical line is the cursor: the right-hand panel shows every node's state at that moment.</p>
    <p class="muted">Press <kbd>Esc</kbd> or click outside to close.</p></div>`;
}

export class Keyboard {
  constructor(
    private readonly store: Store,
    private readonly nav: Navigator,
    private readonly timeline: Timeline,
    private readonly help: { toggle(show?: boolean): void; open(): boolean },
  ) {
    document.addEventListener('keydown', (e) => this.onKey(e));
  }

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const { store, nav, timeline } = this;
    const [t0, t1] = store.domain;
    const dir: 1 | -1 = e.shiftKey ? -1 : 1;
    let handled = true;
    switch (e.key) {
      case ' ':
        nav.toggle();
        break;
      case '[':
        nav.changeSpeed(-1);
        break;
      case ']':
        nav.changeSpeed(1);
        break;
      case 'ArrowRight':
      case 'ArrowLeft': {
        const forward = e.key === 'ArrowRight' ? 1 : -1;
        if (e.shiftKey) nav.goTo(store.cursor + (forward * (t1 - t0)) / 10);
        else nav.step(forward);
        break;
      }
      case 'l':
      case 'L':
        nav.jump('leader', dir);
        break;
      case 'f':
      case 'F':
        nav.jump('fault', dir);
        break;
      case 'v':
      case 'V':
        nav.jump('violation', dir);
        break;
      case '+':
      case '=':
        timeline.zoomBy(2, store.cursor >= t0 && store.cursor <= t1 ? store.cursor : (t0 + t1) / 2);
        break;
      case '-':
      case '_':
        timeline.zoomBy(0.5, store.cursor >= t0 && store.cursor <= t1 ? store.cursor : (t0 + t1) / 2);
        break;
      case '0':
        timeline.zoomTo(store.model.start, store.model.end);
        break;
      case 'c':
      case 'C':
        timeline.zoomTo(store.cursor - (t1 - t0) / 2, store.cursor + (t1 - t0) / 2);
        break;
      case 'h':
      case 'H': {
        const heartbeats = FAMILIES.find((f) => f.name === 'heartbeat');
        if (heartbeats) setFamilyHidden(store, heartbeats, !store.hiddenTypes.has('heartbeat'));
        break;
      }
      case 'Escape':
        if (this.help.open()) this.help.toggle(false);
        else store.select(null);
        break;
      case '?':
        this.help.toggle();
        break;
      default:
        if (/^[1-9]$/.test(e.key)) toggleNode(store, Number(e.key));
        else handled = false;
    }
    if (handled) e.preventDefault();
  }
}
