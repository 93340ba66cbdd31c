/**
 * The simulation benchmark (`npm run bench`): what a seed costs, as ratios within one
 * run so the machine's speed cancels out. Prints markdown tables for the README.
 *
 * - the ceiling: a bare event loop (heap push and pop, one call and one random draw per
 *   event, no Raft), and each standard scenario's events per second against it, both for
 *   the simulation itself and with the end-of-run history checks counted in;
 * - trace recording off, hashed and full;
 * - seeds per second on 1 and 2 worker threads, for a short sweep and a long one (both cold);
 * - memory per run;
 * - how the cost grows with cluster size, run length and clients.
 *
 * Every row runs in its own fresh worker thread (see sim-tasks.ts).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { SIMULATION_THREAD_LIMITS } from '../sim/sweep.js';
import { runTask, simulatingRate, type Runs, type ScenarioRef, type Task, type TaskResult } from './sim-tasks.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
const here = dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);

function inFreshThread<K extends TaskResult['kind']>(task: Task & { kind: K }): Promise<TaskResult & { kind: K }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(self, { workerData: task, resourceLimits: SIMULATION_THREAD_LIMITS });
    worker.once('message', (result: TaskResult & { kind: K }) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Events per second over the whole run, history checks included. */
const overallRate = (r: Runs) => r.events / (r.wallMs / 1000);
const msPerSeed = (r: Runs) => r.wallMs / r.seeds;
/** The lowest and highest of a row's per-block ratios. */
const spread = (ratios: readonly number[]) => `${fmt(Math.min(...ratios), 1)}–${fmt(Math.max(...ratios), 1)}`;
const checkShare = (r: Runs) => (r.checkMs / r.wallMs) * 100;

function runs(scenario: ScenarioRef, seeds = SEEDS, trace: 'off' | 'hash' | 'full' = 'off'): Promise<Runs> {
  return inFreshThread({ kind: 'runs', scenario, seeds, trace });
}

