import type { Selection } from 'd3';
import { memberStatus } from '../raft.js';
import { CRASHED_COLOR, JOINT_COLOR, MEMBER_COLOR, PAUSED_COLOR, PRE_CANDIDATE_STROKE, ROLE_COLOR, ROLE_TEXT } from './colors.js';
import { clampX, drawLaneNotes, drawPartitionTints, drawStrip, fits } from './faults-layer.js';
import { drawConfigRow, drawMembers, memberBadge } from './raft-layer.js';
import type { Geometry } from './geometry.js';
import type { TimeScale } from './messages-layer.js';
import type { Store } from './store.js';

type G = Selection<SVGGElement, unknown, null, undefined>;

/**
 * The layer under the messages: lane backgrounds and labels, partitions, role
 * bands, crashed and paused stretches, and the fault strip. SVG: there are at most
 * a few hundred of these on screen.
 */
export class LanesLayer {
  private readonly lanes: G;
  private readonly tints: G;
  private readonly bands: G;
  private readonly downs: G;
  private readonly notes: G;
  private readonly strip: G;
  private readonly members: G;
  private readonly config: G;

  constructor(
    private readonly root: G,
    private readonly store: Store,
  ) {
    const defs = root.append('defs');
    const pattern = defs.append('pattern').attr('id', 'hatch-paused').attr('width', 6).attr('height', 6).attr('patternUnits', 'userSpaceOnUse').attr('patternTransform', 'rotate(45)');
    pattern.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#eef1f4');
    pattern.append('rect').attr('width', 2.5).attr('height', 6).attr('fill', PAUSED_COLOR);
    const flaky = defs.append('pattern').attr('id', 'hatch-flaky').attr('width', 6).attr('height', 6).attr('patternUnits', 'userSpaceOnUse').attr('patternTransform', 'rotate(-45)');
    flaky.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#fff4dc');
    flaky.append('rect').attr('width', 2).attr('height', 6).attr('fill', '#f4b455');
    const joint = defs.append('pattern').attr('id', 'hatch-joint').attr('width', 6).attr('height', 6).attr('patternUnits', 'userSpaceOnUse').attr('patternTransform', 'rotate(45)');
    joint.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#fff3df');
    joint.append('rect').attr('width', 2).attr('height', 6).attr('fill', '#f3d3a0');
    defs.append('clipPath').attr('id', 'plot-clip').append('rect');
    this.lanes = root.append('g').attr('class', 'lanes');
    const plot = root.append('g').attr('clip-path', 'url(#plot-clip)');
    this.tints = plot.append('g').attr('class', 'partitions');
    this.bands = plot.append('g').attr('class', 'bands');
    this.downs = plot.append('g').attr('class', 'downs');
    // Above the bands: an outside node's veil must fade its band.
    this.members = plot.append('g').attr('class', 'members');
    this.notes = plot.append('g').attr('class', 'notes');
    this.strip = plot.append('g').attr('class', 'strip');
    this.config = plot.append('g').attr('class', 'config');
  }

