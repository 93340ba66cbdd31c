import { z } from 'zod';

/**
 * The scenario schema: the one definition behind TypeScript scenarios in `scenarios/`
 * and JSON scenario files. Every field has a default, so `{"name": "x"}` is a scenario.
 */

const nodeRef = z.union([z.number().int().positive(), z.enum(['leader', 'follower', 'random'])]);
const nodeOrAll = z.union([nodeRef, z.literal('all')]);
const at = z.number().int().nonnegative();

const networkSettings = z.strictObject({
  minLatencyMs: z.number().int().nonnegative().default(1),
  latencySpreadMs: z.number().int().nonnegative().default(4),
  dropRate: z.number().min(0).max(1).default(0),
  duplicateRate: z.number().min(0).max(1).default(0),
  /** The long tail: this share of messages is held up to `tailMs` more (a slow path, a GC'd router). */
  tailRate: z.number().min(0).max(1).default(0),
  tailMs: z.number().int().nonnegative().default(0),
});

/** What a crash does to the writes the node had not synced yet. */
export const unsyncedFates = ['lose', 'keep-some', 'tear'] as const;

export const faultActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ at, action: z.literal('partition'), groups: z.array(z.array(nodeRef).min(1)).min(1) }),
  z.strictObject({ at, action: z.literal('isolate'), node: nodeRef }),
  z.strictObject({ at, action: z.literal('cut'), from: nodeRef, to: nodeRef }),
  z.strictObject({ at, action: z.literal('uncut'), from: nodeRef, to: nodeRef }),
  /** The link from → to holds every message arriving on it (none lost) until `unclog` (or `heal`) lets them through at once. */
  z.strictObject({ at, action: z.literal('clog'), from: nodeRef, to: nodeRef }),
  z.strictObject({ at, action: z.literal('unclog'), from: nodeRef, to: nodeRef }),
  /** Two halves that can both reach one node, the bridge (drawn when absent), but not each other. */
  z.strictObject({ at, action: z.literal('bridge'), node: nodeRef.optional() }),
  /** A ring of overlapping majorities: each node reaches its neighbours, a majority, but no two see the same one. */
  z.strictObject({ at, action: z.literal('ring') }),
  /** Replaces every cut with exactly these directed links (what bridge and ring are carried out as). */
  z.strictObject({ at, action: z.literal('cuts'), links: z.array(z.tuple([nodeRef, nodeRef])), label: z.string().optional() }),
  z.strictObject({ at, action: z.literal('heal') }),
  z.strictObject({
    at,
    action: z.literal('crash'),
    node: nodeRef,
    /** lose (the default): every unsynced write is gone; keep-some: the first `keep` reached the disk; tear: and the next one only partly. */
    unsynced: z.enum(unsyncedFates).optional(),
    /** How many unsynced writes survive (keep-some, tear); drawn from the nemesis stream when absent. */
    keep: z.number().int().nonnegative().optional(),
  }),
  /**
   * The node's process is killed and its machine stays up (kill -9): no write is lost (the
   * operating system has them, synced or not), and its clients' connections reset at once.
   */
  z.strictObject({ at, action: z.literal('kill'), node: nodeRef }),
  /** Each sync of the node's disk takes this long from now on: nothing it must persist first leaves before. */
  z.strictObject({ at, action: z.literal('disk'), node: nodeRef, syncMs: z.number().int().nonnegative().max(10_000) }),
  /** The node's clock runs at this rate from now on: its timers and its leases speed up or slow down. */
  z.strictObject({ at, action: z.literal('clock'), node: nodeRef, rate: z.number().min(0.1).max(10) }),
  /**
   * A trap: the next node to grant a vote while two candidates contest the term crashes the
   * instant its grant leaves (losing unsynced writes) and restarts `restartAfterMs` later.
   */
  z.strictObject({ at, action: z.literal('crash-voter'), restartAfterMs: z.number().int().nonnegative().max(10_000).default(0) }),
  z.strictObject({ at, action: z.literal('restart'), node: nodeOrAll }),
  z.strictObject({ at, action: z.literal('pause'), node: nodeRef }),
  z.strictObject({ at, action: z.literal('resume'), node: nodeOrAll }),
  z.strictObject({ at, action: z.literal('network'), settings: networkSettings.partial() }),
  /**
   * The network loses this one message between nodes, named by its id in the trace (it was
   * sent at `at`): the playground's "drop it". Its random draws are made as if it went, so
   * nothing else moves. Client connections never lose packets: an id of one drops nothing.
   */
  z.strictObject({ at, action: z.literal('drop'), message: z.number().int().positive() }),
  /** Membership changes, proposed at the leader of the moment (no leader, or refused: a note says so). */
  z.strictObject({ at, action: z.literal('add-learner'), node: nodeRef }),
  /** A learner becomes a voter (skipped with a note when the node is no learner). */
  z.strictObject({ at, action: z.literal('promote'), node: nodeRef }),
  z.strictObject({ at, action: z.literal('add-voter'), node: nodeRef }),
  z.strictObject({ at, action: z.literal('remove'), node: nodeRef }),
  /** Several changes at once through joint consensus, left on its own once committed unless `autoLeave` is false. */
  z.strictObject({
    at,
    action: z.literal('joint'),
    add: z.array(z.number().int().positive()).default([]),
    remove: z.array(z.number().int().positive()).default([]),
    autoLeave: z.boolean().optional(),
  }),
  z.strictObject({ at, action: z.literal('leave-joint') }),
  /** The leader hands leadership to `to` (drawn from the nemesis stream among the others when absent). */
  z.strictObject({ at, action: z.literal('transfer'), to: nodeRef.optional() }),
]);

