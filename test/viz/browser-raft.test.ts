import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModel } from '../../viz/prepare.js';
import type { Model, ViewerTrace } from '../../viz/types.js';
import { clickMessage, flush, Pages, ROOT, zoom } from './browser-helpers.js';
import { realTrace } from './fixtures.js';

/**
 * The newer Raft features as a teacher points at them: who is a learner, when the
 * cluster is joint, where a snapshot cut the log and who received one, a transfer
 * from A to B, a leader that stepped down, pre-candidates apart from candidates.
 */

const pages = new Pages();
const traces: Record<string, ViewerTrace> = {};
const models: Record<string, Model> = {};

beforeAll(async () => {
  const runs: [string, string, number][] = [
    ['membership', 'membership-change', 7000],
    ['joint', 'joint-consensus', 6500],
    ['snapshot', 'snapshot-catchup', 5000],
    ['transfer', 'leader-transfer', 1500],
    ['quorum', 'check-quorum', 2500],
  ];
  await pages.start();
  for (const [name, scenario, ms] of runs) {
    traces[name] = realTrace(scenario, 1, ms);
    models[name] = prepareModel(traces[name]);
    pages.write(name, traces[name]);
  }
}, 120_000);

afterAll(async () => {
  await pages.stop();
});

async function cursor(page: Page, t: number): Promise<void> {
  await page.evaluate((at) => window.raftsimViewer?.setCursor(at), t);
  await flush(page);
}

/** Clicks the middle of the first element matching `selector` and returns the details panel. */
/** Hides every message type but `types` (the toolbar's filters, set directly). */
async function showOnly(page: Page, types: readonly string[]): Promise<void> {
  await page.evaluate((shown) => {
    const store = window.raftsimViewer!.store;
    store.hiddenTypes.clear();
    for (const type of store.model.messages.types) if (!shown.includes(type)) store.hiddenTypes.add(type);
    store.notify('filters');
  }, [...types]);
}

async function clickOn(page: Page, selector: string): Promise<string> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box).not.toBeNull();
  await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
  await flush(page);
  return page.locator('#details').innerText();
}

