import type { PageMeta, ViewerTrace } from '../types.js';
import { bootViewer, showFatal } from './boot.js';

/** The viewer page's entry: the trace and the page's meta are inline, as JSON. */
function readJson<T>(id: string): T {
  const element = document.getElementById(id);
  if (!element?.textContent) throw new Error(`missing #${id}`);
  return JSON.parse(element.textContent) as T;
}

try {
  const root = document.getElementById('raftsim-viewer');
  if (!root) throw new Error('missing #raftsim-viewer');
  const timings: Record<string, number> = { start: performance.now() };
  const trace = readJson<ViewerTrace>('raftsim-trace');
  const meta = readJson<PageMeta>('raftsim-meta');
  timings.parse = performance.now();
  bootViewer(root, trace, meta, timings);
  document.body.dataset.ready = 'true';
} catch (error) {
  showFatal(error);
}