async function main(): Promise<void> {
  const { eventsPerSecond: ceiling } = await inFreshThread({ kind: 'bare', events: 5_000_000 });
  console.log(`Bare event loop (heap, one call and one random draw per event), alone in a fresh thread: ${fmt(ceiling)} events/s`);
  console.log('Each row\'s ratios are to the bare loop run in its own thread around its counted seeds, once the thread is warm');
  console.log('("spread": the lowest and highest ratio of its four blocks of seeds, each against the loop timed before and after it;');
  console.log('"warm after": the uncounted seeds it took; "first 5 seeds": how much slower a fresh thread ran its first five).\n');

  console.log('| scenario | events/s simulating | × the bare loop | spread | events/s with checks | × the bare loop | ms per seed | checking | × real time | warm after | first 5 seeds |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const rows: [string, ScenarioRef][] = [
    ...['happy', 'flaky-network', 'crash-restart', 'churn', 'nemesis'].map((name): [string, ScenarioRef] => [name, { name }]),
    ['nemesis, Raft alone', { name: 'nemesis', change: { workload: { type: 'proposals' } } }],
  ];
  const simulating = new Map<string, number>();
  for (const [label, scenario] of rows) {
    const r = await runs(scenario);
    const bare = r.bareEventsPerSecond;
    simulating.set(label, bare / simulatingRate(r));
    console.log(
      `| ${label} | ${fmt(simulatingRate(r))} | ${fmt(bare / simulatingRate(r), 1)} | ${spread(r.simulatingRatios)} | ${fmt(overallRate(r))} | ${fmt(bare / overallRate(r), 1)} | ${fmt(msPerSeed(r), 1)} | ${fmt(checkShare(r))}% | ${fmt(r.simulatedMs / r.wallMs)} | ${r.warmUp.seeds} seeds | ${fmt(simulatingRate(r) / r.warmUp.firstBlockEventsPerSecond, 1)}× slower |`,
    );
  }

  // What is left for Raft, disks, invariants, state machines and clients once the queue and the network have had their share.
  console.log('\n| scenario | queue and network alone, × the bare loop | the whole simulation, × the bare loop (above) | the rest |');
  console.log('|---|---:|---:|---:|');
  for (const [label, scenario] of rows.filter(([label]) => label.startsWith('nemesis'))) {
    const { ratio } = await inFreshThread({ kind: 'floor', scenario, seeds: SEEDS });
    const whole = simulating.get(label)!;
    console.log(`| ${label} | ${fmt(ratio, 1)} | ${fmt(whole, 1)} | ${fmt(whole - ratio, 1)} |`);
  }

  const nemesis: ScenarioRef = { name: 'nemesis' };
  console.log('\n| trace level (nemesis) | ms per seed simulating | × off | heap a run\'s result holds (MB) |');
  console.log('|---|---:|---:|---:|');
  const simulatingMs = (r: Runs) => (r.wallMs - r.checkMs) / r.seeds;
  const off = await runs(nemesis, SEEDS, 'off');
  for (const trace of ['off', 'hash', 'full'] as const) {
    const r = trace === 'off' ? off : await runs(nemesis, SEEDS, trace);
    const { heapMb } = await inFreshThread({ kind: 'memory', scenario: nemesis, trace });
    console.log(`| ${trace} | ${fmt(simulatingMs(r), 1)} | ${fmt(simulatingMs(r) / simulatingMs(off), 2)} | ${fmt(heapMb, 1)} |`);
  }

  // Sweeps start cold, as `raftsim sweep` does: a short one is mostly warm-up.
  const sweepSizes = [SEEDS * 5, SEEDS * 20];
  console.log(`\n| workers | ${sweepSizes.map((seeds) => `seeds/s, nemesis ${seeds} seeds`).join(' | ')} |`);
  console.log(`|---:|${sweepSizes.map(() => '---:').join('|')}|`);
  const workerUrl = pathToFileURL(join(here, 'sweep-worker.js')).href;
  for (const workers of [1, 2]) {
    const rates: number[] = [];
    for (const seeds of sweepSizes) rates.push((await inFreshThread({ kind: 'sweep', scenario: nemesis, seeds, workers, workerUrl })).seedsPerSecond);
    console.log(`| ${workers} | ${rates.map((rate) => fmt(rate, 1)).join(' | ')} |`);
  }

  // A simulated second's cost in bare-loop events (its simulating time times the loop's rate
  // in the same thread): the machine's speed cancels out, so rows compare with each other.
  const growth = async (title: string, variants: [string, ScenarioRef][], seeds = SEEDS) => {
    console.log(`\n| ${title} | ms per seed | ms per simulated second, simulating | × the first row | checking | events/s simulating |`);
    console.log('|---:|---:|---:|---:|---:|---:|');
    let first: number | undefined;
    for (const [label, scenario] of variants) {
      const r = await runs(scenario, seeds);
      const perSimulatedSecond = ((r.wallMs - r.checkMs) / r.simulatedMs) * 1000;
      const inBareEvents = (perSimulatedSecond / 1000) * r.bareEventsPerSecond;
      first ??= inBareEvents;
      console.log(`| ${label} | ${fmt(msPerSeed(r), 1)} | ${fmt(perSimulatedSecond, 1)} | ${fmt(inBareEvents / first, 2)} | ${fmt(checkShare(r))}% | ${fmt(simulatingRate(r))} |`);
    }
  };
  await growth('nodes', [3, 5, 7, 9].map((nodes) => [String(nodes), { name: 'nemesis', change: { nodes } }]));
  await growth(
    'run length',
    [5_000, 10_000, 20_000, 40_000].map((durationMs) => [`${durationMs / 1000} s`, { name: 'nemesis', change: { durationMs } }]),
    Math.max(4, SEEDS / 2),
  );
  await growth(
    'clients',
    [1, 5, 20, 50].map((clients) => [String(clients), { name: 'nemesis', change: { workload: { type: 'register', clients, keys: 4 } } }]),
    Math.max(4, SEEDS / 2),
  );
}

if (isMainThread) await main();
else parentPort!.postMessage(await runTask(workerData as Task));
