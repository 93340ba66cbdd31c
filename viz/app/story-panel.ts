import { tellStory, type StoryLine } from '../../sim/story.js';
import { upperBound } from '../prepare.js';
import { escapeHtml, formatTime } from './format.js';
import type { Navigator } from './nav.js';
import type { Store } from './store.js';

/**
 * The run told in lines (`raftsim story`), beside the picture: the line the cursor has
 * reached is marked, and a click on a line moves the cursor to it. A reader can follow the
 * plot and see each step of it drawn.
 */
export class StoryPanel {
  private readonly lines: readonly StoryLine[];
  private current = -2;

  constructor(
    private readonly root: HTMLElement,
    private readonly store: Store,
    nav: Navigator,
  ) {
    this.lines = tellStory(store.model.events);
    const items = this.lines
      .map((line, i) => `<li data-i="${i}" data-t="${line.t}" class="story-${line.kind}"><span class="story-t">${formatTime(line.t, 0)}</span> ${escapeHtml(line.text)}</li>`)
      .join('');
    root.innerHTML = `<details class="story" open><summary><h2>Story <span class="muted">${this.lines.length} lines · click one to go there</span></h2></summary><ol class="story-lines">${items}</ol></details>`;
    root.addEventListener('click', (e) => {
      const item = (e.target as HTMLElement).closest('li[data-t]') as HTMLElement | null;
      if (item) nav.goTo(Number(item.dataset.t));
    });
    store.subscribe((changes) => {
      if (changes.has('cursor')) this.mark();
    });
    this.mark();
  }

  /** Marks the last line at or before the cursor, and keeps it in view. */
  private mark(): void {
    const at = upperBound(this.lines.length, (i) => this.lines[i].t, this.store.cursor) - 1;
    if (at === this.current) return;
    this.root.querySelector('li.now')?.classList.remove('now');
    this.current = at;
    if (at < 0) return;
    const item = this.root.querySelector(`li[data-i="${at}"]`) as HTMLElement | null;
    item?.classList.add('now');
    const list = item?.parentElement;
    if (item && list && (item.offsetTop < list.scrollTop || item.offsetTop > list.scrollTop + list.clientHeight - item.offsetHeight)) {
      list.scrollTop = item.offsetTop - list.clientHeight / 2;
    }
  }
}