  /** Lane backgrounds and labels change only with the size. */
  layoutLanes(g: Geometry): void {
    const model = this.store.model;
    this.root.select('#plot-clip rect').attr('x', g.plotLeft).attr('y', 0).attr('width', g.plotWidth).attr('height', g.height);
    this.lanes.selectAll('*').remove();
    const lane = this.lanes
      .selectAll<SVGGElement, number>('g.lane')
      .data(model.nodes)
      .join('g')
      .attr('class', 'lane')
      .attr('data-node', (n) => n);
    lane
      .append('rect')
      .attr('class', 'lane-bg')
      .attr('x', 0)
      .attr('y', (n) => g.nodeY(n) - g.laneHeight / 2)
      .attr('width', g.plotLeft + g.plotWidth)
      .attr('height', g.laneHeight)
      .attr('fill', (_n, i) => (i % 2 === 0 ? '#fbfcfd' : '#f4f6f9'));
    lane
      .append('line')
      .attr('x1', g.plotLeft)
      .attr('x2', g.plotLeft + g.plotWidth)
      .attr('y1', (n) => g.nodeY(n))
      .attr('y2', (n) => g.nodeY(n))
      .attr('stroke', '#e3e8ee');
    lane
      .append('text')
      .attr('class', 'lane-label')
      .attr('x', 10)
      .attr('y', (n) => g.nodeY(n) + 4)
      .text((n) => `node ${n}`);
    if (model.membershipInPlay) {
      lane
        .append('text')
        .attr('class', 'member-badge')
        .attr('x', 10)
        .attr('y', (n) => g.nodeY(n) + 17);
      this.lanes.append('text').attr('class', 'lane-label small').attr('x', 10).attr('y', g.configTop + g.configHeight / 2 + 4).text('config');
    }
    if (model.clients.length > 0) {
      this.lanes
        .append('text')
        .attr('class', 'section-label')
        .attr('x', 10)
        .attr('y', g.clientsTop - 7)
        .text('client operations');
      this.lanes
        .selectAll<SVGGElement, number>('g.client-lane')
        .data(model.clients)
        .join('g')
        .attr('class', 'client-lane')
        .attr('data-client', (c) => c)
        .call((sel) =>
          sel
            .append('rect')
            .attr('x', 0)
            .attr('y', (c) => g.clientY(c) - g.clientHeight / 2)
            .attr('width', g.plotLeft + g.plotWidth)
            .attr('height', g.clientHeight)
            .attr('fill', (_c, i) => (i % 2 === 0 ? '#fbfcfd' : '#f4f6f9')),
        )
        .call((sel) =>
          sel
            .append('text')
            .attr('class', 'lane-label small')
            .attr('x', 10)
            .attr('y', (c) => g.clientY(c) + 4)
            .text((c) => `client ${c}`),
        );
    }
    this.lanes
      .append('rect')
      .attr('class', 'strip-bg')
      .attr('x', g.plotLeft)
      .attr('y', g.stripTop)
      .attr('width', g.plotWidth)
      .attr('height', g.stripHeight)
      .attr('fill', '#f7f8fa');
    this.lanes.append('text').attr('class', 'lane-label small').attr('x', 10).attr('y', g.stripTop + 15).text('faults');
  }

