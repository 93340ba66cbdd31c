/**
 * The simulation benchmark (`npm run bench`): what a seed costs, as ratios within one
 * run so the machine's speed cancels out. Prints markdown tables for the README.
 *
 * - the ceiling: a bare event loop (heap push and pop, one call and one random draw per
 *   event, no Raft), and each standard scenario's events per second against it;
 * - trace recording off, hashed and full;
 * - seeds per second on 1 and 2 worker threads;
 * - memory per run;
 * - how the cost grows with cluster size, run length and clients.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { findScenario } from '../scenarios/index.js';
import { EventQueue } from '../sim/event-queue.js';
import { RandomStream } from '../sim/random.js';
import { defineScenario, type Scenario, type ScenarioInput } from '../sim/scenario.js';
import { runScenario } from '../sim/simulation.js';
import { sweepSeeds } from '../sim/sweep.js';
import type { TraceLevel } from '../sim/trace.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 20);
const here = dirname(fileURLToPath(import.meta.url));

function builtIn(name: string): Scenario {
  const scenario = findScenario(name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
}

/** Events per second of a loop that does what the simulator's loop does, minus the simulation. */
function bareLoop(events: number): number {
  const queue = new EventQueue<{ node: number }>();
  const random = new RandomStream(1, 'bench');
  let sink = 0;
  const handle = (item: { node: number }) => {
    sink += item.node;
  };
  for (let node = 0; node < 64; node++) queue.push(random.int(0, 10), { node });
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const next = queue.pop()!;
    handle(next);
    queue.push(queue.poppedTime + 1 + random.int(0, 9), next);
  }
  const ms = performance.now() - started;
  if (sink < 0) console.log(sink);
  return events / (ms / 1000);
}

interface Measured {
  readonly eventsPerSecond: number;
  readonly msPerSeed: number;
  readonly realTimeFactor: number;
}

function measure(scenario: Scenario, trace: TraceLevel = 'off', seeds = SEEDS): Measured {
  let events = 0;
  let simulated = 0;
  const started = performance.now();
  for (let seed = 1; seed <= seeds; seed++) {
    const result = runScenario(scenario, { seed, trace });
    events += result.stats.events;
    simulated += result.stats.simulatedMs;
  }
  const ms = performance.now() - started;
  return { eventsPerSecond: events / (ms / 1000), msPerSeed: ms / seeds, realTimeFactor: simulated / ms };
}

function memoryPerRun(scenario: Scenario, trace: TraceLevel): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = runScenario(scenario, { seed: 1, trace });
  const after = process.memoryUsage().heapUsed;
  if (kept.events.length < 0) console.log(kept.traceHash);
  return (after - before) / 1e6;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function variant(name: string, input: Omit<ScenarioInput, 'name'>): Scenario {
  return defineScenario({ name, ...input });
}

async function main(): Promise<void> {
  // Warm the JIT so the first row is not penalised.
  measure(builtIn('happy'), 'off', 3);
  const ceiling = bareLoop(5_000_000);
  console.log(`Bare event loop (heap, one call and one random draw per event): ${fmt(ceiling)} events/s\n`);

  console.log('| scenario | events/s | × slower than the bare loop | ms per seed | × real time |');
  console.log('|---|---:|---:|---:|---:|');
  for (const name of ['happy', 'flaky-network', 'crash-restart', 'churn', 'nemesis']) {
    const m = measure(builtIn(name));
    console.log(`| ${name} | ${fmt(m.eventsPerSecond)} | ${fmt(ceiling / m.eventsPerSecond, 1)} | ${fmt(m.msPerSeed, 1)} | ${fmt(m.realTimeFactor)} |`);
  }

  const nemesis = builtIn('nemesis');
  const noClients = variant('nemesis-proposals', { ...nemesis, workload: { type: 'proposals' } });
  console.log('\n| trace level (nemesis) | ms per seed | relative to off | heap per run (MB) |');
  console.log('|---|---:|---:|---:|');
  const off = measure(nemesis, 'off');
  for (const level of ['off', 'hash', 'full'] as const) {
    const m = level === 'off' ? off : measure(nemesis, level);
    console.log(`| ${level} | ${fmt(m.msPerSeed, 1)} | ${fmt(m.msPerSeed / off.msPerSeed, 2)} | ${fmt(memoryPerRun(nemesis, level), 1)} |`);
  }
  const raft = measure(noClients);
  console.log(`\nThe same nemesis without clients (Raft alone): ${fmt(raft.eventsPerSecond)} events/s, ${fmt(ceiling / raft.eventsPerSecond, 1)}× the bare loop.`);

  console.log('\n| workers | seeds/s (nemesis) |');
  console.log('|---:|---:|');
  const workerUrl = pathToFileURL(join(here, 'sweep-worker.js'));
  for (const workers of [1, 2]) {
    const seeds = SEEDS * 2;
    const started = performance.now();
    await sweepSeeds({ scenario: nemesis }, { from: 1, to: seeds }, { workers, workerUrl });
    console.log(`| ${workers} | ${fmt(seeds / ((performance.now() - started) / 1000), 1)} |`);
  }

  console.log('\n| nodes | events/s | ms per simulated second |');
  console.log('|---:|---:|---:|');
  for (const nodes of [3, 5, 7, 9]) {
    const m = measure(variant(`nodes-${nodes}`, { ...nemesis, nodes }));
    console.log(`| ${nodes} | ${fmt(m.eventsPerSecond)} | ${fmt(1000 / m.realTimeFactor, 1)} |`);
  }

  console.log('\n| run length | ms per seed | ms per simulated second |');
  console.log('|---:|---:|---:|');
  for (const durationMs of [5_000, 10_000, 20_000, 40_000]) {
    const m = measure(variant(`length-${durationMs}`, { ...nemesis, durationMs }), 'off', Math.max(4, SEEDS / 2));
    console.log(`| ${durationMs / 1000} s | ${fmt(m.msPerSeed, 1)} | ${fmt(1000 / m.realTimeFactor, 1)} |`);
  }

  console.log('\n| clients | ms per seed | events/s |');
  console.log('|---:|---:|---:|');
  for (const clients of [1, 5, 20, 50]) {
    const m = measure(variant(`clients-${clients}`, { ...nemesis, workload: { type: 'register', clients, keys: 4 } }), 'off', Math.max(4, SEEDS / 2));
    console.log(`| ${clients} | ${fmt(m.msPerSeed, 1)} | ${fmt(m.eventsPerSecond)} |`);
  }
}

await main();
