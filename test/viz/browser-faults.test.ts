import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModel } from '../../viz/prepare.js';
import type { Model, ViewerTrace } from '../../viz/types.js';
import { clickMessage, flush, Pages, zoom } from './browser-helpers.js';
import { realTrace, withClogs, withNewFaults } from './fixtures.js';

/**
 * The newer faults as a student sees them: which links a bridge or a one-way cut
 * loses, a drifting clock, a torn write, the long tail, the profile and the bug.
 */

const pages = new Pages();
let trace: ViewerTrace;
let model: Model;
let page: Page;

beforeAll(async () => {
  trace = withNewFaults();
  model = prepareModel(trace);
  await pages.start();
  pages.write('faults', trace);
  page = await pages.open('faults');
}, 60_000);

afterAll(async () => {
  await pages.stop();
});

/** The cut labels on screen, by node. */
async function cutLabels(): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll('text.cut-label')].map((t) => [t.getAttribute('data-node') ?? '?', t.textContent ?? ''])),
  );
}

async function setMessagesShown(shown: boolean): Promise<void> {
  await page.evaluate((show) => {
    const store = window.raftsimViewer!.store;
    for (const type of store.model.messages.types) {
      if (show) store.hiddenTypes.delete(type);
      else store.hiddenTypes.add(type);
    }
    store.notify('filters');
    store.flush();
  }, shown);
}

