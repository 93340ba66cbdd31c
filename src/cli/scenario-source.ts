import { existsSync } from 'node:fs';
import { findScenario, scenarios } from '../../scenarios/index.js';
import { defineScenario, ScenarioError, type Scenario, type ScenarioInput } from '../../sim/scenario.js';
import { parseJson } from '../../sim/json-file.js';
import { readUserFile, UsageError } from './errors.js';

/** A built-in scenario by name, or a JSON scenario file by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const builtIn = findScenario(nameOrPath);
  if (builtIn) return builtIn;
  if (!nameOrPath.endsWith('.json') && !existsSync(nameOrPath)) {
    const names = scenarios.map((scenario) => scenario.name).join(', ');
    throw new UsageError(`unknown scenario '${nameOrPath}' (built-in: ${names}; or give a .json file)`);
  }
  const text = readUserFile(nameOrPath);
  const input = parseJson(text, nameOrPath, (message) => new UsageError(message));
  try {
    return defineScenario(input as ScenarioInput, nameOrPath);
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
}
