import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { renderPlaygroundHtml } from '../../src/cli/playground-command.js';
import { defineScenario, type FaultAction, type ScenarioInput } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import { encodeExperiment, type Experiment } from '../../viz/playground/experiment.js';
import { runExperiment } from '../../viz/playground/run.js';
import { Pages } from './browser-helpers.js';

/**
 * The playground in a real browser: the simulator runs in the page, edits rerun it, and
 * every run there is the run Node makes of the same scenario and seed, hash for hash.
 */

const pages = new Pages();
const five = defineScenario({ ...findScenario('happy')!, nodes: 5 });
const crashLeader: FaultAction = { at: 2000, action: 'crash', node: 'leader' };
const nodeHash = (experiment: Experiment) => runExperiment(five, experiment).trace.traceHash;

beforeAll(async () => {
  await pages.start();
  pages.writeHtml('five', renderPlaygroundHtml({ scenario: five, seed: 1, scenarioArg: 'happy.json' }));
}, 60_000);

afterAll(async () => {
  await pages.stop();
});

/** Waits out a rerun (an edit reloads the page) until the page shows the experiment asked for. */
async function settle(page: Page, wanted: (experiment: Experiment) => boolean): Promise<Experiment> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const experiment = await page
      .evaluate(() => (document.body.dataset.ready === 'true' ? window.raftsimPlayground?.experiment : undefined))
      .catch(() => undefined);
    if (experiment && wanted(experiment)) return experiment;
    if (Date.now() > deadline) throw new Error(`the playground never showed the experiment asked for (last: ${JSON.stringify(experiment)})`);
    await page.waitForTimeout(100);
  }
}

const pageHash = (page: Page) => page.evaluate(() => window.raftsimPlayground?.traceHash);

async function moveCursor(page: Page, t: number): Promise<void> {
  await page.evaluate((time) => {
    window.raftsimViewer?.setCursor(time);
    window.raftsimViewer?.flush();
  }, t);
}

