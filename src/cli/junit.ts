/**
 * A sweep as a JUnit XML report, the format CI servers (GitLab, Jenkins, CircleCI, Azure
 * Pipelines, GitHub through a reporter action) show as tests: one test case per seed, a
 * failing seed a failure with its violations and the commands that replay it. Built with
 * fast-xml-parser, which escapes; characters XML 1.0 cannot hold are removed first.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { SeedOutcome } from '../../sim/sweep.js';
import type { BugName } from '../bugs.js';

export interface JunitSweep {
  readonly scenario: string;
  readonly bug?: BugName;
  /** The seeds that ran, as the summary names them. */
  readonly seeds: { readonly from: number; readonly to: number };
  readonly outcomes: readonly SeedOutcome[];
  readonly wallMs: number;
  /** The command that replays a seed, as the text summary prints it. */
  readonly replay: (seed: number) => string;
  /** The repro file written for a failing seed, if one was. */
  readonly reproOf: (seed: number) => string | undefined;
}

const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const clean = (text: string) => text.replace(NOT_IN_XML, '');
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitReport(sweep: JunitSweep): string {
  const outcomes = [...sweep.outcomes].sort((a, b) => a.seed - b.seed);
  const failures = outcomes.filter((o) => !o.ok).length;
  const suiteName = clean(sweep.bug ? `${sweep.scenario} --bug ${sweep.bug}` : sweep.scenario);
  const counts = { '@_tests': outcomes.length, '@_failures': failures, '@_errors': 0, '@_skipped': 0, '@_time': seconds(sweep.wallMs) };
  const properties = [
    { '@_name': 'scenario', '@_value': clean(sweep.scenario) },
    { '@_name': 'seeds', '@_value': `${sweep.seeds.from}..${sweep.seeds.to}` },
    ...(sweep.bug ? [{ '@_name': 'bug', '@_value': clean(sweep.bug) }] : []),
  ];
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'raftsim sweep',
      ...counts,
      testsuite: { '@_name': suiteName, ...counts, properties: { property: properties }, testcase: outcomes.map((o) => testCase(o, sweep)) },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true }).build(document) as string;
}

function testCase(outcome: SeedOutcome, sweep: JunitSweep): Record<string, unknown> {
  const head = { '@_classname': clean(`raftsim.${sweep.scenario}`), '@_name': `seed ${outcome.seed}`, '@_time': seconds(outcome.wallMs) };
  if (outcome.ok) {
    if (!outcome.undecided) return head;
    const how = `passed undecided: the linearizability check's step budget ran out; ${sweep.replay(outcome.seed)} shows how to decide it`;
    return { ...head, 'system-out': clean(how) };
  }
  const [first] = outcome.violations;
  const repro = sweep.reproOf(outcome.seed);
  const lines = [
    ...outcome.violations.map((v) => `${v.invariant} at ${v.time} ms: ${v.message}`),
    '',
    `replay: ${sweep.replay(outcome.seed)}`,
    ...(repro ? [`repro file: ${repro} (raftsim replay, raftsim shrink)`] : []),
  ];
  return { ...head, failure: { '@_type': clean(first.invariant), '@_message': clean(`${first.invariant} at ${first.time} ms: ${first.message}`), '#text': clean(lines.join('\n')) } };
}