export const nemesisFaults = [
  'partition',
  'isolate',
  'bridge',
  'ring',
  'one-way',
  'flaky-link',
  'clog',
  'crash',
  'crash-voter',
  'lost-fsync',
  'torn-write',
  'pause',
  'flaky',
  'delay',
  'clock',
  'slow-disk',
  'membership',
  'transfer',
  'kill',
] as const;

const LATER_NEMESIS_FAULTS: ReadonlySet<NemesisFault> = new Set(['membership', 'transfer', 'kill', 'clog']);

/**
 * The kinds a nemesis uses when the scenario names none: all but `membership` (it changes
 * who is in the cluster), `transfer`, `kill` and `clog`, which came later: drawing them by
 * default would change every existing seed's run. Name them in `faults` to have them drawn
 * (swarm testing draws from that list too).
 */
export const defaultNemesisFaults: readonly NemesisFault[] = nemesisFaults.filter((kind) => !LATER_NEMESIS_FAULTS.has(kind));

const nemesisSchema = z.strictObject({
  /** Mean time between nemesis actions. */
  intervalMs: z.number().int().positive().default(1000),
  faults: z.array(z.enum(nemesisFaults)).min(1).default([...defaultNemesisFaults]),
  /** Swarm testing: each seed draws which of `faults` are on and how strongly (see sim/swarm.ts). */
  swarm: z.boolean().default(false),
});

const clientFields = {
  /** Concurrent clients, each one operation at a time (a Jepsen process). */
  clients: z.number().int().min(1).max(200).default(3),
  /** Pause between a client's operations: uniform in [0, thinkMs]. */
  thinkMs: z.number().int().nonnegative().default(20),
  /** An operation with no answer by then ends as `info` (a write) or `fail` (a read). */
  timeoutMs: z.number().int().positive().default(500),
};

/** The key distribution: this share of operations goes to one hot key, the rest uniformly to all. */
const hotKeyShare = z.number().min(0).max(1).default(0);

const workloadSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('proposals'),
    /** Time between proposals, each sent to a random live node. */
    intervalMs: z.number().int().positive().default(50),
  }),
  z.strictObject({ type: z.literal('register'), ...clientFields, keys: z.number().int().min(1).max(100).default(2), hotKeyShare }),
  z.strictObject({
    type: z.literal('kv'),
    ...clientFields,
    keys: z.number().int().min(2).max(1000).default(5),
    hotKeyShare,
    /** Share of gets served locally without ReadIndex (may be stale; not checked). */
    serializableShare: z.number().min(0).max(1).default(0),
  }),
  z.strictObject({ type: z.literal('bank'), ...clientFields, accounts: z.number().int().min(2).max(100).default(5) }),
  z.strictObject({
    type: z.literal('watch'),
    ...clientFields,
    keys: z.number().int().min(2).max(1000).default(4),
    hotKeyShare,
    /** Watchers on the workload's prefix, beside the writing clients. */
    watchers: z.number().int().min(1).max(50).default(2),
  }),
  z.strictObject({
    type: z.literal('lease'),
    ...clientFields,
    /** The TTL each lease is granted, in seconds (etcd's unit). */
    ttlSeconds: z.number().int().min(1).default(1),
    keysPerLease: z.number().int().min(0).max(20).default(2),
  }),
]);

export type WorkloadConfig = z.output<typeof workloadSchema>;

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().default(''),
  /**
   * Set on a scenario that fails by design, to show a known hazard: which check must fail,
   * and why. Tests that require every scenario to pass leave these out (and assert the failure).
   */
  expectFailure: z.string().min(1).optional(),
  nodes: z.number().int().min(1).max(15).default(3),
  /** How many of the nodes (1..members) the cluster starts with as voters; the rest start outside it. Default: all. */
  members: z.number().int().min(1).max(15).optional(),
  durationMs: z.number().int().positive().default(10_000),
  timing: z
    .strictObject({
      tickMs: z.number().int().positive().default(10),
      electionTicks: z.number().int().min(2).default(10),
      heartbeatTicks: z.number().int().positive().default(1),
    })
    .default({ tickMs: 10, electionTicks: 10, heartbeatTicks: 1 }),
  /** Flow control of the Raft node (etcd's MaxSizePerMsg, counted in entries and in bytes, MaxInflightMsgs and MaxUncommittedEntriesSize), log compaction, and election hardening. */
  raft: z
    .strictObject({
      maxEntriesPerAppend: z.number().int().min(1).max(10_000).default(64),
      maxInflight: z.number().int().min(1).max(4096).default(64),
      /** Payload bytes per append; one entry always goes, however large. 0 = unbounded. */
      maxBytesPerAppend: z.number().int().nonnegative().default(0),
      /** Payload bytes a leader may hold uncommitted before it drops proposals (etcd's MaxUncommittedEntriesSize); 0 = unbounded. */
      maxUncommittedBytes: z.number().int().nonnegative().default(0),
      /** Snapshot the state machine and compact the log once this many entries were applied since the last snapshot; 0 = never. */
      snapshotEntries: z.number().int().nonnegative().default(0),
      /** Entries kept behind each compaction, so a follower lagging by fewer needs no snapshot (etcd's SnapshotCatchUpEntries). */
      snapshotCatchUpEntries: z.number().int().nonnegative().default(5),
      /** A would-be candidate first asks whether it could win, without raising its term. */
      preVote: z.boolean().default(false),
      /** A leader without a majority steps down; a node that hears a leader ignores campaigns. */
      checkQuorum: z.boolean().default(false),
      /** index: a heartbeat round per read; lease: trust CheckQuorum (needs checkQuorum; unsafe when clocks drift). */
      readMode: z.enum(['index', 'lease']).default('index'),
    })
    .default({
      maxEntriesPerAppend: 64,
      maxInflight: 64,
      maxBytesPerAppend: 0,
      maxUncommittedBytes: 0,
      snapshotEntries: 0,
      snapshotCatchUpEntries: 5,
      preVote: false,
      checkQuorum: false,
      readMode: 'index',
    }),
  network: networkSettings.default({ minLatencyMs: 1, latencySpreadMs: 4, dropRate: 0, duplicateRate: 0, tailRate: 0, tailMs: 0 }),
  workload: workloadSchema.default({ type: 'register', clients: 3, thinkMs: 20, timeoutMs: 500, keys: 2, hotKeyShare: 0 }),
  faults: z.array(faultActionSchema).default([]),
  nemesis: nemesisSchema.optional(),
  /** After the fault phase: heal everything and require a leader within this bound (0 turns it off). */
  livenessMs: z.number().int().nonnegative().default(3000),
  /** A storm check: more events than this in one simulated second fail the run (0 turns it off). */
  maxEventsPerSecond: z.number().int().nonnegative().default(200_000),
  /** Keeps running this long once the cluster is stable again (leases need time to expire). */
  settleMs: z.number().int().nonnegative().default(0),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type FaultAction = z.output<typeof faultActionSchema>;
