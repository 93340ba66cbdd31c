import { tellStory, type StoryOptions } from '../../sim/story.js';
import { EXIT } from './errors.js';
import { formatCount } from './format.js';
import { loadTraceSource } from './trace-source.js';

export interface StoryFlags {
  readonly from?: number;
  readonly to?: number;
  readonly node?: number;
  /** Only the last this many ms: a failing run stops at its violation, so this is what led to it. */
  readonly last?: number;
  readonly json: boolean;
}

/** `raftsim story <trace.json | repro.json>`: the run told in lines, the plot without the messages. */
export function storyCommand(path: string, flags: StoryFlags, io: { out(line: string): void }): number {
  const { trace, notes } = loadTraceSource(path);
  const end = trace.events.length > 0 ? trace.events[trace.events.length - 1].t : 0;
  const from = flags.last === undefined ? flags.from : Math.max(flags.from ?? 0, end - flags.last);
  // An outage is a pause in successes of at least an election timeout: what losing a leader costs at least.
  const outageMs = trace.scenario.timing.electionTicks * trace.scenario.timing.tickMs;
  const options: StoryOptions = { from, to: flags.to, node: flags.node, outageMs };
  const lines = tellStory(trace.events, options);
  if (flags.json) {
    io.out(JSON.stringify({ scenario: trace.scenario.name, seed: trace.seed, ok: trace.ok, lines }));
    return EXIT.ok;
  }
  const s = trace.stats;
  io.out(`${trace.scenario.name}  seed ${trace.seed}${trace.bug ? `  bug ${trace.bug}` : ''}  ${trace.ok ? 'OK' : 'FAILED'}: ${trace.scenario.nodes} nodes, ${formatCount(s.simulatedMs)} ms simulated`);
  for (const note of notes) io.out(`  ${note}`);
  const width = Math.max(4, ...lines.map((line) => formatCount(line.t).length));
  for (const line of lines) io.out(`${formatCount(line.t).padStart(width)} ms  ${line.text}`);
  io.out(`  ${formatCount(s.leaderChanges)} leader changes up to term ${s.maxTerm}; ${formatCount(s.committed)} entries committed; ${formatCount(s.messagesSent)} messages, ${formatCount(s.messagesDropped)} dropped`);
  if (s.ops.ok + s.ops.fail + s.ops.info > 0) io.out(`  client operations: ${formatCount(s.ops.ok)} ok, ${formatCount(s.ops.fail)} failed, ${formatCount(s.ops.info)} unknown`);
  const lin = trace.linearizability;
  if (lin) io.out(`  their history (${lin.model} model): ${lin.verdict}`);
  return EXIT.ok;
}