describe('the newer faults', () => {
  it('names the planted bug and the nemesis profile in the header, and reruns with the bug', async () => {
    expect(await page.locator('#bug').innerText()).toContain('figure-8-commit');
    const profile = await page.locator('#profile').innerText();
    expect(profile).toContain('bridge, one-way, torn-write, clock, delay');
    expect(profile).toContain('a step every ~400 ms');
    expect(profile).toContain('clocks drift up to ×2.5');
    expect(await page.locator('#command').innerText()).toContain('--bug figure-8-commit');
  });

  it('marks each half of a bridge as cut from the other, and leaves the bridge node alone', async () => {
    const bridge = model.partitions.find((p) => p.label.startsWith('bridge'));
    if (!bridge) throw new Error('no bridge in the trace');
    await zoom(page, bridge.start - 50, bridge.end + 50);
    const labels = await cutLabels();
    expect(Object.keys(labels).sort()).toEqual(['1', '2', '4', '5']);
    // Halves [a,b] | [c,d]: a and b read "✂ c,d", c and d read "✂ a,b".
    const halves = bridge.label.match(/\[(\d),(\d)\] \| \[(\d),(\d)\]/);
    if (!halves) throw new Error(`unexpected bridge label ${bridge.label}`);
    const [, a, b, c, d] = halves;
    const pair = (x: string, y: string) => [x, y].sort().join(',');
    expect(labels[a]).toBe(`✂ ${pair(c, d)}`);
    expect(labels[b]).toBe(`✂ ${pair(c, d)}`);
    expect(labels[c]).toBe(`✂ ${pair(a, b)}`);
    expect(await page.locator('g.partitions rect.tint[data-node="3"]').count()).toBe(0);
    expect(await page.locator('g.strip text.partition-label').first().textContent()).toContain('bridge 3');
  });

  it('shows which direction a one-way cut loses', async () => {
    const cut = model.partitions.find((p) => p.label.startsWith('cuts'));
    if (!cut) throw new Error('no one-way cut in the trace');
    await zoom(page, cut.start - 50, cut.end + 50);
    // Node 4 is heard by no one; every other node hears nothing from 4.
    expect(await cutLabels()).toEqual({ 1: '✂ ←4', 2: '✂ ←4', 3: '✂ ←4', 4: '✂ →all', 5: '✂ ←4' });
    // Clicking node 4's tinted lane says it in words (messages hidden, so the click lands on the lane).
    await setMessagesShown(false);
    const box = (await page.locator('#timeline svg.front').boundingBox())!;
    const y = await page.evaluate(() => {
      const g = window.raftsimViewer!.timeline.geometry;
      return g.nodeY(4) - g.laneHeight / 2 + 4;
    });
    await page.mouse.click(box.x + box.width / 2, box.y + y);
    await flush(page);
    expect(await page.locator('#details').innerText()).toContain('its messages to every other node are lost');
    await setMessagesShown(true);
  });

  it('draws a drifting clock on its lane, in the strip and in the state at the cursor', async () => {
    await zoom(page, 0, 1200);
    const clock = page.locator('text.clock-label[data-node="2"]');
    expect(await clock.count()).toBe(1);
    expect(await clock.textContent()).toContain('×2.5');
    expect(await page.locator('text.fault-glyph.clock').first().textContent()).toBe('◷2 ×2.5');
    await page.evaluate(() => window.raftsimViewer?.setCursor(1000));
    await flush(page);
    expect(await page.locator('.state-table tr[data-node="2"] .clock-rate').innerText()).toContain('×2.5');
    expect(await page.locator('.state-table tr[data-node="1"] .clock-rate').count()).toBe(0);
    await page.evaluate(() => window.raftsimViewer?.setCursor(200));
    await flush(page);
    expect(await page.locator('.state-table tr[data-node="2"] .clock-rate').count()).toBe(0);
  });

  it('labels a crash that tore a write, and explains it on click', async () => {
    const crash = model.downs.find((d) => d.kind === 'crashed');
    if (!crash) throw new Error('no crash in the trace');
    await zoom(page, crash.start - 20, crash.end + 20);
    const label = page.locator('text.down-label.crashed');
    expect(await label.textContent()).toBe('✖ crashed · 1 lost · 1 kept · torn');
    const box = (await label.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await flush(page);
    const details = await page.locator('#details').innerText();
    expect(details).toContain('1 reached the disk anyway');
    expect(details).toContain('torn in half');
  });

  it('labels a killed process as killed, not as a crashed machine', async () => {
    pages.write('kill', realTrace('leader-kill', 1, 3000));
    const killPage = await pages.open('kill');
    await zoom(killPage, 1900, 2300);
    expect(await killPage.locator('text.down-label.crashed').first().textContent()).toBe('✖ killed');
    await killPage.close();
  });

  it('labels the long tail and colours a snapshot as its own type', async () => {
    const tail = model.networks.find((n) => n.tailRate > 0);
    if (!tail) throw new Error('no tail phase in the trace');
    await zoom(page, tail.start - 100, tail.end);
    expect(await page.locator('g.strip text.flaky-label').first().textContent()).toContain('20% up to +300 ms');
    const chip = page.locator('#toolbar button[data-family="snap"]');
    expect(await chip.innerText()).toContain('snapshots');
    const swatch = await chip.locator('i').evaluate((i) => getComputedStyle(i).backgroundColor);
    const others = await page.$$eval('#toolbar button[data-family]:not([data-family="snap"]) i', (is) => is.map((i) => getComputedStyle(i).backgroundColor));
    expect(others).not.toContain(swatch);
    await zoom(page, 2140, 2170);
    expect(await clickMessage(page, 9_000_001)).toContain('snap (InstallSnapshot)');
  });
});

describe('clogged links', () => {
  let clogPage: Page;
  let clogModel: Model;

  beforeAll(async () => {
    const clogs = withClogs();
    clogModel = prepareModel(clogs);
    pages.write('clogs', clogs);
    clogPage = await pages.open('clogs');
  }, 60_000);

  it('draws each lane\'s held links over its band, names them in the legend, and explains one on click', async () => {
    await zoom(clogPage, 0, 1500);
    const labels = await clogPage.evaluate(() => [...document.querySelectorAll('text.clog-label')].map((t) => `${t.getAttribute('data-node')} ${t.textContent}`));
    expect(labels.sort()).toEqual(['2 ▥ ←4', '3 ▥ ←4', '4 ▥ →2', '4 ▥ →2,3', '4 ▥ →3']);
    expect(await clogPage.locator('line.clog-line').count()).toBe(5);
    expect(await clogPage.locator('.legend').innerText()).toContain('clogged links (held, none lost)');
    const glyphs = await clogPage.locator('text.fault-glyph').allTextContents();
    expect(glyphs).toEqual(expect.arrayContaining(['▥4→3', '▥4→2', `⇉4→3 ${clogModel.clogs[0].released}`]));
    const label = clogPage.locator('text.clog-label[data-node="3"]');
    const box = (await label.boundingBox())!;
    await clogPage.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await flush(clogPage);
    const details = await clogPage.locator('#details').innerText();
    expect(details).toContain('clogged link 4 → 3');
    expect(details).toContain(`its ${clogModel.clogs[0].released} held messages go on at once`);
  });

  it('names the links held at the cursor in the state panel', async () => {
    const heldAt = async (t: number) => {
      await clogPage.evaluate((at) => window.raftsimViewer?.setCursor(at), t);
      await flush(clogPage);
      const held = clogPage.locator('.clogs-now');
      return (await held.count()) === 0 ? '' : held.innerText();
    };
    expect(await heldAt(400)).toBe('▥ 4→3 held');
    expect(await heldAt(600)).toBe('▥ 4→3 4→2 held');
    expect(await heldAt(900)).toBe('▥ 4→2 held');
    expect(await heldAt(1300)).toBe('');
  });
});
