import type { FaultAction, Scenario } from './scenario.js';
import { HISTORY_CHECKS } from './kv-checks.js';
import { simplifyWorkload } from './shrink-workload.js';
import { runScenario, type RunOptions, type RunResult } from './simulation.js';

/** How big a failing run is: what shrinking makes smaller. */
export interface RunSize {
  readonly faults: number;
  /** Client operations invoked (0 for the proposals workload). */
  readonly ops: number;
  readonly durationMs: number;
  readonly clients: number;
}

export interface ShrinkOptions {
  readonly seed: number;
  /** Everything else a run takes (the seed and the trace level are the shrinker's). */
  readonly run?: Omit<RunOptions, 'seed' | 'trace'>;
  /** Runs the shrinker may spend; the smallest failure found by then is the answer. */
  readonly maxRuns?: number;
  /**
   * False keeps the seed: a candidate counts only if it fails under the seed given. By default
   * a failure that proves to hang on timing (RESEED_AFTER schedules with fewer faults in a row
   * pass) may move to another seed (see `shrink`).
   */
  readonly reseed?: boolean;
  /** Called after every run, for progress. */
  readonly onRun?: (runs: number, best: RunSize) => void;
}

export interface ShrinkResult {
  /** The invariant the original run broke first; every kept candidate breaks it too. */
  readonly check: string;
  readonly message: string;
  readonly before: RunSize;
  readonly after: RunSize;
  /** The smallest failing scenario: no nemesis, an explicit fault schedule. */
  readonly scenario: Scenario;
  /** The seed the smallest failure fails under: the one given, unless the shrinker re-seeded. */
  readonly seed: number;
  readonly traceHash: string;
  readonly runs: number;
  /** False when the run budget ran out before every reduction was tried. */
  readonly complete: boolean;
}

export class NothingToShrink extends Error {}

const DEFAULT_MAX_RUNS = 400;
/** Candidates in a row that must pass under the current seed before others are tried too. */
const RESEED_AFTER = 8;
/** Seeds a candidate is tried under once re-seeding is on: the current one and fresh ones. */
const SEEDS_PER_CANDIDATE = 4;

/**
 * Finds a smaller run that fails the same check. The nemesis is first written down as the
 * explicit schedule it carried out (which replays it exactly), then: the run cut after the
 * violation, fewer faults (delta debugging), a shorter run, the schedule moved earlier, fewer
 * clients, a simpler workload, and fewer faults once more. Every candidate is a full run, so a
 * kept one is a true repro.
 *
 * Where a failure hangs on exact timing, any removed fault moves every later message, and a
 * smaller schedule that fails the same way under another seed is as good a repro. So once
 * RESEED_AFTER schedules with fewer faults in a row have passed under the current seed, each
 * one that passes is also run under fresh seeds (never one tried before); the first that fails
 * the same check is kept with its seed, and the run cut after its violation. Any kept candidate
 * starts the count again; the other reductions stay on the current seed.
 */
