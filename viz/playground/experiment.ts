/**
 * The playground's experiment: a scenario, a seed, and the faults the user added at chosen
 * moments. It lives in the page's URL fragment, so every change is a history entry (the
 * browser's Back undoes it) and a link reopens the same run. Pure: tested under Node.
 */
import { defineScenario, faultActionSchema, ScenarioError, type FaultAction, type NodeRef, type Scenario } from '../../sim/scenario.js';
import { z } from 'zod';
import type { BugName } from '../../src/bugs.js';

export interface ExperimentView {
  readonly from: number;
  readonly to: number;
  readonly cursor: number;
}

export interface Experiment {
  readonly seed: number;
  /** In the order they were added; the run orders them by time (stably). */
  readonly added: readonly FaultAction[];
  /** How long the fault phase lasts, in place of the scenario's `durationMs` (then everything heals). */
  readonly durationMs?: number;
  readonly view?: ExperimentView;
}

/** The longest fault phase the page offers: every edit reruns the whole run in the page. */
export const MAX_PLAYGROUND_MS = 120_000;

/** Who an action can be aimed at besides a numbered node: the leader when it fires, or every node. */
export type Target = NodeRef | 'all';
type Aim = 'leader' | 'all' | 'nobody' | 'node';

/** `peer`: the word before a second node the action names (a link's other end, a partner), a numbered one or the leader; empty for none. */
const action = (label: string, aim: Aim, build: (at: number, target: Target, peer: NodeRef) => FaultAction, peer = '') => ({ label, aim, build, peer });
const one = (target: Target): NodeRef => (target === 'all' ? 'leader' : target);
const any = (target: Target): NodeRef | 'all' => (target === 'leader' ? 'all' : target);

/**
 * What the user may do at a moment, each an ordinary fault action, so a scenario file
 * replays it. `aim` says whom besides a numbered node it can take: `leader` (whoever leads
 * when it fires), `all`, or nobody at all; `peer`, the word before a second node it takes.
 */
export const PLAYGROUND_ACTIONS = {
  crash: action('crash (unsynced writes lost)', 'leader', (at, t) => ({ at, action: 'crash', node: one(t) })),
  kill: action('kill -9 (its disk keeps every write)', 'leader', (at, t) => ({ at, action: 'kill', node: one(t) })),
  restart: action('restart', 'all', (at, t) => ({ at, action: 'restart', node: any(t) })),
  pause: action('pause', 'leader', (at, t) => ({ at, action: 'pause', node: one(t) })),
  resume: action('resume', 'all', (at, t) => ({ at, action: 'resume', node: any(t) })),
  isolate: action('isolate (cut all its links)', 'leader', (at, t) => ({ at, action: 'isolate', node: one(t) })),
  split: action('split it off from the rest', 'leader', (at, t, peer) => ({ at, action: 'partition', groups: [[one(t), peer]] }), 'with'),
  cut: action('cut its messages (one way)', 'leader', (at, t, peer) => ({ at, action: 'cut', from: one(t), to: peer }), 'to'),
  uncut: action('let its messages through again', 'leader', (at, t, peer) => ({ at, action: 'uncut', from: one(t), to: peer }), 'to'),
  clog: action('hold its messages (one way, none lost)', 'leader', (at, t, peer) => ({ at, action: 'clog', from: one(t), to: peer }), 'to'),
  unclog: action('release its held messages at once', 'leader', (at, t, peer) => ({ at, action: 'unclog', from: one(t), to: peer }), 'to'),
  heal: action('heal every link', 'nobody', (at) => ({ at, action: 'heal' })),
  'clock-fast': action('its clock runs ×2 fast', 'leader', (at, t) => ({ at, action: 'clock', node: one(t), rate: 2 })),
  'clock-slow': action('its clock runs ×0.5 slow', 'leader', (at, t) => ({ at, action: 'clock', node: one(t), rate: 0.5 })),
  transfer: action('the leader hands leadership to it', 'node', (at, t) => ({ at, action: 'transfer', to: one(t) })),
} as const;

export type PlaygroundAction = keyof typeof PLAYGROUND_ACTIONS;

/** What the page knows of the links at a moment: the clogged ones and the cut ones, as drawn. */
export interface LinksInView {
  readonly clogs: readonly { readonly from: number; readonly to: number; readonly start: number; readonly end: number }[];
  readonly partitions: readonly { readonly cuts: readonly (readonly [number, number])[]; readonly start: number; readonly end: number }[];
}

/**
 * The link a release at `t` should name: the first one clogged (for `unclog`) or cut (for
 * `uncut`) at that moment, by its numbered ends. "The leader" would name whoever leads when
 * the release fires, which after a leader change is not the link that was held.
 */
export function linkToRelease(action: PlaygroundAction, links: LinksInView, t: number): readonly [number, number] | undefined {
  const during = (span: { start: number; end: number }) => span.start <= t && t < span.end;
  if (action === 'unclog') {
    const clog = links.clogs.find(during);
    return clog && [clog.from, clog.to];
  }
  if (action === 'uncut') return links.partitions.find(during)?.cuts[0];
  return undefined;
}

