#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { EXIT, UsageError } from './errors.js';
import { listCommand, replayCommandRun, runCommand, type Output } from './run-commands.js';
import { sweepCommand, type SweepFlags } from './sweep-command.js';
import { viewCommand } from './view.js';
import { playgroundCommand, type PlaygroundFlags } from './playground-command.js';
import { storyCommand } from './story-command.js';
import { bugsCommand } from './bugs-command.js';
import { shrinkCommand } from './shrink-command.js';
import { parseDuration, runCheck } from '../check/cli.js';
import { registerServe } from './serve-command.js';
import { registerCtl } from './ctl-command.js';

// A closed pipe (`raftsim sweep … | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr.isTTY ? (line) => process.stderr.write(line) : undefined,
};

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

function parsePositiveInteger(value: string): number {
  const workers = parseSeed(value);
  if (workers < 1) throw new InvalidArgumentError('expected at least 1');
  return workers;
}

function parseSeedRange(value: string): { from: number; to: number } {
  const match = /^(\d+)\.\.(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a range like 1..100');
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (from > to) throw new InvalidArgumentError(`empty range: ${from} is after ${to}`);
  return { from, to };
}

/** Runs a command body, mapping its outcome to the process exit code. */
function act(body: () => number | Promise<number>): () => Promise<void> {
  return async () => {
    process.exitCode = await body();
  };
}

const program = new Command()
  .name('raftsim')
  .description('Deterministic simulation and testing harness for Raft and an etcd-like key-value store')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text) })
  .showHelpAfterError('(run with --help for usage)');

program
  .command('list')
  .description('list the built-in scenarios')
  .action(act(() => listCommand(io)));

program
  .command('run')
  .description('run one scenario under one seed and check every invariant')
  .argument('<scenario>', 'a built-in scenario name or a JSON scenario file')
  .option('--seed <n>', 'the seed that decides everything', parseSeed, 1)
  .option('--trace <file>', 'write the full trace to this file')
  .option('--history <file>', 'write the clients\' history as JSON Lines (KV workloads)')
  .option('--html <file>', 'write the timeline viewer page for this run')
  .option('--bug <name>', 'switch on a planted bug (see raftsim bugs)')
  .option('--json', 'print exactly one JSON object', false)
  .action((scenario: string, flags: { seed: number; trace?: string; history?: string; html?: string; bug?: string; json: boolean }) =>
    act(() => runCommand(scenario, flags, io))(),
  );

program
  .command('sweep')
  .description('run a scenario over a range of seeds and report every failing seed')
  .argument('<scenario>', 'a built-in scenario name or a JSON scenario file')
  .requiredOption('--seeds <A..B>', 'the seeds to run, inclusive', parseSeedRange)
  .option('--trace <file>', 'write the trace of the first failing seed (or the first seed) to this file')
  .option('--junit <file>', 'write a JUnit XML report for CI: one test case per seed, a failing seed a failure')
  .option('--html-dir <dir>', 'write a viewer page for every failing seed into this directory')
  .option('--repro-dir <dir>', 'where to write a repro file for every failing seed', 'raftsim-repros')
  .option('--no-repros', 'write no repro files')
  .option('--bug <name>', 'switch on a planted bug (see raftsim bugs)')
  .option('--workers <n>', 'worker threads (default: one per 60 seeds, at most one per core)', parsePositiveInteger)
  .option('--shard <i/n>', 'run only shard i of n of the seeds (counted from 0), for CI matrices and indexed jobs')
  .option('--for <duration>', 'a time budget, e.g. 10m: hand out seeds in order until it is spent (the summary says which ran)')
  .option('--json', 'print exactly one JSON object', false)
  .action((scenario: string, flags: SweepFlags) => act(() => sweepCommand(scenario, flags, io))(),
  );

program
  .command('bugs')
  .description('list the planted bugs that --bug switches on, and the rule each breaks')
  .option('--json', 'print exactly one JSON object', false)
  .action((flags: { json: boolean }) => act(() => bugsCommand(flags, io))());

