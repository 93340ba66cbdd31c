import { Agent, request as httpRequest } from 'node:http';

/**
 * A small client for etcd's v3 JSON gateway, used by `raftsim ctl`, the tests and the
 * benchmark; it speaks to raftsim and to etcd alike. It tries the endpoints in order and
 * moves on only when a connection is refused (the request then certainly did not run).
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonRecord = { [key: string]: JsonValue };

/** The server answered with an etcd error body. */
export class EtcdError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** No endpoint answered, or the answer was cut off: the request's outcome is unknown. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    /** True when no connection was ever made, so the request did not run. */
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/** An etcd error body (`{"error","message","code"}`) as an EtcdError; any other text as it is. */
function errorOf(status: number, text: string): EtcdError {
  let parsed: { message?: unknown; code?: unknown } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // Not an etcd error body (a proxy, a wrong port): report the text as it is.
  }
  const message = typeof parsed.message === 'string' ? parsed.message : text.trim() || `HTTP ${status}`;
  return new EtcdError(status, typeof parsed.code === 'number' ? parsed.code : 0, message);
}

/** The message of an error line inside a stream: `{"error":{"grpc_code","message"}}`. */
export function streamErrorMessage(line: JsonRecord): string | undefined {
  const error = line.error;
  if (error === undefined) return undefined;
  return typeof error === 'object' && error !== null && !Array.isArray(error) && typeof error.message === 'string' ? error.message : JSON.stringify(error);
}

export const enc = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const dec = (b64: JsonValue | undefined): string => (typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('utf8') : '');

/** An endpoint as etcdctl takes it: `host:port` or a URL. */
export function endpointUrl(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint.replace(/\/+$/, '') : `http://${endpoint}`;
}

export interface ClientOptions {
  readonly timeoutMs?: number;
}

export class EtcdHttpClient {
  readonly endpoints: readonly string[];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly timeoutMs: number;

  constructor(endpoints: readonly string[], options: ClientOptions = {}) {
    if (endpoints.length === 0) throw new Error('no endpoints');
    this.endpoints = endpoints.map(endpointUrl);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** POSTs `body` to `path`; the parsed JSON answer, or EtcdError / ConnectionError. */
  async call(path: string, body: JsonRecord = {}, endpoint?: string): Promise<JsonRecord> {
    const targets = endpoint ? [endpointUrl(endpoint)] : this.endpoints;
    let last: ConnectionError | undefined;
    for (const target of targets) {
      try {
        return JSON.parse(await this.post(target, path, JSON.stringify(body))) as JsonRecord;
      } catch (error) {
        if (error instanceof ConnectionError && error.refused) {
          last = error;
          continue;
        }
        throw error;
      }
    }
    throw last ?? new ConnectionError('no endpoint', true);
  }

  /** POSTs and hands each line of a streamed answer to `onLine` until the stream ends or `signal` aborts. */
  stream(path: string, body: JsonRecord, onLine: (line: JsonRecord) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const text = JSON.stringify(body);
      const req = httpRequest(`${this.endpoints[0]}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, signal });
      req.on('response', (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => reject(errorOf(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
          return;
        }
        let buffered = '';
        let failed = false;
        // A line the caller rejects (an error in the stream) ends the stream with that error.
        const deliver = (line: string) => {
          if (failed || line === '') return;
          try {
            onLine(JSON.parse(line) as JsonRecord);
          } catch (error) {
            failed = true;
            req.destroy();
            reject(error);
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            deliver(line);
          }
        });
        res.on('end', () => {
          deliver(buffered.trim());
          if (!failed) resolve();
        });
        res.on('error', (error) => (signal?.aborted ? resolve() : reject(error)));
      });
      req.on('error', (error: NodeJS.ErrnoException) => (signal?.aborted ? resolve() : reject(new ConnectionError(error.message, error.code === 'ECONNREFUSED'))));
      req.end(text);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private post(base: string, path: string, body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let connected = false;
      const req = httpRequest(`${base}${path}`, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: this.timeoutMs,
      });
      req.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => (connected = true));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new ConnectionError(error.message, false)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(errorOf(res.statusCode ?? 0, text));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${base} within ${this.timeoutMs} ms`)));
      req.on('error', (error: NodeJS.ErrnoException) => reject(new ConnectionError(`${base}: ${error.message}`, !connected && error.code === 'ECONNREFUSED')));
      req.end(body);
    });
  }
}
