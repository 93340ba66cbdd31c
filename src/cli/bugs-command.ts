import { BUG_NAMES, isBugName, PLANTED_BUGS, type BugName } from '../bugs.js';
import { EXIT, UsageError } from './errors.js';
import type { Output } from './run-commands.js';

/** `raftsim bugs`: every planted bug, what it does and the rule it breaks. */
export function bugsCommand(flags: { json: boolean }, io: Output): number {
  if (flags.json) {
    io.out(JSON.stringify({ bugs: PLANTED_BUGS.map(({ name, description, breaks, where }) => ({ name, description, breaks, where })) }));
    return EXIT.ok;
  }
  const width = Math.max(...PLANTED_BUGS.map((bug) => bug.name.length));
  for (const bug of PLANTED_BUGS) {
    io.out(`${bug.name.padEnd(width)}  ${bug.description}`);
    io.out(`${' '.repeat(width)}  breaks: ${bug.breaks}`);
  }
  return EXIT.ok;
}

/** The `--bug` flag, checked: absent stays absent, an unknown name is a usage error naming the valid ones. */
export function resolveBug(name: string | undefined): BugName | undefined {
  if (name === undefined) return undefined;
  if (!isBugName(name)) throw new UsageError(`unknown bug '${name}' (valid: ${BUG_NAMES.join(', ')}; see raftsim bugs)`);
  return name;
}
