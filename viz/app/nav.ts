import { upperBound } from '../prepare.js';
import type { MarkerKind } from '../types.js';
import type { Store } from './store.js';
import type { Timeline } from './timeline.js';

/** Playback speeds in virtual ms per wall-clock second; 1000 is real time. */
export const SPEEDS = [5, 10, 20, 50, 100, 250, 500, 1000, 2500, 5000];

export function speedLabel(speed: number): string {
  return `${speed / 1000}×`;
}

/** Moving through time: jumps, steps and playback, shared by toolbar and keyboard. */
export class Navigator {
  private last = 0;

  constructor(
    private readonly store: Store,
    private readonly timeline: Timeline,
  ) {}

  /** Moves the cursor to the next (dir 1) or previous (dir -1) marker of a kind; false if none. */
  jump(kind: MarkerKind, dir: 1 | -1): boolean {
    const { markers } = this.store.model;
    const now = this.store.cursor;
    let found = -1;
    if (dir > 0) found = markers.findIndex((m) => m.kind === kind && m.t > now + 1e-6);
    else for (let i = markers.length - 1; i >= 0 && found < 0; i--) if (markers[i].kind === kind && markers[i].t < now - 1e-6) found = i;
    if (found < 0) return false;
    this.goTo(markers[found].t);
    this.store.select({ kind: 'marker', index: found });
    return true;
  }

  /** Steps to the time of the next or previous event. */
  step(dir: 1 | -1): void {
    const events = this.store.model.events;
    const now = this.store.cursor;
    if (dir > 0) {
      const i = upperBound(events.length, (j) => events[j].t, now);
      if (i < events.length) this.goTo(events[i].t);
    } else {
      const i = upperBound(events.length, (j) => events[j].t, now - 1e-6) - 1;
      const target = i >= 0 && events[i].t < now ? events[i].t : this.store.model.start;
      this.goTo(target);
    }
  }

  goTo(t: number): void {
    this.store.setCursor(t);
    this.timeline.reveal(t);
  }

  toggle(): void {
    this.store.playing = !this.store.playing;
    if (this.store.playing) {
      if (this.store.cursor >= this.store.model.end) this.store.setCursor(this.store.model.start);
      this.last = performance.now();
      requestAnimationFrame((now) => this.tick(now));
    }
    this.store.notify('play');
  }

  changeSpeed(dir: 1 | -1): void {
    const i = SPEEDS.indexOf(this.store.speed);
    this.store.speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 4 : i) + dir))];
    this.store.notify('play');
  }

  private tick(now: number): void {
    if (!this.store.playing) return;
    const dt = Math.min(100, now - this.last);
    this.last = now;
    const next = this.store.cursor + (this.store.speed * dt) / 1000;
    this.store.setCursor(next);
    // Keep the playhead on screen: page forward when it reaches the right edge.
    const [t0, t1] = this.store.domain;
    if (next > t1 || next < t0) this.timeline.zoomTo(next - (t1 - t0) * 0.1, next + (t1 - t0) * 0.9);
    if (next >= this.store.model.end) {
      this.store.playing = false;
      this.store.notify('play');
      return;
    }
    requestAnimationFrame((n) => this.tick(n));
  }
}