async function hoverOn(page: Page, selector: string): Promise<string> {
  const box = (await page.locator(selector).first().boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await flush(page);
  return page.locator('.tooltip').innerText();
}

async function hideMessages(page: Page): Promise<void> {
  await page.evaluate(() => {
    const store = window.raftsimViewer!.store;
    for (const type of store.model.messages.types) store.hiddenTypes.add(type);
    store.notify('filters');
    store.flush();
  });
}

describe('membership', () => {
  let page: Page;
  beforeAll(async () => {
    page = await pages.open('membership');
  });

  it('has a config row naming each configuration', async () => {
    const cells = await page.locator('g.conf-cell text').allTextContents();
    expect(cells).toEqual(['voters 1,2,3', 'voters 1,2,3 · learner 4', 'voters 1,2,3,4', 'voters 1,3,4', 'voters 1,3,4,5']);
    expect(await page.locator('#timeline').evaluate((el) => el.textContent?.includes('config'))).toBe(true);
  });

  it('badges each lane with its membership at the cursor, and says it in the state panel', async () => {
    await cursor(page, 2500);
    const badges = await page.$$eval('text.member-badge', (ts) => ts.map((t) => t.textContent));
    expect(badges).toEqual(['voter', 'voter', 'voter', 'learner', 'outside']);
    expect(await page.locator('#conf-now').innerText()).toContain('voters 1,2,3 · learner 4');
    expect(await page.locator('.state-table tr[data-node="4"] .member-chip').innerText()).toBe('learner');
    await cursor(page, 6900);
    expect(await page.$$eval('text.member-badge', (ts) => ts.map((t) => t.textContent))).toEqual(['voter', 'outside', 'voter', 'voter', 'voter']);
  });

  it('stripes a learner’s lane and veils an outside one, with a legend', async () => {
    await zoom(page, 1000, 3500);
    expect(await page.locator('rect.member-stripe[data-node="4"][data-status="learner"]').count()).toBe(1);
    expect(await page.locator('text.member-label[data-node="4"]').allTextContents()).toContain('learner (no vote)');
    expect(await page.locator('rect.member-veil[data-node="5"]').count()).toBe(1);
    const legend = await page.locator('.legend').innerText();
    expect(legend).toContain('learner');
    expect(legend).toContain('outside the cluster');
    await hideMessages(page);
    const details = await clickOn(page, 'rect.member-stripe[data-node="4"][data-status="learner"]');
    expect(details).toContain('node 4: learner (no vote)');
    expect(details).toContain('receives the log but neither votes nor counts towards commit');
    const conf = await clickOn(page, 'g.conf-cell[data-conf="1"] rect');
    expect(conf).toContain('configuration: voters 1,2,3 · learner 4');
    expect(conf).toContain('+l4 at leader 3');
    expect(conf).toContain('2 of [1,2,3]');
  });

  it('puts membership proposals in the fault strip', async () => {
    const glyphs = await page.$$eval('text.fault-glyph.confPropose', (ts) => ts.map((t) => t.textContent));
    expect(glyphs).toEqual(['⚙ +l4', '⚙ +l4', '⚙ +v4']);
    // What an action did is a note: the second promote finds no learner left to promote.
    await zoom(page, 3300, 3700);
    expect(await hoverOn(page, 'text.fault-glyph.note')).toContain('promote skipped: node 4 is no learner');
  });
});

describe('joint consensus', () => {
  let page: Page;
  beforeAll(async () => {
    page = await pages.open('joint');
  });

  it('marks the joint configuration, who joins and who leaves', async () => {
    const joint = page.locator('g.conf-cell.joint text');
    expect(await joint.count()).toBe(1);
    expect(await joint.textContent()).toBe('◫ joint · old 1,2,3 → new 3,4,5');
    await zoom(page, 1900, 5000);
    expect(await page.locator('text.member-label[data-node="1"]').textContent()).toBe('leaving: old half only');
    expect(await page.locator('text.member-label[data-node="4"]').textContent()).toBe('joining: new half only');
    expect(await page.locator('text.member-label[data-node="3"]').count()).toBe(0);
    await cursor(page, 3000);
    expect(await page.$$eval('text.member-badge', (ts) => ts.map((t) => t.textContent))).toEqual(['leaving', 'leaving', 'voter ◫', 'joining', 'joining']);
    expect(await page.locator('.legend').innerText()).toContain('joint config');
    await hideMessages(page);
    const details = await clickOn(page, 'g.conf-cell.joint rect');
    expect(details).toContain('old voters');
    expect(details).toContain('2 of [1,2,3] and 2 of [3,4,5]');
  });

  it('saves the README screenshot of membership in the viewer', async () => {
    await page.evaluate(() => {
      const store = window.raftsimViewer!.store;
      store.hiddenTypes.clear();
      store.hiddenTypes.add('heartbeat');
      store.hiddenTypes.add('heartbeatResp');
      store.notify('filters');
    });
    await zoom(page, 1700, 6200);
    await cursor(page, 3000);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(100);
    await page.screenshot({ path: join(ROOT, 'viz', 'screenshot-membership.png') });
  });
});

describe('snapshots', () => {
  let page: Page;
  let model: Model;
  beforeAll(async () => {
    page = await pages.open('snapshot');
    model = models.snapshot;
  });

  it('flags the installed snapshot on the follower’s lane and explains it', async () => {
    const install = model.laneMarks.find((m) => m.kind === 'install')!;
    const e = model.events[install.index];
    if (e.k !== 'installSnapshot') throw new Error('not an install');
    await zoom(page, install.t - 40, install.t + 40);
    const flag = page.locator(`g.lane-mark.install[data-node="${e.node}"] text`);
    expect(await flag.textContent()).toBe(`↧ snapshot ≤${e.index} from ${e.from}`);
    expect(await hoverOn(page, `g.lane-mark.install[data-node="${e.node}"] path`)).toContain(`installs leader ${e.from}'s snapshot`);
    const details = await clickOn(page, `g.lane-mark.install[data-node="${e.node}"] path`);
    expect(details).toContain('its log and state machine are replaced');
    expect(details).toContain('needed entries it had compacted');
    const snap = model.messages.types.indexOf('snap');
    let row = -1;
    for (let r = 0; r < model.messages.count; r++) if (model.messages.type[r] === snap) row = r;
    expect(await clickMessage(page, model.messages.id[row])).toContain('snap (InstallSnapshot)');
  });

  it('shows the compacted prefix in the log panel and the leader sending a snapshot', async () => {
    const install = model.laneMarks.find((m) => m.kind === 'install')!;
    const e = model.events[install.index];
    if (e.k !== 'installSnapshot') throw new Error('not an install');
    await cursor(page, install.t - 1);
    expect(await page.locator(`.progress-table tr[data-peer="${e.node}"] .pstate`).innerText()).toBe(`sending snapshot ≤${e.index}`);
    await cursor(page, install.t);
    const row = page.locator(`.log-row[data-node="${e.node}"]`);
    expect(await row.getAttribute('data-snap')).toBe(String(e.index));
    expect(await row.locator('.log-snap').innerText()).toBe(`▨ ≤${e.index}`);
    expect(await row.locator('.log-cell.compacted').count()).toBeGreaterThan(0);
    expect(await page.locator('#state h3').first().innerText()).toContain('compacted into a snapshot');
  });

  it('ticks each compaction on its lane', async () => {
    await zoom(page, 0, 1000);
    const ticks = model.laneMarks.filter((m) => m.kind === 'snapshot' && m.t <= 1000).length;
    expect(await page.locator('g.lane-mark.snapshot').count()).toBe(ticks);
    expect(await page.locator('g.lane-mark.snapshot text').first().textContent()).toMatch(/^▨ ≤\d+$/);
    expect(await page.locator('.legend').innerText()).toContain('log compacted');
  });
});

describe('leadership transfer', () => {
  let page: Page;
  beforeAll(async () => {
    page = await pages.open('transfer');
  });

  it('draws an arc from the old leader to the new one, labelled, with its details', async () => {
    const [first] = models.transfer.transfers;
    await zoom(page, first.start - 30, first.end + 60);
    const arc = page.locator(`g.transfer.finished[data-from="${first.from}"][data-to="${first.to}"]`);
    expect(await arc.count()).toBe(1);
    expect(await arc.locator('text.transfer-label').textContent()).toBe(`⇢ transfer ${first.from}→${first.to}`);
    expect(await page.locator('text.fault-glyph.transfer').first().textContent()).toBe(`⇢${first.from}→${first.to}`);
    await cursor(page, first.start + 1);
    expect(await page.locator('.transfer-now').innerText()).toBe(`⇢ handing over to ${first.to}`);
    await hideMessages(page);
    const details = await clickOn(page, `g.transfer[data-from="${first.from}"] text.transfer-label`);
    expect(details).toContain(`leadership transfer ${first.from} → ${first.to}: finished`);
    expect(details).toContain(`finished: node ${first.to} leads`);
    expect(await page.locator('.legend').innerText()).toContain('leadership transfer');
  });

  it('names TimeoutNow and pre-votes in the toolbar and the details', async () => {
    const m = models.transfer.messages;
    const find = (type: string) => {
      const ti = m.types.indexOf(type);
      for (let r = 0; r < m.count; r++) if (m.type[r] === ti) return r;
      return -1;
    };
    expect(await page.locator('#toolbar button[data-family="timeoutNow"]').innerText()).toContain('TimeoutNow');
    expect(await page.locator('#toolbar button[data-family="preVote"]').innerText()).toContain('pre-votes');
    await page.evaluate(() => {
      const store = window.raftsimViewer!.store;
      store.hiddenTypes.clear();
      store.notify('filters');
    });
    const timeoutNow = find('timeoutNow');
    await zoom(page, m.sendT[timeoutNow] - 2, m.endT[timeoutNow] + 2);
    expect(await clickMessage(page, m.id[timeoutNow])).toContain('TimeoutNow: the leader tells its transfer target to campaign at once');
  });
});

describe('CheckQuorum and pre-votes', () => {
  let page: Page;
  beforeAll(async () => {
    page = await pages.open('quorum');
  });

  it('flags the leader that stepped down for lack of quorum', async () => {
    const step = models.quorum.laneMarks.find((m) => m.kind === 'stepDown')!;
    await zoom(page, step.t - 200, step.t + 200);
    const flag = page.locator(`g.lane-mark.stepDown[data-node="${step.node}"]`);
    expect(await flag.locator('text').textContent()).toBe('▼ stepped down: check quorum');
    await hideMessages(page);
    const details = await clickOn(page, `g.lane-mark.stepDown[data-node="${step.node}"] path`);
    expect(details).toContain(`node ${step.node} steps down as leader (check quorum)`);
    expect(details).toContain('a majority of voters had not answered it');
    expect(await page.locator('.legend').innerText()).toContain('step-down (CheckQuorum)');
  });

  it('draws pre-candidates apart from candidates, and names pre-votes', async () => {
    // The longest pre-candidacy: a node cut off keeps asking, its term unchanged.
    const pre = models.quorum.bands.filter((b) => b.role === 'preCandidate').sort((a, b) => b.end - b.start - (a.end - a.start))[0];
    const m = models.quorum.messages;
    // Only what is clicked may be drawn there: a message over the band would take the click.
    await showOnly(page, []);
    await zoom(page, pre.start - 20, pre.end + 20);
    const rect = page.locator('g.bands rect[data-role="preCandidate"]').first();
    expect(await rect.getAttribute('stroke-dasharray')).toBe('4 2');
    expect(await page.locator('g.bands text').allTextContents()).toContain(`pre-candidate · term ${pre.term}`);
    expect(await page.locator('.legend').innerText()).toContain('pre-candidate');
    const details = await clickOn(page, 'g.bands rect[data-role="preCandidate"]');
    expect(details).toContain(`node ${pre.node}: pre-candidate in term ${pre.term}`);
    const ti = m.types.indexOf('preVote');
    let row = -1;
    for (let r = 0; r < m.count && row < 0; r++) if (m.type[r] === ti && m.status[r] === 0) row = r;
    await showOnly(page, ['preVote']);
    await zoom(page, m.sendT[row] - 2, m.endT[row] + 2);
    expect(await clickMessage(page, m.id[row])).toContain('preVote (PreVote');
    await showOnly(page, m.types);
  });
});
