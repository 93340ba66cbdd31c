import { get, request as httpRequest, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { GatewayError, GRPC } from './gateway-errors.js';

/** Bodies larger than etcd's default request limit (1.5 MiB) plus room for encoding are refused. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new GatewayError(GRPC.InvalidArgument, 'etcdserver: request is too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, error: GatewayError): void {
  sendJson(res, error.status, error.body());
}

export function sendText(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Any failure that is not already an etcd error becomes Internal (500), never a crash. */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError(GRPC.Internal, `raftsim: ${error instanceof Error ? error.message : String(error)}`);
}

/** GETs a JSON document from a peer; undefined when it does not answer soon, or not with JSON. */
export function getJson(url: URL, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/**
 * How a POST to a peer ended: its answer (a 200 with a JSON body, parsed), or `unreachable`
 * (the connection was refused, so the request never arrived), or `lost` (it may have arrived:
 * no answer, another status, or a body that is not JSON).
 */
export type PeerPost = { readonly kind: 'answer'; readonly body: unknown } | { readonly kind: 'unreachable' } | { readonly kind: 'lost' };

/** POSTs `body` as JSON to a peer and waits up to `timeoutMs` (plus half a second) for its answer. */
export function postJson(url: URL, body: unknown, timeoutMs: number, agent?: Agent): Promise<PeerPost> {
  const text = JSON.stringify(body);
  return new Promise((resolve) => {
    let sent = false;
    const req = httpRequest(url, {
      method: 'POST',
      ...(agent ? { agent } : {}),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      timeout: timeoutMs + 500,
    });
    req.on('socket', (socket) => {
      if (!socket.connecting) sent = true;
      else socket.once('connect', () => (sent = true));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
          resolve({ kind: 'answer', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        } catch {
          resolve({ kind: 'lost' });
        }
      });
      res.on('error', () => resolve({ kind: 'lost' }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', () => resolve(sent ? { kind: 'lost' } : { kind: 'unreachable' }));
    req.end(text);
  });
}
