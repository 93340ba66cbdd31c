/**
 * `npm run bench:real`: puts per second and latency percentiles on a three-member loopback
 * cluster of `raftsim serve`, and of etcd (Debian's etcd-server) when `etcd` is on the PATH,
 * in the same run, with the same client, the same concurrency and etcd's default timing.
 * Both are reached through etcd's v3 JSON gateway (HTTP/1.1 + JSON), so etcd pays for its
 * gateway's JSON-to-gRPC hop here, which its own gRPC clients would not.
 *
 * BENCH_SECONDS (default 4) sets the measuring time per row, BENCH_CONCURRENCY (default
 * "1,16,64") the concurrent clients, BENCH_VALUE_BYTES (default 100) the value size,
 * BENCH_ROUNDS (default 2) the tries per row, of which the faster is reported.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enc, EtcdHttpClient, type JsonRecord } from '../src/server/client.js';
import { freePorts } from '../test/helpers/ports.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const VALUE_BYTES = Number(process.env.BENCH_VALUE_BYTES ?? 100);
const KEYS = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const RAFTSIM = join(dirname(fileURLToPath(import.meta.url)), 'raftsim.js');

interface Cluster {
  readonly name: string;
  readonly endpoints: string[];
  readonly children: ChildProcess[];
}

/** Three members of raftsim or etcd; both take etcd's flags. */
async function startCluster(name: 'raftsim' | 'etcd', dir: string): Promise<Cluster> {
  const ports = await freePorts(6);
  const members = [0, 1, 2].map((i) => ({ name: `m${i + 1}`, client: ports[2 * i], peer: ports[2 * i + 1] }));
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
  const children = members.map((m) => {
    const flags = [
      '--name', m.name, '--data-dir', join(dir, `${name}-${m.name}`),
      '--listen-client-urls', `http://127.0.0.1:${m.client}`, '--advertise-client-urls', `http://127.0.0.1:${m.client}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peer}`,
      '--initial-cluster', initialCluster, '--initial-cluster-token', `bench-${name}`,
    ];
    const [command, args] = name === 'etcd' ? ['etcd', [...flags, '--initial-cluster-state', 'new', '--log-level', 'error']] : ['node', [RAFTSIM, 'serve', ...flags]];
    return spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore'] });
  });
  const cluster = { name, endpoints: members.map((m) => `127.0.0.1:${m.client}`), children };
  try {
    await waitHealthy(cluster);
  } catch (error) {
    stopCluster(cluster);
    throw error;
  }
  return cluster;
}

async function waitHealthy(cluster: Cluster): Promise<void> {
  const client = new EtcdHttpClient(cluster.endpoints, { timeoutMs: 1000 });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await client.call('/v3/kv/put', { key: enc('bench/ready'), value: enc('1') });
      client.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${cluster.name}: no healthy cluster within 30 s`);
}

function stopCluster(cluster: Cluster): void {
  for (const child of cluster.children) child.kill('SIGKILL');
}

interface Row {
  readonly system: string;
  readonly clients: number;
  readonly puts: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `clients` closed loops, spread over the members, each putting one key after another. */
async function measure(cluster: Cluster, clients: number): Promise<Row> {
  const value = enc('x'.repeat(VALUE_BYTES));
  const connections = cluster.endpoints.map((e) => new EtcdHttpClient([e], { timeoutMs: 10_000 }));
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let running = true;
  const loops = Array.from({ length: clients }, async (_, i) => {
    const client = connections[i % connections.length];
    while (running) {
      const started = performance.now();
      const body: JsonRecord = { key: enc(`bench/${Math.floor(Math.random() * KEYS)}`), value };
      try {
        await client.call('/v3/kv/put', body);
        if (measuring) latencies.push(performance.now() - started);
      } catch {
        if (measuring) errors++;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  measuring = true;
  const from = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  measuring = false;
  const elapsed = (performance.now() - from) / 1000;
  running = false;
  await Promise.all(loops);
  for (const c of connections) c.close();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    system: cluster.name,
    clients,
    puts: sorted.length,
    errors,
    perSecond: sorted.length / elapsed,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

function etcdVersion(): string | undefined {
  const result = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(1));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'raftsim-bench-'));
  const etcd = etcdVersion();
  const systems: ('raftsim' | 'etcd')[] = etcd ? ['raftsim', 'etcd'] : ['raftsim'];
  if (!etcd) console.error('etcd is not on the PATH (apt-get install -y etcd-server): measuring raftsim alone');
  const rows: Row[] = [];
  // Both clusters are up at once (an idle one costs only heartbeats) and the rows alternate,
  // so both systems see the same machine; each row is the better of ROUNDS tries.
  const clusters: Cluster[] = [];
  try {
    for (const system of systems) clusters.push(await startCluster(system, dir));
    for (const clients of CONCURRENCY) {
      const best = new Map<string, Row>();
      for (let round = 0; round < ROUNDS; round++) {
        for (const cluster of clusters) {
          const row = await measure(cluster, clients);
          console.error(`${cluster.name} ×${clients}: ${row.perSecond.toFixed(0)} puts/s, p99 ${ms(row.p99)} ms`);
          if ((best.get(cluster.name)?.perSecond ?? -1) < row.perSecond) best.set(cluster.name, row);
        }
      }
      rows.push(...best.values());
    }
  } finally {
    clusters.forEach(stopCluster);
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`Three members on loopback, best of ${ROUNDS} runs of ${SECONDS} s per row after 1 s of warm-up, ${VALUE_BYTES}-byte values over ${KEYS} keys, clients spread over the members${etcd ? `; etcd ${etcd}` : ''}.\n`);
  console.log('| system | clients | puts/s | p50 ms | p90 ms | p99 ms | max ms | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.system} | ${r.clients} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.errors} |`);
  }
}

await main();
