/**
 * Serializable gets may be stale by design (etcd serves them from the member's own store), so
 * linearizability does not hold them. They still return a state the key had: what a write
 * made at the record's modRevision, invoked no later than the read returned. This checks that much
 * per read, against the whole history: a write reporting that revision, of that key and
 * value, invoked before the read returned; or, for a revision no ok write reports, a write of
 * unknown outcome of that key and value invoked before then. A missing key is always some
 * past state (the store began empty).
 */
import type { Operation } from './history.js';
import type { EtcdInput, EtcdOutput, GetResult, TxnOp } from './models/etcd-parse.js';
import { writeRevision } from './models/etcd-parse.js';

export interface SerializableViolation {
  readonly message: string;
  /** The read's return (history time). */
  readonly at: number;
}

/** The value a write gives `key`: a put's, a txn's last put of it in its branch (or the success branch, if unknown), null if it deletes it. */
function writtenValue(input: EtcdInput, key: string, output?: EtcdOutput): string | null | undefined {
  if (input.f === 'put') return input.key === key ? input.value : undefined;
  if (input.f === 'delete') return input.key === key ? null : undefined;
  if (input.f !== 'txn') return undefined;
  const branches: readonly (readonly TxnOp[])[] =
    output?.f === 'txn' ? [output.succeeded ? input.success : input.failure] : [input.success, input.failure];
  let found: string | null | undefined;
  for (const ops of branches) {
    for (const op of ops) if (op.key === key && op.f !== 'get') found = op.f === 'put' ? op.value : null;
  }
  return found;
}

export function checkSerializableReads(ops: readonly Operation[]): SerializableViolation[] {
  const byRevision = new Map<number, Operation>();
  for (const op of ops) {
    if (op.type !== 'ok' || op.output === undefined) continue;
    const revision = writeRevision(op.input as EtcdInput, op.output as EtcdOutput);
    if (revision !== undefined) byRevision.set(revision, op);
  }
  const unknownWrites = ops.filter((op) => op.type === 'info');
  const violations: SerializableViolation[] = [];
  for (const read of ops) {
    const input = read.input as EtcdInput;
    if (read.type !== 'ok' || input.f !== 'get' || !input.serializable) continue;
    const result = (read.output as Extract<EtcdOutput, { f: 'get' }>).result;
    if (result.value === null) continue;
    if (!madeBy(result, input.key, read.ret, byRevision, unknownWrites)) {
      const what = `serializable get ${input.key} -> ${JSON.stringify(result.value)} mod=${result.modRevision}`;
      violations.push({ message: `op ${read.label} ${what} returned a state the key never had: no write of that value to it at revision ${result.modRevision} was invoked before the read returned`, at: read.ret });
    }
  }
  return violations;
}

function madeBy(result: GetResult, key: string, readRet: number, byRevision: ReadonlyMap<number, Operation>, unknownWrites: readonly Operation[]): boolean {
  const known = byRevision.get(result.modRevision);
  if (known !== undefined) {
    return known.call <= readRet && writtenValue(known.input as EtcdInput, key, known.output as EtcdOutput) === result.value;
  }
  return unknownWrites.some((op) => op.call <= readRet && writtenValue(op.input as EtcdInput, key) === result.value);
}

