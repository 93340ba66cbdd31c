/** Human-readable rendering of check results (the CLI's non-JSON output). */
import { DEFAULT_TIMEOUT_MS, type CheckOptions, type CheckResult } from './checker.js';
import type { Counterexample, CounterexampleOp } from './counterexample.js';
import type { RevisionViolation } from './revisions.js';
import type { SerializableViolation } from './serializable.js';

function keyName(key: string): string {
  return key === '' ? '(single register)' : JSON.stringify(key);
}

function events(op: CounterexampleOp): string {
  return op.completeIndex === null ? `event ${op.invokeIndex}, never completed` : `events ${op.invokeIndex}..${op.completeIndex}`;
}

function opLine(op: CounterexampleOp): string {
  const info = op.type === 'info' ? ' [info]' : '';
  return `op ${op.id} process ${op.process}: ${op.description}${info} (${events(op)})`;
}

export function describeCounterexample(c: Counterexample): string[] {
  const lines: string[] = [];
  const keys = c.keys.map(keyName).join(', ');
  lines.push(`  failing part: key${c.keys.length > 1 ? 's' : ''} ${keys} (${c.partOps} ops)`);
  lines.push(`  longest linearizable prefix: ${c.prefixLength} ops, starting from state ${c.initialState}`);
  if (c.omitted > 0) lines.push(`    ... ${c.omitted} earlier ops`);
  for (const step of c.prefix) lines.push(`    ${opLine(step)}  => ${step.stateAfter}`);
  lines.push(`  then nothing can be linearized in state ${c.finalState}:`);
  for (const op of c.impossible) lines.push(`    ${opLine(op)}: ${op.reason}`);
  return lines;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** What a check was allowed to spend (CheckOptions). */
export type CheckBudget = Pick<CheckOptions, 'timeoutMs' | 'maxSteps'>;

function describeBudget(result: CheckResult, budget: CheckBudget): string {
  if (result.ranOut === 'steps') return `step budget of ${(budget.maxSteps ?? 0).toLocaleString('en-US')} steps`;
  return `time budget of ${seconds(budget.timeoutMs ?? DEFAULT_TIMEOUT_MS)}`;
}

export function describeResult(
  file: string,
  result: CheckResult,
  budget: CheckBudget,
  revisions: readonly RevisionViolation[] = [],
  serializable: readonly SerializableViolation[] = [],
): string[] {
  const summary = `${result.ops} ops, ${result.parts} part${result.parts === 1 ? '' : 's'}, ${seconds(result.wallMs)}`;
  const lines: string[] = [];
  const revisionBad = revisions.length > 0;
  if (result.verdict === 'linearizable' && !revisionBad && serializable.length === 0) return [`${file}: linearizable (${summary})`];
  if (result.verdict === 'unknown') {
    const open = result.partResults.filter((p) => p.verdict === 'unknown').length;
    lines.push(`${file}: unknown (${summary}): ${describeBudget(result, budget)} ran out with ${open} of ${result.parts} parts undecided`);
  } else if (result.verdict === 'not-linearizable') {
    lines.push(`${file}: NOT linearizable (${summary})`);
  } else {
    lines.push(`${file}: NOT linearizable (${summary}): ${revisionBad ? 'revisions are inconsistent' : 'a serializable read returned a state that never was'}`);
  }
  if (result.counterexample !== undefined) lines.push(...describeCounterexample(result.counterexample));
  if (revisionBad) {
    lines.push('  revision order violations:');
    for (const v of revisions) lines.push(`    ${v.message}`);
  }
  if (serializable.length > 0) {
    lines.push('  serializable reads of no state the key had:');
    for (const v of serializable) lines.push(`    ${v.message}`);
  }
  return lines;
}
