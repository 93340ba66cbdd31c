import { describe } from './describe.js';
import { escapeHtml } from './format.js';
import type { Store } from './store.js';

/** The clicked item with every field and the raw trace events behind it. */
export class DetailsPanel {
  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
  ) {
    store.subscribe((changes) => {
      if (changes.has('selection')) this.render();
    });
    root.addEventListener('click', (e) => {
      const target = e.target as HTMLElement;
      if (target.dataset.action === 'goto' && target.dataset.t) store.setCursor(Number(target.dataset.t));
      if (target.dataset.action === 'close') store.select(null);
    });
    this.render();
  }

  render(): void {
    const item = this.store.selection;
    if (!item) {
      this.root.innerHTML = `<h2>Details</h2><div class="muted">Click a message, a role band, an operation, a fault, a snapshot or step-down mark, a transfer or a configuration for all its fields. Hover for a summary.</div>`;
      return;
    }
    const d = describe(this.store.model, item);
    const rows = d.rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
    const raw = d.events.map((e) => escapeHtml(JSON.stringify(e))).join('\n');
    this.root.innerHTML = `
      <h2><span class="details-title">${escapeHtml(d.title)}</span>
        <button class="link" data-action="goto" data-t="${d.t}" title="move the cursor here">go to</button>
        <button class="link" data-action="close" title="clear (Esc)">✕</button></h2>
      <table class="details-table" data-kind="${item.kind}">${rows}</table>
      <details><summary>trace events</summary><pre class="raw">${raw}</pre></details>`;
  }
}