export function shrink(scenario: Scenario, options: ShrinkOptions): ShrinkResult {
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  let runs = 0;
  let runOptions = options.run;
  let seed = options.seed;
  const attempt = (candidate: Scenario, trace: RunOptions['trace'] = 'off', under = seed): RunResult => {
    runs++;
    return runScenario(candidate, { ...runOptions, seed: under, trace });
  };
  const reseeding = new Reseeding(options.seed, options.reseed ?? true);

  const original = attempt(scenario);
  if (original.ok) throw new NothingToShrink(`${scenario.name} seed ${options.seed} passes every check: nothing to shrink`);
  const check = original.violations[0].invariant;
  // A Raft invariant broken as the run goes needs no history check to be seen again: a
  // candidate that does not break it first is rejected whatever its history says.
  if (!HISTORY_CHECKS.has(check)) runOptions = { ...options.run, historyChecks: false };
  const before = sizeOf(scenario, original);
  let best = { scenario, result: original };
  const budgetLeft = () => runs < maxRuns;
  /** Keeps `candidate` if it still fails the same check under one of `seeds` (and, when asked, is smaller by `better`). */
  const keepIfFails = (candidate: Scenario, seeds: Iterable<number>, better?: (result: RunResult) => boolean): boolean => {
    for (const under of seeds) {
      if (!budgetLeft()) return false;
      const result = attempt(candidate, 'off', under);
      options.onRun?.(runs, sizeOf(best.scenario, best.result));
      if (result.ok || result.violations[0].invariant !== check || (better && !better(result))) continue;
      best = { scenario: candidate, result };
      seed = under;
      reseeding.kept();
      return true;
    }
    return false;
  };
  const tryCandidate = (candidate: Scenario, better?: (result: RunResult) => boolean) => keepIfFails(candidate, [seed], better);
  /** A different workload is only simpler if the run invokes fewer operations. */
  const tryWorkload = (candidate: Scenario) => tryCandidate(candidate, (result) => invoked(result) < invoked(best.result));

  tryCandidate(explicitSchedule(scenario, original));
  const tryDuration = (durationMs: number) => tryCandidate(withDuration(best.scenario, durationMs));
  const cutAfter = () => cutAfterViolation(() => best, check, tryDuration);
  /** Fewer faults: the one kind of candidate that may move to another seed. */
  const keepFaults = (faults: FaultAction[]): boolean => {
    const seedBefore = seed;
    if (!keepIfFails({ ...best.scenario, faults }, reseeding.seedsFor(seed))) {
      reseeding.passed();
      return false;
    }
    // Under another seed the violation can come much earlier: a cut then drops at once what came after it.
    if (seed !== seedBefore) cutAfter();
    return true;
  };
  const currentFaults = () => best.scenario.faults;
  if (best.scenario.nemesis === undefined) {
    // Cut after the violation first: one run drops every later fault, which ddmin would remove a chunk at a time.
    cutAfter();
    shrinkFaults(currentFaults, keepFaults);
    shrinkDuration(() => best, check, tryDuration);
    shiftEarlier(() => best.scenario, tryCandidate);
    shrinkClients(best.scenario, (clients) => tryCandidate(withClients(best.scenario, clients)));
    simplifyWorkload(() => best.scenario, check, tryWorkload);
    shrinkFaults(currentFaults, keepFaults);
  } else {
    shrinkDuration(() => best, check, tryDuration);
    shrinkClients(best.scenario, (clients) => tryCandidate(withClients(best.scenario, clients)));
    simplifyWorkload(() => best.scenario, check, tryWorkload);
  }
  const complete = budgetLeft();
  // The answer is run once more, whole and with the trace hashed, as `raftsim replay` will run it.
  runOptions = options.run;
  const final = attempt(best.scenario, 'hash');
  return {
    check,
    message: final.violations[0]?.message ?? best.result.violations[0].message,
    before,
    after: sizeOf(best.scenario, final),
    scenario: best.scenario,
    seed,
    traceHash: final.traceHash,
    runs,
    complete,
  };
}

/** When the shrinker tries other seeds, and which: fresh ones counting up from the seed given. */
class Reseeding {
  private passedInARow = 0;
  private nextFresh: number;

  constructor(
    start: number,
    private readonly enabled: boolean,
  ) {
    this.nextFresh = start + 1;
  }

  /** The current seed, then (once re-seeding is on) fresh ones, each taken only when it is tried. */
  *seedsFor(current: number): Generator<number> {
    yield current;
    if (!this.enabled || this.passedInARow < RESEED_AFTER) return;
    for (let i = 1; i < SEEDS_PER_CANDIDATE; i++) yield this.nextFresh++;
  }

  kept(): void {
    this.passedInARow = 0;
  }

  passed(): void {
    this.passedInARow++;
  }
}

/**
 * A failing seed written down as it is, without shrinking: the nemesis as an explicit
 * schedule (which replays the run exactly), or the scenario itself if that did not fail
 * the same way. Cheap enough for every failing seed of a sweep.
 */
export function reproOfFailure(scenario: Scenario, seed: number, run: ShrinkOptions['run'] = {}): ShrinkResult {
  const original = runScenario(scenario, { ...run, seed, trace: 'off' });
  if (original.ok) throw new NothingToShrink(`${scenario.name} seed ${seed} passes every check`);
  const check = original.violations[0].invariant;
  const explicit = explicitSchedule(scenario, original);
  const replayed = runScenario(explicit, { ...run, seed, trace: 'hash' });
  const same = replayed.violations[0]?.invariant === check;
  const chosen = same ? explicit : scenario;
  const final = same ? replayed : runScenario(scenario, { ...run, seed, trace: 'hash' });
  const size = sizeOf(scenario, original);
  return { check, message: final.violations[0].message, before: size, after: sizeOf(chosen, final), scenario: chosen, seed, traceHash: final.traceHash, runs: same ? 2 : 3, complete: true };
}

/** The scenario with its nemesis replaced by what the nemesis (and the schedule) did, on the network it ran on. */
export function explicitSchedule(scenario: Scenario, run: Pick<RunResult, 'faults' | 'network'>): Scenario {
  return { ...scenario, nemesis: undefined, faults: [...run.faults], network: run.network };
}