export function isPlaygroundAction(name: string): name is PlaygroundAction {
  return Object.hasOwn(PLAYGROUND_ACTIONS, name);
}

/**
 * The scenario the experiment runs: the base with the added faults, in time order, and its
 * fault phase as long as asked. Changed, it gets its own name, so nobody mistakes it for the
 * built-in one; unchanged, it is the base itself.
 */
export function experimentScenario(base: Scenario, experiment: Pick<Experiment, 'added' | 'durationMs'>): Scenario {
  const { added } = experiment;
  const durationMs = experiment.durationMs ?? base.durationMs;
  if (added.length === 0 && durationMs === base.durationMs) return base;
  const faults = [...base.faults, ...added].sort((a, b) => a.at - b.at);
  const changes = [
    ...(added.length > 0 ? [`${added.length} fault${added.length === 1 ? '' : 's'} added`] : []),
    ...(durationMs !== base.durationMs ? [`faults for ${durationMs / 1000} s`] : []),
  ];
  const description = `${base.description ? `${base.description}; ` : ''}${changes.join(', ')} in the playground`;
  return defineScenario({ ...base, name: playgroundName(base.name), description, faults, durationMs }, 'playground');
}

function playgroundName(baseName: string): string {
  return baseName.endsWith('-playground') ? baseName : `${baseName}-playground`;
}

/** The fragment's format version: links are shared, so a later change of shape must be told apart. */
export const FRAGMENT_VERSION = 1;

const fragmentSchema = z.strictObject({
  v: z.literal(FRAGMENT_VERSION),
  seed: z.number().int().nonnegative(),
  added: z.array(faultActionSchema).default([]),
  durationMs: z.number().int().min(100).max(MAX_PLAYGROUND_MS).optional(),
  view: z.strictObject({ from: z.number(), to: z.number(), cursor: z.number() }).optional(),
});

/** The URL fragment (without `#`) that holds an experiment. */
export function encodeExperiment(experiment: Experiment): string {
  return encodeURIComponent(JSON.stringify({ v: FRAGMENT_VERSION, ...experiment }));
}

export type Decoded = { readonly ok: true; readonly experiment: Experiment } | { readonly ok: false; readonly error: string };

/**
 * Reads an experiment back from a fragment; one that is empty is the page's own starting
 * point. A fragment edited by hand into nonsense is refused with what is wrong, never run.
 */
export function decodeExperiment(fragment: string, base: Scenario, defaultSeed: number): Decoded {
  const text = fragment.replace(/^#/, '');
  if (text === '') return { ok: true, experiment: { seed: defaultSeed, added: [] } };
  let raw: unknown;
  try {
    raw = JSON.parse(decodeURIComponent(text));
  } catch {
    return { ok: false, error: 'the link\'s experiment (after #) is not JSON' };
  }
  const parsed = fragmentSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `the link's experiment, field ${issue.path.join('.') || '(top level)'}: ${issue.message}` };
  }
  try {
    experimentScenario(base, parsed.data);
  } catch (error) {
    if (error instanceof ScenarioError) return { ok: false, error: error.message };
    throw error;
  }
  const { v: _version, ...experiment } = parsed.data;
  return { ok: true, experiment };
}

/** One line for a fault in the list of what was added. */
export function describeAction(fault: FaultAction): string {
  const who = (ref: NodeRef | 'all') => (ref === 'leader' ? 'the leader' : ref === 'all' ? 'every node' : `node ${ref}`);
  switch (fault.action) {
    case 'crash':
      return `crash ${who(fault.node)}`;
    case 'kill':
      return `kill -9 ${who(fault.node)}`;
    case 'restart':
      return `restart ${who(fault.node)}`;
    case 'pause':
      return `pause ${who(fault.node)}`;
    case 'resume':
      return `resume ${who(fault.node)}`;
    case 'isolate':
      return `isolate ${who(fault.node)}`;
    case 'partition':
      return `split ${fault.groups.map((group) => group.map(who).join(' and ')).join(' | ')} off from the rest`;
    case 'cut':
      return `${who(fault.from)}'s messages to ${who(fault.to)} are lost`;
    case 'uncut':
      return `${who(fault.from)}'s messages to ${who(fault.to)} get through again`;
    case 'clog':
      return `${who(fault.from)}'s messages to ${who(fault.to)} are held`;
    case 'unclog':
      return `${who(fault.from)}'s held messages to ${who(fault.to)} go on at once`;
    case 'heal':
      return 'heal every link';
    case 'clock':
      return `${who(fault.node)}'s clock ×${fault.rate}`;
    case 'drop':
      return `drop message #${fault.message}`;
    case 'transfer':
      return `transfer leadership to ${fault.to === undefined ? 'another node' : who(fault.to)}`;
    default:
      return fault.action;
  }
}

/** What `raftsim playground` writes into its page: the starting point of every experiment. */
export interface PlaygroundPageData {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly bug?: BugName;
  /** How the reproduce command names the scenario while nothing is added (a built-in's name, or the file given). */
  readonly scenarioArg: string;
}
