import type { KeyValue } from '../../src/kv/types.js';
import { prefixEnd } from '../../src/kv/keyIndex.js';
import { errorCode, type PlannedOp, type StepOutcome, type StepReply, type Workload } from '../kv-client.js';
import type { RandomStream } from '../random.js';

export const BANK_PREFIX = 'acct/';
export const BANK_INITIAL_BALANCE = 100;

/**
 * Jepsen's bank test: accounts whose balances move by transfers, each a read of
 * both accounts and then a transaction guarded by their mod revisions. Money is
 * never created or destroyed, so every complete read must sum to the same total.
 * The first operation of client 0 opens all accounts in one transaction.
 */
export function bankWorkload(accounts: number): Workload {
  let opened = false;
  return {
    next(client: number, random: RandomStream): PlannedOp {
      if (!opened && client === 0) {
        opened = true;
        return open(accounts);
      }
      if (random.chance(0.4)) return readAll();
      const from = random.int(0, accounts - 1);
      const to = (from + random.int(1, accounts - 1)) % accounts;
      return transfer(from, to, random.int(1, 20));
    },
  };
}

const account = (i: number) => `${BANK_PREFIX}${i}`;
const allAccounts = { key: BANK_PREFIX, rangeEnd: prefixEnd(BANK_PREFIX) };

function open(accounts: number): PlannedOp {
  return {
    f: 'open',
    value: accounts,
    request: {
      kind: 'txn',
      req: {
        compare: [{ key: account(0), target: 'CREATE', result: 'EQUAL', createRevision: 0 }],
        success: Array.from({ length: accounts }, (_, i) => ({ requestPut: { key: account(i), value: String(BANK_INITIAL_BALANCE) } })),
        failure: [],
      },
    },
    mayHaveEffect: true,
    complete(reply) {
      if (reply.kind !== 'ok') return { type: 'fail', value: accounts, error: errorCode(reply) };
      const r = reply.response;
      return r.op === 'txn' && r.ok && r.response.succeeded ? { type: 'ok', value: accounts } : { type: 'fail', value: accounts };
    },
  };
}

export function balances(kvs: readonly KeyValue[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kv of kvs) out[kv.key] = Number(kv.value);
  return out;
}

function readAll(): PlannedOp {
  return {
    f: 'read',
    value: null,
    request: { kind: 'range', req: allAccounts },
    mayHaveEffect: false,
    complete(reply) {
      if (reply.kind !== 'ok') return { type: 'fail', value: null, error: errorCode(reply) };
      const r = reply.response;
      return r.op === 'range' && r.ok ? { type: 'ok', value: balances(r.response.kvs) } : { type: 'fail', value: null };
    },
  };
}

function transfer(from: number, to: number, amount: number): PlannedOp {
  const value = { from: account(from), to: account(to), amount };
  return {
    f: 'transfer',
    value,
    request: { kind: 'range', req: allAccounts },
    mayHaveEffect: false,
    complete(reply: StepReply): StepOutcome {
      if (reply.kind !== 'ok') return { type: 'fail', value, error: errorCode(reply) };
      const r = reply.response;
      if (r.op === 'range' && r.ok) {
        const kvs = r.response.kvs;
        const a = kvs.find((kv) => kv.key === value.from);
        const b = kvs.find((kv) => kv.key === value.to);
        if (!a || !b) return { type: 'fail', value, error: 'accounts not open' };
        if (Number(a.value) < amount) return { type: 'fail', value, error: 'insufficient funds' };
        return {
          type: 'continue',
          mayHaveEffect: true,
          request: {
            kind: 'txn',
            req: {
              compare: [
                { key: a.key, target: 'MOD', result: 'EQUAL', modRevision: a.modRevision },
                { key: b.key, target: 'MOD', result: 'EQUAL', modRevision: b.modRevision },
              ],
              success: [
                { requestPut: { key: a.key, value: String(Number(a.value) - amount) } },
                { requestPut: { key: b.key, value: String(Number(b.value) + amount) } },
              ],
              failure: [],
            },
          },
        };
      }
      if (r.op === 'txn' && r.ok) return r.response.succeeded ? { type: 'ok', value } : { type: 'fail', value, error: 'conflict' };
      return { type: 'fail', value, error: 'unexpected reply' };
    },
  };
}
