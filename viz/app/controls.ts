import { FAMILIES, familyOf, type Family } from './colors.js';
import { escapeHtml } from './format.js';
import { SPEEDS, speedLabel, type Navigator } from './nav.js';
import type { Store } from './store.js';
import type { Timeline } from './timeline.js';

/** Message families that occur in this trace, known ones first. */
export function presentFamilies(store: Store): Family[] {
  const m = store.model.messages;
  const seen = new Set<number>();
  for (let r = 0; r < m.count; r++) seen.add(m.type[r]);
  const names = new Set([...seen].map((t) => familyOf(m.types[t]).name));
  const out = FAMILIES.filter((f) => names.has(f.name));
  for (const t of seen) {
    const f = familyOf(m.types[t]);
    if (!out.some((o) => o.name === f.name)) out.push(f);
  }
  return out;
}

export function setFamilyHidden(store: Store, family: Family, hidden: boolean): void {
  for (const type of family.types) {
    if (hidden) store.hiddenTypes.add(type);
    else store.hiddenTypes.delete(type);
  }
  store.notify('filters');
}

export function toggleNode(store: Store, node: number): void {
  if (!store.model.nodes.includes(node)) return;
  if (store.hiddenNodes.has(node)) store.hiddenNodes.delete(node);
  else store.hiddenNodes.add(node);
  store.notify('filters');
}

/** The toolbar: playback, jumps, filters. Everything it does is also on the keyboard. */
export class Controls {
  private readonly families: Family[];

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    nav: Navigator,
    timeline: Timeline,
    private readonly onHelp: () => void,
  ) {
    const hasViolation = store.model.markers.some((m) => m.kind === 'violation');
    const families = presentFamilies(store);
    this.families = families;
    root.innerHTML = `
      <div class="group">
        <button id="play" class="primary" title="play / pause (space)">▶ play</button>
        <select id="speed" title="playback speed ([ and ])">${SPEEDS.map((s) => `<option value="${s}">${speedLabel(s)}</option>`).join('')}</select>
      </div>
      <div class="group jumps">
        ${jump('leader', 'leader', 'L')}
        ${jump('fault', 'fault', 'F')}
        ${hasViolation ? jump('violation', 'violation', 'V') : ''}
      </div>
      <div class="group filters" title="show or hide message types (H toggles heartbeats)">
        <span class="group-label">show</span>
        ${families
          .map(
            (f) =>
              `<button class="chip" data-family="${escapeHtml(f.name)}" aria-pressed="true"><i style="background:${f.color}"></i>${escapeHtml(f.label)}</button>`,
          )
          .join('')}
      </div>
      <div class="group filters" title="show or hide a node's messages (keys 1–9)">
        <span class="group-label">nodes</span>
        ${store.model.nodes.map((n) => `<button class="chip node-chip" data-node="${n}" aria-pressed="true">${n}</button>`).join('')}
      </div>
      <div class="group right">
        <button id="fit" title="show the whole run (0)">fit</button>
        <button id="help-button" title="keyboard shortcuts (?)">?</button>
      </div>`;
    root.querySelector('#play')?.addEventListener('click', () => nav.toggle());
    const speed = root.querySelector('#speed') as HTMLSelectElement;
    speed.addEventListener('change', () => {
      store.speed = Number(speed.value);
      store.notify('play');
    });
    root.querySelectorAll<HTMLButtonElement>('button[data-jump]').forEach((b) =>
      b.addEventListener('click', () => {
        const [kind, dir] = (b.dataset.jump ?? '').split(':');
        nav.jump(kind as 'leader' | 'fault' | 'violation', dir === 'prev' ? -1 : 1);
      }),
    );
    root.querySelectorAll<HTMLButtonElement>('button[data-family]').forEach((b) =>
      b.addEventListener('click', () => {
        const family = families.find((f) => f.name === b.dataset.family);
        if (family) setFamilyHidden(store, family, !store.hiddenTypes.has(family.types[0]));
      }),
    );
    root.querySelectorAll<HTMLButtonElement>('button[data-node]').forEach((b) => b.addEventListener('click', () => toggleNode(store, Number(b.dataset.node))));
    root.querySelector('#fit')?.addEventListener('click', () => timeline.zoomTo(store.model.start, store.model.end));
    root.querySelector('#help-button')?.addEventListener('click', () => this.onHelp());
    store.subscribe((changes) => {
      if (changes.has('play') || changes.has('filters')) this.sync();
    });
    this.sync();
  }

  private sync(): void {
    const { root, store } = this;
    const play = root.querySelector('#play') as HTMLButtonElement;
    play.textContent = store.playing ? '❚❚ pause' : '▶ play';
    (root.querySelector('#speed') as HTMLSelectElement).value = String(store.speed);
    root.querySelectorAll<HTMLButtonElement>('button[data-family]').forEach((b) => {
      const family = this.families.find((f) => f.name === b.dataset.family);
      const shown = family !== undefined && !store.hiddenTypes.has(family.types[0]);
      b.setAttribute('aria-pressed', String(shown));
    });
    root.querySelectorAll<HTMLButtonElement>('button[data-node]').forEach((b) => b.setAttribute('aria-pressed', String(!store.hiddenNodes.has(Number(b.dataset.node)))));
  }
}

function jump(kind: string, label: string, key: string): string {
  return `<span class="jump"><button data-jump="${kind}:prev" title="previous ${label} (shift+${key})">◀</button><span class="jump-label">${label}</span><button data-jump="${kind}:next" title="next ${label} (${key})">▶</button></span>`;
}
