import type { PageMeta, ViewerTrace } from '../types.js';
import { bootViewer, readPageJson, showFatal } from './boot.js';

// The viewer page's entry: the trace and the page's meta are inline, as JSON.
try {
  const root = document.getElementById('raftsim-viewer');
  if (!root) throw new Error('missing #raftsim-viewer');
  const timings: Record<string, number> = { start: performance.now() };
  const trace = readPageJson<ViewerTrace>('raftsim-trace');
  const meta = readPageJson<PageMeta>('raftsim-meta');
  timings.parse = performance.now();
  bootViewer(root, trace, meta, timings);
  document.body.dataset.ready = 'true';
} catch (error) {
  showFatal(error);
}
