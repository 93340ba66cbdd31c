/**
 * The command replicated through Raft and applied to every replica's
 * MvccStore, with a JSON wire encoding validated by zod on decode.
 */
import { z } from 'zod';
import type { Lessor } from './lessor.js';
import type { MvccStore } from './store.js';
import type {
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KvResult,
  LeaseGrantResponse,
  LeaseId,
  LeaseRevokeResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  ResponseHeader,
  Revision,
  TxnRequest,
  TxnResponse,
} from './types.js';

export type KvCommand =
  | ({ op: 'range' } & RangeRequest)
  | ({ op: 'put' } & PutRequest)
  | ({ op: 'deleteRange' } & DeleteRangeRequest)
  | ({ op: 'txn' } & TxnRequest)
  | { op: 'compact'; revision: Revision }
  | { op: 'leaseGrant'; id: LeaseId; ttl: number }
  | { op: 'leaseRevoke'; id: LeaseId };

export type KvOp = KvCommand['op'];

type Tagged<O extends KvOp, T> = { op: O } & KvResult<T>;

/** Result of applying a command: tagged with the op; `ok` discriminates success / error. */
export type KvResponse =
  | Tagged<'range', RangeResponse>
  | Tagged<'put', PutResponse>
  | Tagged<'deleteRange', DeleteRangeResponse>
  | Tagged<'txn', TxnResponse>
  | Tagged<'compact', CompactionResponse>
  | Tagged<'leaseGrant', LeaseGrantResponse>
  | Tagged<'leaseRevoke', LeaseRevokeResponse>;

// ------------------------------------------------------------------ schema

const int = z.number().int();
const optBool = z.boolean().optional();

const rangeRequest = {
  key: z.string(),
  rangeEnd: z.string().optional(),
  limit: int.min(0).optional(),
  revision: int.optional(),
  keysOnly: optBool,
  countOnly: optBool,
};
const putRequest = { key: z.string(), value: z.string(), lease: int.optional(), prevKv: optBool };
const deleteRangeRequest = { key: z.string(), rangeEnd: z.string().optional(), prevKv: optBool };

const compareResult = z.enum(['EQUAL', 'NOT_EQUAL', 'LESS', 'GREATER']);
const compareBase = { key: z.string(), rangeEnd: z.string().optional(), result: compareResult };
const compareSchema = z.discriminatedUnion('target', [
  z.strictObject({ ...compareBase, target: z.literal('VALUE'), value: z.string() }),
  z.strictObject({ ...compareBase, target: z.literal('VERSION'), version: int }),
  z.strictObject({ ...compareBase, target: z.literal('CREATE'), createRevision: int }),
  z.strictObject({ ...compareBase, target: z.literal('MOD'), modRevision: int }),
  z.strictObject({ ...compareBase, target: z.literal('LEASE'), lease: int }),
]);

const requestOpSchema = z.union([
  z.strictObject({ requestRange: z.strictObject(rangeRequest) }),
  z.strictObject({ requestPut: z.strictObject(putRequest) }),
  z.strictObject({ requestDeleteRange: z.strictObject(deleteRangeRequest) }),
]);

export const kvCommandSchema: z.ZodType<KvCommand> = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('range'), ...rangeRequest }),
  z.strictObject({ op: z.literal('put'), ...putRequest }),
  z.strictObject({ op: z.literal('deleteRange'), ...deleteRangeRequest }),
  z.strictObject({
    op: z.literal('txn'),
    compare: z.array(compareSchema),
    success: z.array(requestOpSchema),
    failure: z.array(requestOpSchema),
  }),
  z.strictObject({ op: z.literal('compact'), revision: int }),
  z.strictObject({ op: z.literal('leaseGrant'), id: int, ttl: int }),
  z.strictObject({ op: z.literal('leaseRevoke'), id: int }),
]);

export function encodeCommand(cmd: KvCommand): string {
  return JSON.stringify(cmd);
}

/** Decode and validate a log entry; throws an Error with a clear message on corrupt input. */
export function decodeCommand(s: string): KvCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(s);
  } catch (e) {
    throw new Error(`decodeCommand: entry is not valid JSON (${(e as Error).message}): ${s.slice(0, 200)}`);
  }
  const parsed = kvCommandSchema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`decodeCommand: invalid kv command: ${z.prettifyError(parsed.error)}\n  entry: ${s.slice(0, 200)}`);
  }
  return parsed.data;
}

// ------------------------------------------------------------------ apply

function withTerm<T extends { header: ResponseHeader }>(r: KvResult<T>, raftTerm: number): KvResult<T> {
  if (r.ok) r.response.header.raftTerm = raftTerm;
  return r;
}

/** Apply one committed command to the store. `raftTerm` is written into the response headers. */
export function applyCommand(store: MvccStore, cmd: KvCommand, raftTerm = 0): KvResponse {
  switch (cmd.op) {
    case 'range':
      return { op: 'range', ...withTerm(store.range(cmd), raftTerm) };
    case 'put':
      return { op: 'put', ...withTerm(store.put(cmd), raftTerm) };
    case 'deleteRange':
      return { op: 'deleteRange', ...withTerm(store.deleteRange(cmd), raftTerm) };
    case 'txn': {
      const r = withTerm(store.txn(cmd), raftTerm);
      if (r.ok) {
        for (const op of r.response.responses) {
          if ('responseRange' in op) op.responseRange.header.raftTerm = raftTerm;
          else if ('responsePut' in op) op.responsePut.header.raftTerm = raftTerm;
          else op.responseDeleteRange.header.raftTerm = raftTerm;
        }
      }
      return { op: 'txn', ...r };
    }
    case 'compact':
      return { op: 'compact', ...withTerm(store.compact(cmd.revision), raftTerm) };
    case 'leaseGrant':
      return { op: 'leaseGrant', ...withTerm(store.leaseGrant(cmd.id, cmd.ttl), raftTerm) };
    case 'leaseRevoke':
      return { op: 'leaseRevoke', ...withTerm(store.leaseRevoke(cmd.id), raftTerm) };
  }
}

/**
 * Keep a Lessor in step with applied lease commands: a successful grant
 * registers the lease (with the granted TTL), a successful revoke forgets it.
 */
export function applyToLessor(lessor: Lessor, cmd: KvCommand, resp: KvResponse, nowMs: number): void {
  if (!resp.ok) return;
  if (resp.op === 'leaseGrant') lessor.grant(resp.response.id, resp.response.ttl, nowMs);
  else if (resp.op === 'leaseRevoke' && cmd.op === 'leaseRevoke') lessor.revoke(cmd.id);
}
