import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findScenario } from '../../scenarios/index.js';
import { loadTraceSource } from './trace-source.js';
import { EXIT, UsageError } from './errors.js';
import { replayCommand, shellArg } from './format.js';
import type { ViewerTrace } from '../../viz/types.js';

/**
 * `raftsim view`: one self-contained HTML page per trace, the viewer script (d3
 * included) and the data inline, so it opens from disk anywhere with no server.
 */

export interface ViewerOptions {
  /** The page title; defaults to "<scenario> seed <n>". */
  readonly title?: string;
  /** The command the header offers to reproduce the run; derived from the trace when absent. */
  readonly command?: string;
}

/** Accepts any trace file the simulator writes (`TraceFile` is a `ViewerTrace`). */
export function renderViewerHtml(trace: ViewerTrace, options: ViewerOptions = {}): string {
  const title = options.title ?? `raftsim · ${trace.scenario.name} seed ${trace.seed}${trace.ok ? '' : ' · FAILED'}`;
  const meta = { title, command: options.command ?? reproduceCommand(trace) };
  return selfContainedPage({ title, loading: 'Loading trace…', data: { 'raftsim-meta': meta, 'raftsim-trace': trace }, script: 'viewer.js' });
}

export interface PageParts {
  readonly title: string;
  /** What the page says until its script has drawn it. */
  readonly loading: string;
  /** JSON the script reads, by element id. */
  readonly data: Readonly<Record<string, unknown>>;
  /** The bundle under dist/ that draws the page. */
  readonly script: string;
}

/** One HTML file with its data and script inline: it opens from disk, offline, anywhere. */
export function selfContainedPage(parts: PageParts): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    '</head><body>',
    `<div id="raftsim-viewer"><p class="loading">${escapeHtml(parts.loading)}</p></div>`,
    ...Object.entries(parts.data).map(([id, value]) => `<script type="application/json" id="${id}">${embedJson(value)}</script>`),
    `<script>${inlinePageScript(parts.script)}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** JSON that cannot close its <script> element: `<` only occurs inside strings, where \u003c is the same. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

/** A built-in scenario reruns by name; anything else reruns from the trace, which embeds its scenario. */
export function reproduceCommand(trace: ViewerTrace, tracePath?: string): string {
  const builtin = findScenario(trace.scenario.name);
  // A planted bug is part of the run: without --bug the rerun would pass.
  if (builtin && JSON.stringify(builtin) === JSON.stringify(trace.scenario)) return replayCommand(trace.scenario.name, trace.seed, '', trace.bug);
  if (tracePath) return `raftsim replay ${shellArg(tracePath)}`;
  return replayCommand(`${trace.scenario.name}.json`, trace.seed, '', trace.bug);
}

const cachedScripts = new Map<string, string>();

/**
 * Bundled into dist/raftsim.js a page's script (`viewer.js`, `playground.js`) sits next to
 * it; run from source (tests) it is under dist/ at the project root.
 */
export function pageScriptPath(name = 'viewer.js'): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), name);
  if (existsSync(sibling)) return sibling;
  let dir = dirname(here);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', name);
    const parent = dirname(dir);
    if (parent === dir) return sibling;
    dir = parent;
  }
}

/** A page script, ready to inline: a `</script` inside it would end the element early (`<\/` means the same in JS). */
function inlinePageScript(name: string): string {
  const cached = cachedScripts.get(name);
  if (cached !== undefined) return cached;
  const path = pageScriptPath(name);
  if (!existsSync(path)) throw new UsageError(`the page script is not built (${path} is missing): run \`npm run build\``);
  const script = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
  cachedScripts.set(name, script);
  return script;
}

/** Writes the page for a trace; the run and sweep commands use this for --html. */
export function writeViewerHtml(outputPath: string, trace: ViewerTrace, options: ViewerOptions = {}): void {
  writeFileSync(outputPath, renderViewerHtml(trace, options));
}

/** `raftsim view <trace.json | repro.json>`: a trace is drawn as recorded, a repro is run first. */
export function viewCommand(tracePath: string, flags: { output?: string }, io: { out(line: string): void }): number {
  const output = flags.output ?? `${tracePath.replace(/\.json$/i, '')}.html`;
  if (resolve(output) === resolve(tracePath)) throw new UsageError(`refusing to write the page over the input trace ${tracePath}`);
  const { trace, command, notes } = loadTraceSource(tracePath);
  writeViewerHtml(output, trace, { command: command ?? reproduceCommand(trace, tracePath) });
  io.out(`viewer written to ${output} (${trace.events.length.toLocaleString('en-US')} events${trace.ok ? '' : ', FAILED run'})`);
  for (const note of notes) io.out(`  ${note}`);
  return EXIT.ok;
}
