import { pointer, scaleLinear, select, zoom, zoomIdentity, type ScaleLinear, type ZoomBehavior, type ZoomTransform } from 'd3';
import { describe } from './describe.js';
import { escapeHtml } from './format.js';
import { FrontLayer } from './front-layer.js';
import { layout, type Geometry } from './geometry.js';
import { hitTest } from './hit.js';
import { LanesLayer } from './lanes-layer.js';
import { MessagesLayer, segment } from './messages-layer.js';
import type { Change, Store } from './store.js';

/** The shortest view the zoom allows, in virtual ms: a message takes at least a millisecond. */
const MIN_SPAN = 2;
/** Above this many op bars on screen they go on the canvas instead of SVG. */
const DENSE_OPS = 1500;

/**
 * The timeline: lanes, bands and ops in SVG, messages on a canvas in between, and
 * one transparent SVG on top that owns zoom, pan, scrubbing, hover and click.
 */
export class Timeline {
  private g!: Geometry;
  private x0 = scaleLinear();
  x: ScaleLinear<number, number> = scaleLinear();
  private transform: ZoomTransform = zoomIdentity;
  private readonly zoom: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly front: FrontLayer;
  private readonly lanes: LanesLayer;
  readonly messages: MessagesLayer;
  private readonly frontSvg;
  private readonly backSvg;
  private readonly tooltip: HTMLDivElement;
  private scrubbing = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly store: Store,
  ) {
    this.backSvg = select(container).append('svg').attr('class', 'layer back');
    const canvas = select(container).append('canvas').attr('class', 'layer messages').node() as HTMLCanvasElement;
    this.frontSvg = select(container).append('svg').attr('class', 'layer front');
    this.tooltip = select(container).append('div').attr('class', 'tooltip').style('display', 'none').node() as HTMLDivElement;
    this.lanes = new LanesLayer(this.backSvg.append('g'), store);
    this.messages = new MessagesLayer(canvas, store);
    this.front = new FrontLayer(this.frontSvg.append('g'), store);
    this.frontSvg.append('rect').attr('class', 'event-catcher');
    this.zoom = zoom<SVGSVGElement, unknown>()
      .filter((event: Event) => {
        const e = event as MouseEvent;
        if (event.type === 'wheel') return true;
        if (e.button) return false;
        // The ruler and the cursor line scrub instead of panning.
        return !this.onRuler(e) && !this.nearCursor(e);
      })
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.applyTransform();
      });
    this.frontSvg.call(this.zoom).on('dblclick.zoom', null);
    this.wirePointer();
    this.resize();
    new ResizeObserver(() => this.resize()).observe(container);
    store.subscribe((changes) => this.render(changes));
  }

  get geometry(): Geometry {
    return this.g;
  }

  private resize(): void {
    const width = Math.max(300, this.container.clientWidth);
    const height = Math.max(200, this.container.clientHeight);
    if (this.g && this.g.width === width && this.g.height === height) return;
    const [t0, t1] = this.store.domain;
    this.g = layout(this.store.model, width, height);
    const g = this.g;
    for (const svg of [this.backSvg, this.frontSvg]) svg.attr('width', g.width).attr('height', g.height);
    this.frontSvg.select('rect.event-catcher').attr('width', g.width).attr('height', g.height);
    this.messages.resize(g);
    this.lanes.layoutLanes(g);
    this.front.layout(g);
    const { start, end } = this.store.model;
    this.x0 = scaleLinear().domain([start, end]).range([g.plotLeft, g.plotLeft + g.plotWidth]);
    const extent: [[number, number], [number, number]] = [
      [g.plotLeft, 0],
      [g.plotLeft + g.plotWidth, g.height],
    ];
    this.zoom.extent(extent).translateExtent(extent).scaleExtent([1, Math.max(1, (end - start) / MIN_SPAN)]);
    this.zoomTo(t0, t1);
    this.render(new Set(['view']));
  }

  /** Shows the window [t0, t1] of virtual time. */
  zoomTo(t0: number, t1: number): void {
    const { start, end } = this.store.model;
    const span = Math.max(MIN_SPAN, Math.min(end - start, t1 - t0));
    const from = Math.max(start, Math.min(end - span, t0));
    const k = (end - start) / span;
    const transform = zoomIdentity.translate(this.g.plotLeft - k * this.x0(from), 0).scale(k);
    this.frontSvg.call(this.zoom.transform, transform);
  }

  /** Zooms by a factor, keeping time `t` where it is on screen. */
  zoomBy(factor: number, t: number): void {
    const [t0, t1] = this.store.domain;
    const span = (t1 - t0) / factor;
    const ratio = (t - t0) / (t1 - t0);
    this.zoomTo(t - ratio * span, t - ratio * span + span);
  }

  /** Pans so `t` is on screen (with a margin), leaving the zoom alone. */
  reveal(t: number, where = 0.3): void {
    const [t0, t1] = this.store.domain;
    const span = t1 - t0;
    if (t >= t0 + span * 0.02 && t <= t1 - span * 0.02) return;
    this.zoomTo(t - span * where, t - span * where + span);
  }

  private applyTransform(): void {
    this.x = this.transform.rescaleX(this.x0);
    const [t0, t1] = this.x.domain();
    this.store.domain = [t0, t1];
    this.store.notify('view');
  }

  render(changes: ReadonlySet<Change>): void {
    const g = this.g;
    const full = changes.has('view') || changes.has('filters');
    let svgOps: readonly number[] = [];
    if (full) {
      this.lanes.draw(this.x, g);
      this.messages.clear(g);
      const [t0, t1] = this.store.domain;
      const ops = this.store.model.ops;
      const rows: number[] = [];
      for (let i = 0; i < ops.length; i++) if (ops[i].end >= t0 && ops[i].start <= t1) rows.push(i);
      this.messages.draw(this.x, g);
      // Thousands of op bars are too many SVG nodes to pan smoothly: paint them instead.
      if (rows.length > DENSE_OPS) this.messages.drawOps(this.x, g, rows);
      else svgOps = rows;
    }
    if (full || changes.has('cursor')) this.lanes.drawBadges(this.store.cursor);
    this.front.draw(this.x, g, full, svgOps);
  }

  private onRuler(e: MouseEvent): boolean {
    const [, py] = pointer(e, this.frontSvg.node());
    return py < this.g.rulerTop + this.g.rulerHeight;
  }

  private nearCursor(e: MouseEvent): boolean {
    const [px] = pointer(e, this.frontSvg.node());
    return Math.abs(px - this.x(this.store.cursor)) < 4;
  }

  private wirePointer(): void {
    const svg = this.frontSvg;
    const node = svg.node() as SVGSVGElement;
    const timeAt = (e: MouseEvent) => this.x.invert(Math.max(this.g.plotLeft, Math.min(this.g.plotLeft + this.g.plotWidth, pointer(e, node)[0])));
    svg.on('pointerdown.scrub', (e: PointerEvent) => {
      if (e.button !== 0 || (!this.onRuler(e) && !this.nearCursor(e))) return;
      this.scrubbing = true;
      node.setPointerCapture(e.pointerId);
      this.store.setCursor(timeAt(e));
    });
    svg.on('pointermove.scrub', (e: PointerEvent) => {
      if (this.scrubbing) this.store.setCursor(timeAt(e));
    });
    svg.on('pointerup.scrub pointercancel.scrub', () => {
      this.scrubbing = false;
    });
    svg.on('mousemove.hover', (e: MouseEvent) => {
      const [px, py] = pointer(e, node);
      node.style.cursor = this.onRuler(e) || this.nearCursor(e) ? 'ew-resize' : '';
      if (this.scrubbing || e.buttons) return this.hideTooltip();
      const item = hitTest(this.store, this.x, this.g, px, py);
      this.store.setHover(item);
      if (!item) return this.hideTooltip();
      const d = describe(this.store.model, item);
      this.tooltip.innerHTML =
        `<div class="tt-title">${escapeHtml(d.title)}</div>` +
        d.rows
          .slice(0, 7)
          .map(([k, v]) => `<div><span class="k">${escapeHtml(k)}</span> ${escapeHtml(v)}</div>`)
          .join('') +
        '<div class="tt-hint">click for all fields</div>';
      this.tooltip.style.display = 'block';
      const w = this.tooltip.offsetWidth;
      this.tooltip.style.left = `${px + 14 + w > this.g.width ? px - w - 10 : px + 14}px`;
      this.tooltip.style.top = `${Math.min(py + 12, this.g.height - this.tooltip.offsetHeight - 4)}px`;
    });
    svg.on('mouseleave.hover', () => {
      this.store.setHover(null);
      this.hideTooltip();
    });
    svg.on('click.select', (e: MouseEvent) => {
      const [px, py] = pointer(e, node);
      if (py < this.g.rulerTop + this.g.rulerHeight) return;
      const item = hitTest(this.store, this.x, this.g, px, py);
      this.store.select(item);
      if (px >= this.g.plotLeft) this.store.setCursor(timeAt(e));
    });
  }

  private hideTooltip(): void {
    this.tooltip.style.display = 'none';
  }

  /** Page coordinates of a message's midpoint, or null when it is off screen; for tests. */
  messagePoint(id: number): { x: number; y: number } | null {
    const m = this.store.model.messages;
    let row = -1;
    for (let r = 0; r < m.count; r++) if (m.id[r] === id) row = r;
    if (row < 0) return null;
    const [x1, y1, x2, y2] = segment(m, row, this.x, this.g);
    const px = (x1 + x2) / 2;
    if (px < this.g.plotLeft || px > this.g.plotLeft + this.g.plotWidth) return null;
    const box = (this.frontSvg.node() as SVGSVGElement).getBoundingClientRect();
    return { x: box.left + px, y: box.top + (y1 + y2) / 2 };
  }
}
