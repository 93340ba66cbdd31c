import { resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { findScenario } from '../../scenarios/index.js';
import { defineScenario, ScenarioError, type Scenario } from '../../sim/scenario.js';
import type { PlaygroundPageData } from '../../viz/playground/experiment.js';
import { resolveBug } from './bugs-command.js';
import { EXIT, UsageError } from './errors.js';
import { loadScenario } from './scenario-source.js';
import { selfContainedPage } from './view.js';

export interface PlaygroundFlags {
  seed: number;
  nodes?: number;
  bug?: string;
  output?: string;
}

/**
 * `raftsim playground`: one self-contained page that carries the simulator itself. It runs
 * the scenario in the browser, and the user adds crashes, partitions, pauses and clock
 * drift at any moment and watches the same seed unfold again.
 */
export function playgroundCommand(scenarioArg: string, flags: PlaygroundFlags, io: { out(line: string): void }): number {
  const loaded = loadScenario(scenarioArg);
  const scenario = flags.nodes === undefined ? loaded : withNodes(loaded, flags.nodes);
  const bug = resolveBug(flags.bug);
  const builtIn = findScenario(scenarioArg) !== undefined && flags.nodes === undefined;
  const output = flags.output ?? `${scenario.name}-playground.html`;
  if (resolve(output) === resolve(scenarioArg)) throw new UsageError(`refusing to write the page over the scenario file ${scenarioArg}`);
  const page: PlaygroundPageData = {
    scenario,
    seed: flags.seed,
    ...(bug ? { bug } : {}),
    scenarioArg: builtIn ? scenarioArg : `${scenario.name}.json`,
  };
  writeFileSync(output, renderPlaygroundHtml(page));
  io.out(`playground written to ${output}: open it in a browser (${scenario.name}, ${scenario.nodes} nodes, seed ${flags.seed}${bug ? `, bug ${bug}` : ''})`);
  return EXIT.ok;
}

export function renderPlaygroundHtml(page: PlaygroundPageData): string {
  return selfContainedPage({
    title: `raftsim playground · ${page.scenario.name}`,
    loading: 'Running the simulation…',
    data: { 'raftsim-playground': page },
    script: 'playground.js',
  });
}

function withNodes(scenario: Scenario, nodes: number): Scenario {
  try {
    const description = `${scenario.description}${scenario.description ? ' ' : ''}(here on ${nodes} nodes)`;
    return defineScenario({ ...scenario, nodes, description }, `${scenario.name} with --nodes ${nodes}`);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}
