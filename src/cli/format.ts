import type { BugName } from '../bugs.js';
import { DEFAULT_CHECK_STEPS, type RunResult } from '../../sim/simulation.js';
import { describeProfile } from '../../sim/swarm.js';

const number = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return number.format(Math.round(n));
}

/** "1 fault", "3 faults", "1,200 ops". */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${Math.round(n) === 1 ? '' : 's'}`;
}

/** Quotes an argument for a shell only when it needs it. */
export function shellArg(arg: string): string {
  return /^[\w./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The `raftsim run` command that reproduces a seed, with the planted bug when the run had one. */
export function replayCommand(scenarioArg: string, seed: number, extra = '', bug?: BugName): string {
  return `raftsim run ${shellArg(scenarioArg)} --seed ${seed}${bug ? ` --bug ${bug}` : ''}${extra}`;
}

/** The human summary of one run. */
export function formatRun(result: RunResult, scenarioArg: string): string[] {
  const s = result.stats;
  const speed = s.wallMs > 0 ? `${formatCount(s.simulatedMs / s.wallMs)}x real time, ${formatCount((s.events / s.wallMs) * 1000)} events/s` : 'instant';
  const lines = [
    `${result.scenario}  seed ${result.seed}${result.bug ? `  bug ${result.bug}` : ''}  ${result.ok ? 'OK' : 'FAILED'}`,
    `  ${(s.simulatedMs / 1000).toFixed(1)} s simulated in ${formatCount(s.wallMs)} ms (${speed}), ${formatCount(s.events)} events`,
    `  leader changes ${s.leaderChanges}, max term ${s.maxTerm}, committed ${formatCount(s.committed)} entries, ${formatCount(s.proposals)} proposals`,
    `  messages ${formatCount(s.messagesSent)} sent, ${formatCount(s.messagesDelivered)} delivered, ${formatCount(s.messagesDropped)} dropped`,
  ];
  if (result.profile) lines.push(`  nemesis: ${describeProfile(result.profile)}`);
  if (result.history.length > 0) {
    lines.push(`  client operations: ${formatCount(s.ops.ok)} ok, ${formatCount(s.ops.fail)} failed, ${formatCount(s.ops.info)} unknown (info)`);
  }
  const lin = result.linearizability;
  if (lin) {
    lines.push(`  linearizability (${lin.model} model): ${lin.verdict}, ${formatCount(lin.ops)} ops in ${lin.parts} part${lin.parts === 1 ? '' : 's'}, ${formatCount(lin.steps)} steps in ${formatCount(lin.wallMs)} ms`);
    if (lin.verdict === 'unknown') {
      lines.push(`  the check's budget of ${formatCount(DEFAULT_CHECK_STEPS)} steps ran out; to decide it: ${replayCommand(scenarioArg, result.seed, ' --history history.jsonl', result.bug)}`);
      lines.push(`    then raftsim check history.jsonl --model ${lin.model} --max-steps ${DEFAULT_CHECK_STEPS * 10}`);
    }
  }
  if (s.recoveryMs !== null) lines.push(`  stable leader ${s.recoveryMs} ms after the final heal`);
  for (const v of result.violations) lines.push(`  ✗ ${v.invariant} at ${v.time} ms: ${v.message}`);
  lines.push(`  trace hash ${result.traceHash}`);
  if (!result.ok) lines.push(`  replay: ${replayCommand(scenarioArg, result.seed, ' --trace failure.json', result.bug)}`);
  return lines;
}

/** The object `run --json` prints: the documented run summary. */
export function runJson(result: RunResult): object {
  return {
    scenario: result.scenario,
    seed: result.seed,
    ...(result.bug ? { bug: result.bug } : {}),
    ok: result.ok,
    violations: result.violations,
    stats: result.stats,
    traceHash: result.traceHash,
    linearizability: result.linearizability ? summarizeLinearizability(result.linearizability) : null,
    ...(result.profile ? { profile: result.profile } : {}),
  };
}

function summarizeLinearizability(report: NonNullable<RunResult['linearizability']>): object {
  const { counterexample, ...rest } = report;
  return counterexample ? { ...rest, counterexample: { keys: counterexample.keys, prefix: counterexample.prefix, impossible: counterexample.impossible } } : rest;
}
