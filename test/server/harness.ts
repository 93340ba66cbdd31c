import { spawn, type ChildProcess } from 'node:child_process';
import { EtcdHttpClient, type JsonRecord } from '../../src/server/client.js';
import { RAFTSIM } from '../helpers/build.js';
import { freePorts } from '../helpers/ports.js';

/** Real `raftsim serve` processes on loopback, for the server tests. */

export interface MemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
}

export async function memberSpecs(count: number, dir: string): Promise<MemberSpec[]> {
  const ports = await freePorts(2 * count);
  return Array.from({ length: count }, (_, i) => ({ name: `n${i + 1}`, clientPort: ports[2 * i], peerPort: ports[2 * i + 1], dataDir: `${dir}/n${i + 1}` }));
}

export const endpoint = (spec: MemberSpec): string => `127.0.0.1:${spec.clientPort}`;

/** One member process; its stderr is kept for the test's failure messages. */
export class MemberProcess {
  child: ChildProcess | undefined;
  stderr = '';
  exit: Promise<number | null> = Promise.resolve(null);

  constructor(
    readonly spec: MemberSpec,
    private readonly cluster: readonly MemberSpec[],
    private readonly extraFlags: readonly string[] = ['--heartbeat-interval', '50', '--election-timeout', '500'],
  ) {}

  start(): this {
    const s = this.spec;
    const initialCluster = this.cluster.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
    const child = spawn(
      'node',
      [
        RAFTSIM, 'serve', '--name', s.name, '--data-dir', s.dataDir,
        '--listen-client-urls', `http://127.0.0.1:${s.clientPort}`, '--listen-peer-urls', `http://127.0.0.1:${s.peerPort}`,
        '--initial-cluster', initialCluster, ...this.extraFlags,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderr += chunk));
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
    return this;
  }

  /** "n2 is running", or how it ended and the tail of its stderr: for the messages of waits that time out. */
  describe(): string {
    if (this.running) return `${this.spec.name} is running`;
    const how = this.child?.signalCode ? `was killed (${this.child.signalCode})` : `exited with code ${this.child?.exitCode}`;
    return `${this.spec.name} ${how}; its stderr ends: ${this.stderr.slice(-2000)}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child?.kill('SIGKILL');
    await this.exit;
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/** The member named leader by a majority of the given members' status, once they agree. */
export async function waitForLeader(members: readonly MemberProcess[], timeoutMs = 10_000): Promise<MemberProcess> {
  return waitFor(
    'a leader',
    async () => {
      const leaders = new Map<string, number>();
      for (const m of members) {
        if (!m.running) continue;
        const client = new EtcdHttpClient([endpoint(m.spec)], { timeoutMs: 300 });
        try {
          const status = await client.call('/v3/maintenance/status');
          const head = status.header as JsonRecord;
          if (status.leader !== undefined && status.leader === head.member_id) leaders.set(m.spec.name, (leaders.get(m.spec.name) ?? 0) + 1);
        } catch {
          // Not up yet, or stopped.
        } finally {
          client.close();
        }
      }
      if (leaders.size !== 1) return undefined;
      const name = [...leaders.keys()][0];
      return members.find((m) => m.spec.name === name);
    },
    timeoutMs,
  );
}

export async function stopAll(members: readonly MemberProcess[]): Promise<void> {
  for (const m of members) {
    m.signal('SIGCONT');
    await m.kill9();
  }
}
