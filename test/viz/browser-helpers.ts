import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { renderViewerHtml } from '../../src/cli/view.js';
import type { ViewerTrace } from '../../viz/types.js';

/**
 * Headless Chromium on generated pages, shared by the browser test files. Never
 * skipped: without Chromium the tests fail and say how to get it.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.RAFTSIM_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Rebuilds the page bundles (the viewer, the playground, which carries the simulator) when missing or older than a source. */
export function ensurePagesBuilt(): void {
  const bundles = ['viewer.js', 'playground.js'].map((name) => join(ROOT, 'dist', name));
  const oldest = Math.min(...bundles.map((bundle) => (existsSync(bundle) ? statSync(bundle).mtimeMs : 0)));
  const newest = Math.max(...['viz', 'sim', 'src', 'scenarios'].map((dir) => newestSource(join(ROOT, dir))));
  if (oldest >= newest) return;
  execFileSync('node', ['build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

/** A browser and a directory of pages; `write` a trace's page, then `open` it by name. */
export class Pages {
  private browser: Browser | undefined;
  private dir = '';
  private readonly paths: Record<string, string> = {};

  async start(): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: the viewer tests need it (apt-get install chromium, or set RAFTSIM_CHROMIUM)`);
    }
    ensurePagesBuilt();
    this.dir = mkdtempSync(join(tmpdir(), 'raftsim-viz-'));
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }

  write(name: string, trace: ViewerTrace): void {
    this.writeHtml(name, renderViewerHtml(trace));
  }

  writeHtml(name: string, html: string): void {
    const path = join(this.dir, `${name}.html`);
    writeFileSync(path, html);
    this.paths[name] = path;
  }

  /** The page's file URL, with a fragment when given. */
  url(name: string, fragment = ''): string {
    return `${pathToFileURL(this.paths[name]).href}${fragment ? `#${fragment}` : ''}`;
  }

  /** Opens a page and waits until the viewer says it is ready, with no script errors. */
  async open(name: string, size = { width: 1400, height: 800 }, fragment = ''): Promise<Page> {
    if (!this.browser) throw new Error('Pages.start() first');
    const page = await this.browser.newPage({ viewport: size });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(this.url(name, fragment));
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-ready')).toBe('true');
    return page;
  }

  async stop(): Promise<void> {
    await this.browser?.close();
  }
}

/** Shows [t0, t1] and redraws at once. */
export async function zoom(page: Page, t0: number, t1: number): Promise<void> {
  await page.evaluate(([a, b]) => {
    window.raftsimViewer?.zoomTo(a, b);
    window.raftsimViewer?.flush();
  }, [t0, t1]);
}

export async function flush(page: Page): Promise<void> {
  await page.evaluate(() => window.raftsimViewer?.flush());
}

/** Clicks the middle of message `id` (it must be on screen) and returns the details panel's text. */
export async function clickMessage(page: Page, id: number): Promise<string> {
  const point = await page.evaluate((m) => window.raftsimViewer?.messagePoint(m) ?? null, id);
  expect(point).not.toBeNull();
  await page.mouse.click(point!.x, point!.y);
  await flush(page);
  return page.locator('#details').innerText();
}
