import type { RawEvent } from '../../src/check/index.js';
import { ConnectionError, dec, enc, EtcdError, EtcdHttpClient, type JsonRecord } from '../../src/server/client.js';

/**
 * Jepsen-style clients against real members, recorded in the history format `raftsim check`
 * reads: registers (reads, writes and compare-and-sets of small integers) or the etcd model
 * (gets, puts and deletes with the revisions the server reports). A write whose outcome is
 * unknown (a timeout, a cut connection) is `info` and retires the process id.
 */

export interface Ack {
  readonly key: string;
  readonly value: number;
}

type Outcome = { type: 'ok'; value: unknown } | { type: 'fail'; error: string } | { type: 'info'; error: string };

/** Errors that prove the request did not run: a refused connection, no leader, an etcd error. */
function classify(error: unknown, mayHaveEffect: boolean): Outcome {
  if (error instanceof ConnectionError && error.refused) return { type: 'fail', error: 'refused' };
  if (error instanceof EtcdError && error.message !== 'etcdserver: request timed out') return { type: 'fail', error: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return mayHaveEffect ? { type: 'info', error: message } : { type: 'fail', error: message };
}

type Model = 'register' | 'etcd';

/** The etcd model's view of a key: what a get returns (zeros when missing). */
function describe(kv: JsonRecord | undefined): JsonRecord {
  return kv
    ? { value: dec(kv.value), version: Number(kv.version ?? 0), createRevision: Number(kv.create_revision ?? 0), modRevision: Number(kv.mod_revision ?? 0) }
    : { value: null, version: 0, createRevision: 0, modRevision: 0 };
}

const revisionOf = (response: JsonRecord): number => Number((response.header as JsonRecord).revision);

/** Client loops, one per client, run from start() until stop() has seen each finish its operation. */
abstract class ClientLoops {
  protected running = false;
  private loops: Promise<void>[] = [];

  protected abstract readonly options: { readonly clients: number };
  protected abstract loop(index: number): Promise<void>;

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.options.clients }, (_, i) => this.loop(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

export class HistoryLoad extends ClientLoops {
  readonly history: RawEvent[] = [];
  /** Writes acknowledged as ok, for the "nothing acknowledged is lost" check. */
  readonly acked: Ack[] = [];
  private nextValue = 1;
  private readonly started = Date.now();

  constructor(
    private readonly endpoints: readonly string[],
    protected readonly options: { model: Model; clients: number; keys: number; timeoutMs: number; thinkMs: number },
  ) {
    super();
  }

  count(type: string, f?: string): number {
    return this.history.filter((e) => e.type === type && (f === undefined || e.f === f)).length;
  }

  private record(process: number, type: string, f: string, key: string, value: unknown, error?: string): void {
    this.history.push({ process, type, f, key, value, time: Date.now() - this.started, ...(error ? { error } : {}) } as RawEvent);
  }

  /** The next operation: reads, writes and a third kind (cas for registers, delete for etcd). */
  private plan(): { f: string; key: string; value: unknown } {
    const etcd = this.options.model === 'etcd';
    const key = `${etcd ? 'e' : 'r'}${Math.floor(Math.random() * this.options.keys)}`;
    const roll = Math.random();
    if (roll < 0.4) return { f: etcd ? 'get' : 'read', key, value: null };
    const v = this.nextValue++;
    if (roll < 0.85) return { f: etcd ? 'put' : 'write', key, value: etcd ? { value: String(v) } : v };
    if (etcd) return { f: 'delete', key, value: null };
    return { f: 'cas', key, value: [Math.floor(Math.random() * 5) + v - 5, v] };
  }

  protected async loop(index: number): Promise<void> {
    let process = index;
    let target = index % this.endpoints.length;
    while (this.running) {
      // Each operation goes to one member; any member serves any request.
      const client = new EtcdHttpClient([this.endpoints[target]], { timeoutMs: this.options.timeoutMs });
      const { f, key, value } = this.plan();
      const mayHaveEffect = f !== 'read' && f !== 'get';
      this.record(process, 'invoke', f, key, value);
      const outcome = await this.run(client, f, key, value).catch((error: unknown) => classify(error, mayHaveEffect));
      client.close();
      if (outcome.type === 'ok') this.record(process, 'ok', f, key, outcome.value);
      else this.record(process, outcome.type, f, key, null, outcome.error);
      if (outcome.type === 'ok' && (f === 'write' || f === 'cas')) this.acked.push({ key, value: f === 'write' ? (value as number) : (value as number[])[1] });
      if (outcome.type === 'info') process += this.options.clients;
      if (outcome.type !== 'ok') target = (target + 1) % this.endpoints.length;
      await new Promise((resolve) => setTimeout(resolve, this.options.thinkMs));
    }
  }

  private async run(client: EtcdHttpClient, f: string, key: string, value: unknown): Promise<Outcome> {
    switch (f) {
      case 'read':
      case 'get': {
        const response = await client.call('/v3/kv/range', { key: enc(key) });
        const kv = (response.kvs as JsonRecord[] | undefined)?.[0];
        return { type: 'ok', value: f === 'get' ? describe(kv) : kv ? Number(dec(kv.value)) : null };
      }
      case 'write':
        await client.call('/v3/kv/put', { key: enc(key), value: enc(String(value)) });
        return { type: 'ok', value };
      case 'put': {
        const v = (value as { value: string }).value;
        const response = await client.call('/v3/kv/put', { key: enc(key), value: enc(v) });
        return { type: 'ok', value: { value: v, revision: revisionOf(response) } };
      }
      case 'delete': {
        const response = await client.call('/v3/kv/deleterange', { key: enc(key) });
        return { type: 'ok', value: { deleted: Number(response.deleted ?? 0), revision: revisionOf(response) } };
      }
      default: {
        const [expected, next] = value as number[];
        const response = await client.call('/v3/kv/txn', {
          compare: [{ key: enc(key), target: 'VALUE', result: 'EQUAL', value: enc(String(expected)) }],
          success: [{ request_put: { key: enc(key), value: enc(String(next)) } }],
        });
        return response.succeeded === true ? { type: 'ok', value } : { type: 'fail', error: 'compare failed' };
      }
    }
  }
}

/** Puts of keys that are never written again, so an acknowledged one must be there at the end. */
export class UniqueWrites extends ClientLoops {
  readonly acked: string[] = [];
  unknown = 0;
  private next = 0;

  constructor(
    private readonly endpoints: readonly string[],
    protected readonly options: { clients: number; timeoutMs: number; prefix: string },
  ) {
    super();
  }

  protected async loop(index: number): Promise<void> {
    let target = index % this.endpoints.length;
    while (this.running) {
      const key = `${this.options.prefix}${String(this.next++).padStart(6, '0')}`;
      const client = new EtcdHttpClient([this.endpoints[target]], { timeoutMs: this.options.timeoutMs });
      try {
        await client.call('/v3/kv/put', { key: enc(key), value: enc(key) });
        this.acked.push(key);
      } catch {
        this.unknown++;
        target = (target + 1) % this.endpoints.length;
        await new Promise((resolve) => setTimeout(resolve, 20));
      } finally {
        client.close();
      }
    }
  }
}

/** Every key under `prefix` that `endpoint` holds, read linearizably. */
export async function keysUnder(endpoint: string, prefix: string): Promise<Set<string>> {
  const client = new EtcdHttpClient([endpoint], { timeoutMs: 5000 });
  try {
    const end = Buffer.from(prefix, 'utf8');
    end[end.length - 1]++;
    const response = await client.call('/v3/kv/range', { key: enc(prefix), range_end: end.toString('base64'), keys_only: true });
    return new Set(((response.kvs as JsonRecord[] | undefined) ?? []).map((kv) => dec(kv.key)));
  } finally {
    client.close();
  }
}