program
  .command('check')
  .description('check histories for linearizability (JSON, JSON Lines or Jepsen EDN; files or directories)')
  .argument('<history...>', 'history files, or directories of .json, .jsonl and .edn files')
  .requiredOption('--model <name>', 'register, kv or etcd')
  .option('--timeout <duration>', 'time budget per file, e.g. 30s, 500ms, 2m (default 30s, none with --max-steps alone)')
  .option('--max-steps <n>', 'step budget per file: the same verdict on every machine', parsePositiveInteger)
  .option('--every-write', 'etcd: the history holds every write to a store that began empty, so no revision may be skipped (as raftsim run checks)', false)
  .option('--json', 'one JSON object per file, one per line', false)
  .action((paths: string[], flags: { model: string; timeout?: string; maxSteps?: number; everyWrite: boolean; json: boolean }) =>
    act(() => {
      let timeoutMs: number | undefined;
      try {
        timeoutMs = flags.timeout === undefined ? undefined : parseDuration(flags.timeout);
      } catch (error) {
        throw new UsageError(`--timeout: ${(error as Error).message}`);
      }
      return runCheck(paths, { model: flags.model, json: flags.json, timeoutMs, maxSteps: flags.maxSteps, everyWrite: flags.everyWrite }, io.out, io.err);
    })(),
  );

program
  .command('shrink')
  .description('shrink a failing seed to a minimal fault schedule and workload; write a repro file')
  .argument('<scenario>', 'a built-in scenario name or a JSON scenario file')
  .requiredOption('--seed <n>', 'the failing seed', parseSeed)
  .option('-o, --output <file>', 'where to write the repro (default: <scenario>-seed-<n>.repro.json)')
  .option('--force', 'overwrite the output file if it exists', false)
  .option('--bug <name>', 'the planted bug the failure needs (raftsim bugs lists them)')
  .option('--max-runs <n>', 'runs the shrinker may spend', parseSeed, 400)
  .option('--keep-seed', 'only keep candidates that fail under this seed (by default a failure that hangs on timing may move to another)', false)
  .option('--json', 'print exactly one JSON object', false)
  .action((scenario: string, flags: { seed: number; bug?: string; output?: string; force: boolean; maxRuns: number; keepSeed: boolean; json: boolean }) =>
    act(() => shrinkCommand(scenario, flags, io))(),
  );

program
  .command('story')
  .description('tell a run in lines: leaders and their terms, faults, crashes, membership, the violation')
  .argument('<trace>', 'a trace file written by run --trace, or a repro file (run again first)')
  .option('--from <ms>', 'only what happened from this virtual time on', parseSeed)
  .option('--to <ms>', 'only what happened up to this virtual time', parseSeed)
  .option('--node <n>', 'only what concerns this node (and the cluster-wide events)', parsePositiveInteger)
  .option('--last <ms>', 'only the last ms of the run (a failing run ends at its violation)', parseSeed)
  .option('--json', 'print exactly one JSON object', false)
  .action((trace: string, flags: { from?: number; to?: number; node?: number; last?: number; json: boolean }) => act(() => storyCommand(trace, flags, io))());

program
  .command('view')
  .description('write a self-contained HTML timeline of a trace or a repro file (open it in any browser)')
  .argument('<trace>', 'a trace file written by run --trace, or a repro file (run again to draw it)')
  .option('-o, --output <file>', 'where to write the page (default: the trace name with .html)')
  .action((trace: string, flags: { output?: string }) => act(() => viewCommand(trace, flags, io))());

program
  .command('playground')
  .description('write a page that runs the simulator in the browser: add crashes, partitions and pauses at any moment and watch')
  .argument('[scenario]', 'a built-in scenario name or a JSON scenario file', 'happy')
  .option('--seed <n>', 'the seed the page starts with', parseSeed, 1)
  .option('--nodes <n>', 'the cluster size, in place of the scenario\'s', parsePositiveInteger)
  .option('--bug <name>', 'switch on a planted bug (see raftsim bugs)')
  .option('-o, --output <file>', 'where to write the page (default: <scenario>-playground.html)')
  .action((scenario: string, flags: PlaygroundFlags) => act(() => playgroundCommand(scenario, flags, io))());

program
  .command('replay')
  .description('re-run a recorded trace or a repro file and confirm the identical trace hash')
  .argument('<trace>', 'a trace file written by run --trace, or a repro file written by shrink')
  .option('--json', 'print exactly one JSON object', false)
  .action((trace: string, flags: { json: boolean }) => act(() => replayCommandRun(trace, flags, io))());

registerServe(program, io.err);
registerCtl(program, io);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const benign = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help';
    process.exitCode = benign ? EXIT.ok : EXIT.usage;
  } else if (error instanceof UsageError) {
    io.err(`raftsim: ${error.message}`);
    process.exitCode = EXIT.usage;
  } else {
    throw error;
  }
}