export type NodeRef = z.output<typeof nodeRef>;
export type NemesisFault = (typeof nemesisFaults)[number];
export type NetworkSettingsInput = z.output<typeof networkSettings>;
export type UnsyncedFate = (typeof unsyncedFates)[number];

/** Fills in defaults and validates; throws a ScenarioError naming the offending field. */
export function defineScenario(input: ScenarioInput, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new ScenarioError(source, formatIssue(result.error.issues[0]));
  const scenario = result.data;
  checkNodeIds(scenario, source);
  if (scenario.raft.readMode === 'lease' && !scenario.raft.checkQuorum) {
    throw new ScenarioError(source, 'field raft.readMode: lease reads need raft.checkQuorum: true (without it nothing ends a deposed leader\'s lease)');
  }
  return scenario;
}

export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
  }
}

export function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length === 0 ? '' : `${formatPath(issue.path)}.`;
    return `field ${where}${issue.keys[0]}: unknown field`;
  }
  const path = issue.path.length === 0 ? '(top level)' : formatPath(issue.path);
  return `field ${path}: ${issue.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function checkNodeIds(scenario: Scenario, source: string): void {
  const check = (ref: unknown, path: string) => {
    if (typeof ref === 'number' && ref > scenario.nodes) {
      throw new ScenarioError(source, `field ${path}: node ${ref} does not exist (the cluster has nodes 1..${scenario.nodes})`);
    }
  };
  if (scenario.members !== undefined && scenario.members > scenario.nodes) {
    throw new ScenarioError(source, `field members: ${scenario.members} is more than the ${scenario.nodes} nodes`);
  }
  scenario.faults.forEach((fault, i) => {
    const path = `faults[${i}]`;
    if (fault.at > scenario.durationMs) {
      throw new ScenarioError(source, `field ${path}.at: ${fault.at} is after the end of the run (durationMs ${scenario.durationMs})`);
    }
    if ('node' in fault) check(fault.node, `${path}.node`);
    if (fault.action === 'transfer' && fault.to !== undefined) check(fault.to, `${path}.to`);
    if (fault.action === 'cut' || fault.action === 'uncut') {
      check(fault.from, `${path}.from`);
      check(fault.to, `${path}.to`);
    }
    if (fault.action === 'partition') fault.groups.forEach((group, g) => group.forEach((ref, j) => check(ref, `${path}.groups[${g}][${j}]`)));
    if (fault.action === 'joint') [...fault.add, ...fault.remove].forEach((ref, j) => check(ref, `${path}.${j < fault.add.length ? 'add' : 'remove'}[${j < fault.add.length ? j : j - fault.add.length}]`));
    if (fault.action === 'cuts') fault.links.forEach((link, l) => link.forEach((ref, j) => check(ref, `${path}.links[${l}][${j}]`)));
  });
}

/**
 * Whether the run's configs may differ from "every node a voter". Only then is each
 * leader commit checked against its config's majority as it happens: without membership
 * changes the crash-time durability check covers it, and the planted bugs stay caught
 * by the invariants the README names for them.
 */
export function changesMembership(scenario: Scenario): boolean {
  const confActions: readonly FaultAction['action'][] = ['add-learner', 'promote', 'add-voter', 'remove', 'joint', 'leave-joint'];
  return (
    (scenario.members ?? scenario.nodes) < scenario.nodes ||
    scenario.faults.some((fault) => confActions.includes(fault.action)) ||
    (scenario.nemesis?.faults.includes('membership') ?? false)
  );
}