const invoked = (result: RunResult) => result.history.filter((event) => event.type === 'invoke').length;

export function sizeOf(scenario: Scenario, result: RunResult): RunSize {
  return {
    faults: scenario.nemesis ? result.faults.length : scenario.faults.length,
    ops: invoked(result),
    durationMs: scenario.durationMs,
    clients: 'clients' in scenario.workload ? scenario.workload.clients : 0,
  };
}

/**
 * Delta debugging (Zeller's ddmin): remove ever smaller chunks of the schedule while
 * the run still fails; ends 1-minimal (no single fault can go) unless the budget ends it.
 */
function shrinkFaults(current: () => readonly FaultAction[], stillFails: (faults: FaultAction[]) => boolean): void {
  let faults = current();
  let chunks = 2;
  while (faults.length > 0) {
    const size = Math.ceil(faults.length / chunks);
    let removed = false;
    for (let start = 0; start < faults.length; start += size) {
      const without = [...faults.slice(0, start), ...faults.slice(start + size)];
      if (stillFails(without)) {
        // What is kept may be shorter still: the run cut after its violation.
        faults = current();
        chunks = Math.max(chunks - 1, 2);
        removed = true;
        break;
      }
    }
    if (removed) continue;
    if (size === 1) return;
    chunks = Math.min(chunks * 2, faults.length);
  }
}

/**
 * A safety violation needs nothing after it was seen (for a history that is not
 * linearizable, once the op that cannot be placed returned); liveness needs the time after
 * the faults. May not hold for linearizability: a later read that reveals where an unknown
 * write went can be what makes an earlier read stale.
 */
function cutAfterViolation(current: () => { scenario: Scenario; result: RunResult }, check: string, stillFails: (durationMs: number) => boolean): void {
  if (check === 'liveness') return;
  const { result, scenario } = current();
  const cut = Math.max(1, Math.ceil(Math.max(result.violations[0].time, ...observedReturns(result))) + 1);
  // Once cut there, the same cut again would only repeat the run.
  if (cut < scenario.durationMs) stillFails(cut);
}

/** When the ops that could not be placed returned (those that did). */
function observedReturns(result: RunResult): number[] {
  const impossible = result.linearizability?.counterexample?.detail.impossible ?? [];
  return impossible.flatMap((op) => (op.ret === null ? [] : [op.ret]));
}

/** A shorter run: first cut right after the violation, then halve what is left while it still fails. */
function shrinkDuration(current: () => { scenario: Scenario; result: RunResult }, check: string, stillFails: (durationMs: number) => boolean): void {
  cutAfterViolation(current, check, stillFails);
  const lastFault = () => Math.max(0, ...current().scenario.faults.map((fault) => fault.at));
  for (let step = Math.floor(current().scenario.durationMs / 2); step >= 50; step = Math.floor(step / 2)) {
    while (current().scenario.durationMs - step > lastFault() && stillFails(current().scenario.durationMs - step));
  }
}

/** An earlier start: the whole schedule and the run's end moved earlier while it still fails. */
function shiftEarlier(current: () => Scenario, stillFails: (scenario: Scenario) => boolean): void {
  const firstFault = () => Math.min(...current().faults.map((fault) => fault.at));
  if (current().faults.length === 0) return;
  for (let step = Math.floor(firstFault() / 2); step >= 50; step = Math.floor(step / 2)) {
    while (firstFault() >= step && stillFails(shifted(current(), step)));
  }
}

function shifted(scenario: Scenario, byMs: number): Scenario {
  return { ...scenario, durationMs: scenario.durationMs - byMs, faults: scenario.faults.map((fault) => ({ ...fault, at: fault.at - byMs })) };
}

/** Fewer clients: the fewest that still fail, trying from one upwards. */
function shrinkClients(scenario: Scenario, stillFails: (clients: number) => boolean): void {
  if (!('clients' in scenario.workload)) return;
  for (let clients = 1; clients < scenario.workload.clients; clients++) if (stillFails(clients)) return;
}

function withDuration(scenario: Scenario, durationMs: number): Scenario {
  return { ...scenario, durationMs, faults: scenario.faults.filter((fault) => fault.at <= durationMs) };
}

function withClients(scenario: Scenario, clients: number): Scenario {
  if (!('clients' in scenario.workload)) return scenario;
  return { ...scenario, workload: { ...scenario.workload, clients } };
}
