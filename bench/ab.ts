/**
 * `npm run bench:ab -- [--rev REV] [--scenario NAME] [--raft-alone] [--seeds N] [--checks]`:
 * is the working tree faster than REV (default HEAD)? Checks REV out into a temporary git
 * worktree, bundles both simulators into one script, and runs it in a fresh process (see
 * ab-runner.ts). With REV = HEAD and a clean tree, it measures the method's own noise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { Comparison } from './ab-runner.js';

const USAGE = 'usage: npm run bench:ab -- [--rev REV] [--scenario NAME] [--raft-alone] [--seeds N] [--checks]';
const root = resolve(import.meta.dirname, '..');

function options() {
  try {
    const { values } = parseArgs({
      options: {
        rev: { type: 'string', default: 'HEAD' },
        scenario: { type: 'string', default: 'nemesis' },
        'raft-alone': { type: 'boolean', default: false },
        seeds: { type: 'string', default: '200' },
        checks: { type: 'boolean', default: false },
      },
    });
    const seeds = Number(values.seeds);
    if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: expected a positive whole number, got ${values.seeds}`);
    return { rev: values.rev, scenario: values.scenario, raftAlone: values['raft-alone'], seeds, checks: values.checks };
  } catch (error) {
    console.error(`bench:ab: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

async function main(): Promise<void> {
  const { rev, ...compare } = options();
  let commit: string;
  try {
    commit = git('rev-parse', '--verify', `${rev}^{commit}`);
  } catch {
    console.error(`bench:ab: --rev: ${rev} is not a commit of this repository`);
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'raftsim-ab-'));
  const base = join(dir, 'base');
  git('worktree', 'add', '--detach', '--quiet', base, commit);
  let cleaned = false;
  const cleanUp = () => {
    if (cleaned) return;
    cleaned = true;
    git('worktree', 'remove', '--force', base);
    rmSync(dir, { recursive: true, force: true });
  };
  // Interrupted, it still leaves no worktree behind.
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    // Both bundles keep their packages external: they resolve from this checkout's node_modules.
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    const entry = join(dir, 'entry.ts');
    const modules = (tree: string) =>
      `{ ...(await import(${JSON.stringify(join(tree, 'scenarios/index.ts'))})), ...(await import(${JSON.stringify(join(tree, 'sim/scenario.ts'))})), ...(await import(${JSON.stringify(join(tree, 'sim/simulation.ts'))})) }`;
    writeFileSync(
      entry,
      `import { compareBuilds } from ${JSON.stringify(join(root, 'bench/ab-runner.ts'))};\n` +
        `console.log(JSON.stringify(compareBuilds(${modules(base)}, ${modules(root)}, ${JSON.stringify({ ...compare, warmUpSeeds: 30 })})));\n`,
    );
    await build({ entryPoints: [entry], outfile: join(dir, 'ab.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
    const result = JSON.parse(execFileSync(process.execPath, [join(dir, 'ab.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as Comparison;
    report(result, git('rev-parse', '--short', commit));
  } finally {
    cleanUp();
  }
}

function report(c: Comparison, base: string): void {
  const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const what = `${c.scenario}${c.raftAlone ? ' (Raft alone)' : ''}, ${c.seeds} seeds`;
  console.log(`${what}: the working tree against ${base}, seed by seed, warm`);
  console.log(`  ${base}: ${fmt(c.baseEventsPerSecond)} events/s; working tree: ${fmt(c.currentEventsPerSecond)} events/s`);
  console.log(`  speedup per seed: median ${fmt(c.median, 3)}x (quartiles ${fmt(c.lowerQuartile, 3)}-${fmt(c.upperQuartile, 3)})`);
  const differ = c.differingSeeds;
  console.log(differ.length === 0 ? '  same behaviour on every seed' : `  behaviour differs on ${differ.length} seeds (first: ${differ.slice(0, 5).join(', ')}): a change of behaviour, not only of speed`);
}

await main();