describe('the playground page', () => {
  it('runs the scenario in the browser to the trace hash Node gets', async () => {
    const page = await pages.open('five');
    expect(await page.locator('g.lane').count()).toBe(5);
    expect(await page.locator('#playground').count()).toBe(1);
    expect(await pageHash(page)).toBe(nodeHash({ seed: 1, added: [] }));
    expect(await page.locator('header').innerText()).toContain('raftsim run happy.json --seed 1');
    await page.close();
  });

  it('crashes the leader at the cursor, reruns, and keeps the view; Back undoes it', async () => {
    const page = await pages.open('five');
    const before = await pageHash(page);
    await moveCursor(page, 2000);
    expect(await page.locator('#pg-at').innerText()).toBe('2,000 ms');
    await page.selectOption('#pg-action', 'crash');
    await page.selectOption('#pg-target', 'leader');
    await page.click('#pg-apply');
    const experiment = await settle(page, (e) => e.added.length === 1);
    expect(experiment.added).toEqual([crashLeader]);
    expect(await page.evaluate(() => window.raftsimViewer?.store.cursor)).toBe(2000);

    // The same run as Node's, of the scenario the page offers for download.
    const hash = await pageHash(page);
    expect(hash).toBe(nodeHash({ seed: 1, added: [crashLeader] }));
    const scenarioJson = await page.evaluate(() => window.raftsimPlayground?.scenarioJson ?? '');
    const downloaded = defineScenario(JSON.parse(scenarioJson) as ScenarioInput);
    expect(runScenario(downloaded, { seed: 1, trace: 'hash' }).traceHash).toBe(hash);
    expect(await page.locator('header').innerText()).toContain('raftsim run happy-playground.json --seed 1');

    // The leader of the moment went down at 2,000 ms, and its lane shows it.
    const leaderAt2000 = runExperiment(five, { seed: 1, added: [] }).trace.events.filter((e) => e.k === 'state' && e.t < 2000 && e.role === 'leader').at(-1);
    const downs = await page.evaluate(() => window.raftsimViewer?.store.model.downs.map((d) => ({ node: d.node, kind: d.kind, start: d.start })));
    expect(downs).toContainEqual({ node: leaderAt2000?.k === 'state' ? leaderAt2000.node : -1, kind: 'crashed', start: 2000 });
    expect(await page.locator('#pg-added li').innerText()).toContain('crash the leader');

    await page.goBack();
    await settle(page, (e) => e.added.length === 0);
    expect(await pageHash(page)).toBe(before);
    await page.close();
  });

  it('drops the message clicked, and only that one', async () => {
    const page = await pages.open('five');
    // The first heartbeat answer after 1 s: choose it as a click would.
    const chosen = await page.evaluate(() => {
      const viewer = window.raftsimViewer!;
      const m = viewer.store.model.messages;
      let row = 0;
      while (row < m.count && !(m.types[m.type[row]] === 'heartbeatResp' && m.sendT[row] >= 1000)) row++;
      viewer.store.select({ kind: 'message', row });
      viewer.flush();
      return { id: m.id[row], at: Math.round(m.sendT[row]) };
    });
    expect(await page.locator('#pg-message').innerText()).toContain(`heartbeatResp`);
    await page.click('#pg-drop');
    const experiment = await settle(page, (e) => e.added.length === 1);
    const drop: FaultAction = { at: chosen.at, action: 'drop', message: chosen.id };
    expect(experiment.added).toEqual([drop]);
    expect(await pageHash(page)).toBe(nodeHash({ seed: 1, added: [drop] }));
    const trace = runExperiment(five, { seed: 1, added: [drop] }).trace;
    expect(trace.events).toContainEqual(expect.objectContaining({ k: 'drop', id: chosen.id, reason: 'chosen' }));
    expect(trace.events.filter((e) => e.k === 'drop' && e.reason === 'chosen')).toHaveLength(1);
    // A client's request is not the network's to lose.
    await page.evaluate(() => {
      const viewer = window.raftsimViewer!;
      const m = viewer.store.model.messages;
      let row = 0;
      while (row < m.count && m.types[m.type[row]] !== 'kvReq') row++;
      viewer.store.select({ kind: 'message', row });
      viewer.flush();
    });
    expect(await page.locator('#pg-message').innerText()).toContain('never lose it');
    expect(await page.locator('#pg-drop').count()).toBe(0);
    await page.close();
  });

  it('cuts one way, from a node to the leader, with the link\'s other end chosen', async () => {
    const page = await pages.open('five');
    await moveCursor(page, 1500);
    expect(await page.locator('#pg-peer').isHidden()).toBe(true);
    await page.selectOption('#pg-action', 'cut');
    expect(await page.locator('#pg-peer').isVisible()).toBe(true);
    await page.selectOption('#pg-target', '2');
    await page.selectOption('#pg-peer', 'leader');
    await page.click('#pg-apply');
    const experiment = await settle(page, (e) => e.added.length === 1);
    expect(experiment.added).toEqual([{ at: 1500, action: 'cut', from: 2, to: 'leader' }]);
    expect(await pageHash(page)).toBe(nodeHash(experiment));
    expect(await page.locator('#pg-added li').innerText()).toContain("node 2's messages to the leader are lost");
    await page.close();
  });

  it('proposes the held link for a release, by its nodes, so a leader change cannot redirect it', async () => {
    const clog: FaultAction = { at: 1000, action: 'clog', from: 2, to: 3 };
    const page = await pages.open('five', undefined, encodeExperiment({ seed: 1, added: [clog] }));
    await moveCursor(page, 1500);
    await page.selectOption('#pg-action', 'unclog');
    expect([await page.inputValue('#pg-target'), await page.inputValue('#pg-peer')]).toEqual(['2', '3']);
    await page.click('#pg-apply');
    const experiment = await settle(page, (e) => e.added.length === 2);
    expect(experiment.added[1]).toEqual({ at: 1500, action: 'unclog', from: 2, to: 3 });
    await page.close();
  });

  it('takes a fault back with its ✕, runs another seed, and a longer fault phase', async () => {
    const page = await pages.open('five', undefined, encodeExperiment({ seed: 1, added: [crashLeader] }));
    await page.click('#pg-added button[data-remove="0"]');
    await settle(page, (e) => e.added.length === 0);
    await page.fill('#pg-seed', '7');
    await page.press('#pg-seed', 'Enter');
    await settle(page, (e) => e.seed === 7);
    expect(await pageHash(page)).toBe(nodeHash({ seed: 7, added: [] }));
    await page.fill('#pg-length', '8');
    await page.press('#pg-length', 'Enter');
    const longer = await settle(page, (e) => e.durationMs === 8000);
    expect(longer.seed).toBe(7);
    expect(await pageHash(page)).toBe(nodeHash(longer));
    expect(await page.evaluate(() => window.raftsimViewer?.store.model.end)).toBeGreaterThan(8000);
    await page.close();
  });

  it('says what is wrong with a link edited into nonsense, and runs the page\'s own start', async () => {
    const page = await pages.open('five', undefined, encodeExperiment({ seed: 1, added: [{ at: 10, action: 'crash', node: 9 }] }));
    expect(await page.locator('#pg-error').innerText()).toMatch(/node 9 does not exist/);
    expect(await pageHash(page)).toBe(nodeHash({ seed: 1, added: [] }));
    await page.close();
  });
});
