import { replayCommand } from '../../src/cli/format.js';
import { defineScenario } from '../../sim/scenario.js';
import { bootViewer, readPageJson, showFatal } from '../app/boot.js';
import { decodeExperiment, type Experiment, type PlaygroundPageData } from './experiment.js';
import { mountPanel } from './panel.js';
import { runExperiment } from './run.js';

/** The test and console handle of a playground page: `window.raftsimPlayground`. */
export interface PlaygroundHandle {
  readonly experiment: Experiment;
  readonly traceHash: string;
  readonly scenarioJson: string;
}

declare global {
  interface Window {
    raftsimPlayground?: PlaygroundHandle;
  }
}

/**
 * The playground page's entry: run the experiment the URL fragment names (or the page's
 * own starting point) with the simulator bundled into the page, then draw it. A new
 * fragment (an edit, or Back) reruns the page.
 */
function boot(): void {
  const timings: Record<string, number> = { start: performance.now() };
  const root = document.getElementById('raftsim-viewer');
  if (!root) throw new Error('missing #raftsim-viewer');
  const page = readPageJson<PlaygroundPageData>('raftsim-playground');
  const base = defineScenario(page.scenario, 'the page\'s scenario');
  timings.parse = performance.now();
  const decoded = decodeExperiment(location.hash, base, page.seed);
  const experiment: Experiment = decoded.ok ? decoded.experiment : { seed: page.seed, added: [] };
  const run = runExperiment(base, experiment, page.bug);
  timings.run = performance.now();
  // Changed, the scenario is the file the panel downloads under its name.
  const scenarioArg = run.scenario === base ? page.scenarioArg : `${run.scenario.name}.json`;
  const command = replayCommand(scenarioArg, experiment.seed, '', page.bug);
  const title = `raftsim playground · ${run.scenario.name} seed ${experiment.seed}`;
  document.title = title;
  const initialView = experiment.view && { domain: [experiment.view.from, experiment.view.to] as const, cursor: experiment.view.cursor };
  const viewer = bootViewer(root, run.trace, { title, command }, timings, initialView);
  const aside = root.querySelector('aside');
  if (!aside) throw new Error('the viewer has no side panel');
  mountPanel(aside as HTMLElement, { store: viewer.store, experiment, scenario: run.scenario, trace: run.trace, wallMs: run.wallMs, ...(decoded.ok ? {} : { error: decoded.error }) });
  window.addEventListener('hashchange', () => location.reload());
  window.raftsimPlayground = { experiment, traceHash: run.trace.traceHash, scenarioJson: JSON.stringify(run.scenario) };
  document.body.dataset.ready = 'true';
}

try {
  boot();
} catch (error) {
  showFatal(error);
}