  draw(x: TimeScale, g: Geometry): void {
    const { model, domain, hiddenNodes } = this.store;
    const [t0, t1] = domain;
    this.lanes.selectAll<SVGGElement, number>('g.lane').classed('dimmed', (n) => hiddenNodes.has(n));
    drawPartitionTints(this.tints, model, x, g, t0, t1);
    const bh = g.bandHeight;
    this.bands
      .selectAll<SVGGElement, number>('g.band')
      .data(
        model.bands.flatMap((b, i) => (b.end >= t0 && b.start <= t1 ? [i] : [])),
        (i) => i,
      )
      .join((enter) => {
        const e = enter.append('g').attr('class', 'band');
        e.append('rect').attr('rx', 3);
        e.append('text');
        return e;
      })
      .each(function (i) {
        const b = model.bands[i];
        const x1 = clampX(g, x(b.start));
        const x2 = clampX(g, x(b.end));
        const y = g.nodeY(b.node) - bh / 2;
        const sel = (this as SVGGElement).querySelector('rect') as SVGRectElement;
        sel.setAttribute('x', String(x1));
        sel.setAttribute('y', String(y));
        sel.setAttribute('width', String(Math.max(1, x2 - x1 - 1)));
        sel.setAttribute('height', String(bh));
        sel.setAttribute('fill', ROLE_COLOR[b.role]);
        sel.setAttribute('data-role', b.role);
        // Pale yellow alone is too close to a candidate's: a dashed outline says "not yet a candidate".
        sel.setAttribute('stroke', b.role === 'preCandidate' ? PRE_CANDIDATE_STROKE : 'none');
        sel.setAttribute('stroke-dasharray', b.role === 'preCandidate' ? '4 2' : '');
        const text = (this as SVGGElement).querySelector('text') as SVGTextElement;
        const role = b.role === 'preCandidate' ? 'pre-candidate' : b.role;
        const label = b.role === 'follower' ? `term ${b.term}` : `${role} · term ${b.term}`;
        const short = `T${b.term}`;
        const left = Math.max(x1, g.plotLeft);
        const room = Math.min(x2, g.plotLeft + g.plotWidth) - left;
        text.textContent = fits(label, room) ? label : fits(short, room) ? short : '';
        text.setAttribute('x', String(left + 5));
        text.setAttribute('y', String(y + bh / 2 + 4));
        text.setAttribute('fill', ROLE_TEXT[b.role]);
      });
    this.downs
      .selectAll<SVGGElement, number>('g.down')
      .data(
        model.downs.flatMap((d, i) => (d.end >= t0 && d.start <= t1 ? [i] : [])),
        (i) => i,
      )
      .join((enter) => {
        const e = enter.append('g').attr('class', 'down');
        e.append('rect').attr('rx', 2);
        e.append('text');
        return e;
      })
      .each(function (i) {
        const d = model.downs[i];
        const x1 = clampX(g, x(d.start));
        const x2 = clampX(g, x(d.end));
        const crashed = d.kind === 'crashed';
        const h = crashed ? bh + 8 : bh + 4;
        const y = g.nodeY(d.node) - h / 2;
        const rect = (this as SVGGElement).querySelector('rect') as SVGRectElement;
        rect.setAttribute('x', String(x1));
        rect.setAttribute('y', String(y));
        rect.setAttribute('width', String(Math.max(2, x2 - x1)));
        rect.setAttribute('height', String(h));
        rect.setAttribute('fill', crashed ? CRASHED_COLOR : 'url(#hatch-paused)');
        rect.setAttribute('opacity', crashed ? '0.92' : '0.85');
        const text = (this as SVGGElement).querySelector('text') as SVGTextElement;
        const left = Math.max(x1, g.plotLeft);
        // A crash says what became of its unsynced writes (lost, kept, torn) when there is room;
        // a killed process lost none, and its note says only that.
        const killed = crashed && d.note === 'killed';
        const label = killed ? '✖ killed' : crashed ? '✖ crashed' : '❚❚ paused';
        const long = crashed && d.note && !killed ? `${label} · ${d.note}` : label;
        const room = Math.min(x2, g.plotLeft + g.plotWidth) - left;
        text.textContent = fits(long, room) ? long : fits(label, room) ? label : '';
        text.setAttribute('x', String(left + 5));
        text.setAttribute('y', String(y + h / 2 + 4));
        text.setAttribute('class', crashed ? 'down-label crashed' : 'down-label paused');
      });
    drawMembers(this.members, model, x, g, t0, t1);
    drawLaneNotes(this.notes, model, x, g, t0, t1);
    drawStrip(this.strip, model, x, g, t0, t1);
    drawConfigRow(this.config, model, x, g, t0, t1);
  }

  /** The gutter badge under each lane's name: its membership at the cursor (only when membership is in play). */
  drawBadges(cursor: number): void {
    const { model } = this.store;
    if (!model.membershipInPlay) return;
    const span = model.confs.find((c) => c.start <= cursor && cursor < c.end) ?? model.confs[model.confs.length - 1];
    this.lanes.selectAll<SVGTextElement, number>('text.member-badge').each(function (n) {
      const status = memberStatus(span.conf, n);
      this.textContent = memberBadge(status, span.joint);
      this.setAttribute('fill', status === 'voter' ? (span.joint ? JOINT_COLOR : MEMBER_COLOR.voter) : MEMBER_COLOR[status]);
      this.setAttribute('data-status', status);
    });
  }
}
