import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModel } from '../../viz/prepare.js';
import { StateIndex } from '../../viz/state.js';
import type { ViewerTrace } from '../../viz/types.js';
import { clickMessage, flush, Pages, ROOT, zoom } from './browser-helpers.js';
import { failing, realTrace, withFabricatedOps, withoutClients } from './fixtures.js';

/**
 * The viewer in a real browser: headless Chromium opens the generated page from
 * disk. Never skipped: without Chromium these fail and say how to get it.
 */

const pages = new Pages();
const open = (name: string) => pages.open(name);
let plain: ViewerTrace;
let withOps: ViewerTrace;
let failed: ViewerTrace;

beforeAll(async () => {
  plain = withoutClients(realTrace('happy', 1, 2000));
  withOps = withFabricatedOps(plain);
  failed = failing(plain, 1234, 'election-safety', 'two leaders in term 1: nodes 1 and 2');
  await pages.start();
  pages.write('ops', withOps);
  pages.write('failed', failed);
  pages.write('real', realTrace('partition-leader', 1, 3000));
}, 60_000);

afterAll(async () => {
  await pages.stop();
});

describe('the viewer page', () => {
  it('draws a lane per node and per client, and every operation', async () => {
    const page = await open('ops');
    expect(await page.locator('g.lane').count()).toBe(3);
    expect(await page.locator('g.client-lane').count()).toBe(3);
    await page.keyboard.press('0');
    await page.evaluate(() => window.raftsimViewer?.flush());
    expect(await page.locator('rect.op').count()).toBe(7);
    expect(await page.locator('rect.op[data-status="fail"]').count()).toBe(1);
    // The counterexample: one op that cannot be placed, two linearization points.
    expect(await page.locator('rect.op.impossible').count()).toBe(1);
    expect(await page.locator('circle.lin-point').count()).toBe(2);
    await page.evaluate(() => {
      window.raftsimViewer?.zoomTo(120, 200);
      window.raftsimViewer?.flush();
    });
    expect(await page.locator('text.op-label', { hasText: 'get k1 → 5' }).count()).toBe(1);
    const header = await page.locator('header').innerText();
    expect(header).toContain('happy');
    expect(header).toContain('seed 1');
    // Shortened, the scenario is no longer the built-in one: it reruns from its JSON.
    expect(header).toContain('raftsim run happy.json --seed 1');
    expect(header).toMatch(/not-linearizable/i);
    await page.close();
  });

  it('shows all of a message’s fields when it is clicked', async () => {
    const page = await open('ops');
    const vote = firstVote();
    await zoom(page, vote.t - 4, vote.end + 4);
    const details = await clickMessage(page, vote.id);
    expect(details).toContain('vote (RequestVote)');
    expect(details).toContain(`node ${vote.from} →`);
    expect(details).toMatch(/lastIndex\s+\d+/);
    expect(details).toMatch(/delivered\s+[\d.]+ ms/);
    await page.close();
  });

  it('filters messages by type and by node from the toolbar', async () => {
    const page = await open('ops');
    const vote = firstVote();
    await zoom(page, vote.t - 4, vote.end + 4);
    const drawn = () => page.evaluate(() => window.raftsimViewer?.timeline.messages.drawn ?? -1);
    const all = await drawn();
    // Votes off: fewer messages drawn, and the vote can no longer be picked.
    const votes = page.locator('#toolbar button[data-family="vote"]');
    await votes.click();
    await flush(page);
    expect(await votes.getAttribute('aria-pressed')).toBe('false');
    expect(await drawn()).toBeLessThan(all);
    expect(await clickMessage(page, vote.id)).not.toContain('RequestVote');
    await votes.click();
    await flush(page);
    expect(await clickMessage(page, vote.id)).toContain('RequestVote');
    // The sender's messages off: its lane dims, the vote goes, so does everything it sent.
    const node = page.locator(`#toolbar button[data-node="${vote.from}"]`);
    await node.click();
    await flush(page);
    expect(await node.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator(`g.lane[data-node="${vote.from}"]`).getAttribute('class')).toContain('dimmed');
    expect(await drawn()).toBeLessThan(all);
    await page.keyboard.press('Escape');
    expect(await clickMessage(page, vote.id)).not.toContain('RequestVote');
    // Key 1–9 does the same as the chip.
    await page.keyboard.press(String(vote.from));
    await flush(page);
    expect(await node.getAttribute('aria-pressed')).toBe('true');
    expect(await drawn()).toBe(all);
    await page.close();
  });

  it('hides heartbeats by default only when they are dense', async () => {
    // The whole 3-second five-node run: thousands of heartbeats on 1,300 pixels.
    const dense = await open('real');
    expect(await dense.locator('#toolbar button[data-family="heartbeat"]').getAttribute('aria-pressed')).toBe('false');
    expect(await dense.locator('#status').innerText()).toContain('heartbeats hidden');
    await dense.close();
    // A failing run opens on half a second around its violation: few enough to show.
    const sparse = await open('failed');
    expect(await sparse.locator('#toolbar button[data-family="heartbeat"]').getAttribute('aria-pressed')).toBe('true');
    expect(await sparse.locator('#status').innerText()).not.toContain('heartbeats hidden');
    await sparse.close();
  });

  it('shows each node’s state at the cursor, as a replay computes it', async () => {
    const page = await open('ops');
    const box = (await page.locator('#timeline svg.front').boundingBox())!;
    // Drag along the ruler: the cursor follows.
    await page.mouse.move(box.x + box.width * 0.3, box.y + 10);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.55, box.y + 10, { steps: 5 });
    await page.mouse.up();
    const cursor = await page.evaluate(() => {
      window.raftsimViewer?.flush();
      return window.raftsimViewer?.store.cursor ?? -1;
    });
    const model = prepareModel(withOps);
    expect(cursor).toBeGreaterThan(model.end * 0.2);
    const expected = new StateIndex(model.events, model.nodes).at(cursor);
    expect(expected.nodes.some((n) => n.log.length > 0)).toBe(true);
    for (const n of expected.nodes) {
      const row = page.locator(`.state-table tr[data-node="${n.id}"]`);
      expect(await row.locator('.role').innerText()).toBe(n.role);
      expect(Number(await row.locator('.term').innerText())).toBe(n.term);
      expect(Number(await row.locator('.commit').innerText())).toBe(n.commit);
      expect(Number(await row.locator('.last').innerText())).toBe(n.log.length);
    }
    const leader = expected.nodes.find((n) => n.role === 'leader');
    if (leader) expect(await page.locator(`.progress-table[data-leader="${leader.id}"] tr[data-peer]`).count()).toBe(model.nodes.length - 1);
    await page.close();
  });

  it('opens a failing run at its first violation, marked with its message', async () => {
    const page = await open('failed');
    expect(await page.evaluate(() => window.raftsimViewer?.store.cursor)).toBe(1234);
    const flag = page.locator('g.violation');
    expect(await flag.count()).toBe(1);
    expect(await flag.locator('text').textContent()).toContain('election-safety');
    expect(await page.locator('header').innerText()).toContain('FAILED');
    expect(await page.locator('#details').innerText()).toContain('two leaders in term 1: nodes 1 and 2');
    // The flag's line is on screen.
    const line = (await flag.locator('line').boundingBox())!;
    const plot = (await page.locator('#timeline').boundingBox())!;
    expect(line.x).toBeGreaterThan(plot.x);
    expect(line.x).toBeLessThan(plot.x + plot.width);
    await page.close();
  });

  it('tells the run beside the picture: the line the cursor reached is marked, a click on one goes there', async () => {
    const page = await open('failed');
    expect(await page.locator('#story li').count()).toBeGreaterThan(2);
    // The failing run opens at its violation, and so does its story.
    const violation = page.locator('#story li', { hasText: '✗ election-safety: two leaders in term 1' });
    expect(await violation.getAttribute('data-t')).toBe('1234');
    expect(await page.locator('#story li.now').getAttribute('data-t')).toBe('1234');
    const leader = page.locator('#story li', { hasText: 'is leader of term' }).first();
    const t = Number(await leader.getAttribute('data-t'));
    await leader.click();
    expect(await page.evaluate(() => window.raftsimViewer?.store.cursor)).toBe(t);
    await page.evaluate(() => window.raftsimViewer?.flush());
    expect(Number(await page.locator('#story li.now').getAttribute('data-t'))).toBe(t);
    await page.close();
  });

  it('answers the keyboard: help, heartbeats, jumps', async () => {
    const page = await open('failed');
    await page.keyboard.press('?');
    expect(await page.locator('#help-overlay').isVisible()).toBe(true);
    expect(await page.locator('#help-overlay').innerText()).toContain('next / previous leader change');
    await page.keyboard.press('Escape');
    expect(await page.locator('#help-overlay').isVisible()).toBe(false);
    const chip = page.locator('button[data-family="heartbeat"]');
    const before = await chip.getAttribute('aria-pressed');
    await page.keyboard.press('h');
    await page.evaluate(() => window.raftsimViewer?.flush());
    expect(await chip.getAttribute('aria-pressed')).not.toBe(before);
    await page.keyboard.press('Shift+L');
    const leaderAt = await page.evaluate(() => window.raftsimViewer?.store.cursor);
    const firstLeader = failed.events.find((e) => e.k === 'state' && e.role === 'leader');
    expect(leaderAt).toBe(firstLeader?.t);
    // Space plays at the chosen speed (100 virtual ms a second) and pauses again.
    await page.keyboard.press('Space');
    await page.waitForTimeout(300);
    await page.keyboard.press('Space');
    const playedTo = (await page.evaluate(() => window.raftsimViewer?.store.cursor)) ?? 0;
    expect(playedTo - (leaderAt ?? 0)).toBeGreaterThan(10);
    expect(playedTo - (leaderAt ?? 0)).toBeLessThan(200);
    // The button's label follows on the next frame; wait for it rather than race it.
    await page.evaluate(() => window.raftsimViewer?.flush());
    await expect.poll(() => page.locator('#play').innerText(), { timeout: 5000 }).toContain('play');
    await page.close();
  });

  it('loads a real run with client traffic and saves the README screenshot', async () => {
    const page = await open('real');
    const loadMs = await page.evaluate(() => window.raftsimViewer?.loadMs ?? -1);
    expect(loadMs).toBeGreaterThan(0);
    expect(await page.locator('g.client-lane').count()).toBeGreaterThan(0);
    // The leader is isolated at 2000 ms; zoom onto the election that follows.
    await page.evaluate(() => {
      const v = window.raftsimViewer;
      if (!v) return;
      const model = v.store.model;
      const cut = model.partitions[0]?.start ?? 0;
      const elected = model.markers.find((m) => m.kind === 'leader' && m.t > cut)?.t ?? cut + 100;
      v.store.hiddenTypes.clear();
      v.store.notify('filters');
      v.zoomTo(elected - 22, elected + 33);
      v.setCursor(elected - 1.5);
      const m = model.messages;
      for (let r = 0; r < m.count; r++) {
        if (m.sendT[r] >= cut && m.types[m.type[r]] === 'vote') {
          v.store.select({ kind: 'message', row: r });
          break;
        }
      }
      v.flush();
    });
    expect(await page.locator('#details').innerText()).toContain('RequestVote');
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(ROOT, 'viz', 'screenshot.png') });
    await page.close();
  });
});

/** The first vote of the fabricated-ops trace, with its delivery time. */
function firstVote(): { id: number; from: number; t: number; end: number } {
  const vote = withOps.events.find((e) => e.k === 'send' && e.type === 'vote');
  if (!vote || vote.k !== 'send') throw new Error('no vote in the trace');
  const done = withOps.events.find((e) => e.k === 'deliver' && e.id === vote.id);
  return { id: vote.id, from: vote.from, t: vote.t, end: done?.t ?? vote.t };
}
