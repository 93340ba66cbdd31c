import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConnectionError, enc, EtcdError, EtcdHttpClient, streamErrorMessage, type JsonRecord } from '../server/client.js';
import {
  asEtcdctlJson, clusterIdOf, formatDelete, formatMemberAdded, formatMemberList, formatPut, formatRange, formatStatus, formatTxn, formatWatchEvents, leaseHex,
  memberHex, parseTxnInput,
} from './ctl-format.js';
import { EXIT } from './errors.js';

/**
 * `raftsim ctl`: etcdctl's everyday commands against raftsim (or etcd) over the v3 JSON
 * gateway, with etcdctl's output; `-w json` prints the responses as etcdctl does.
 */

interface GlobalFlags {
  endpoints: string;
  writeOut: 'simple' | 'json';
  commandTimeout: number;
}

type Io = { out: (line: string) => void; err: (line: string) => void };

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

function parseLeaseId(value: string): string {
  if (!/^[0-9a-fA-F]{1,16}$/.test(value)) throw new InvalidArgumentError('expected a lease ID in hex, as lease grant prints it');
  return BigInt(`0x${value}`).toString();
}

function parseMemberId(value: string): string {
  if (!/^[0-9a-fA-F]{1,16}$/.test(value)) throw new InvalidArgumentError('expected a member ID in hex, as member list prints it');
  return BigInt(`0x${value}`).toString();
}

/** etcd's prefix end: the key with its last byte below 0xff incremented, or "\0" (every key) when none is. */
export function prefixEnd(key: string): string {
  const bytes = Buffer.from(key, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]++;
      return end.toString('base64');
    }
  }
  return Buffer.from([0]).toString('base64');
}

function rangeOf(key: string, rangeEnd: string | undefined, prefix: boolean | undefined): JsonRecord {
  if (prefix) return { key: enc(key === '' ? '\0' : key), range_end: prefixEnd(key) };
  return { key: enc(key), ...(rangeEnd !== undefined ? { range_end: enc(rangeEnd) } : {}) };
}

export function registerCtl(program: Command, io: Io): void {
  const ctl = program
    .command('ctl')
    .description('a client like etcdctl: put, get, del, txn, watch, lease, member, endpoint')
    .option('--endpoints <list>', 'comma-separated gRPC-gateway endpoints', '127.0.0.1:2379')
    .option('-w, --write-out <format>', 'simple or json', 'simple')
    .option('--command-timeout <ms>', 'ms to wait for each answer', parseCount, 10_000);

  /** Runs one command body; etcd errors and unreachable endpoints print "Error: …" and exit 1. */
  const run =
    <A extends unknown[]>(body: (client: EtcdHttpClient, flags: GlobalFlags, ...args: A) => Promise<void>) =>
    async (...args: A) => {
      const flags = ctl.opts<GlobalFlags>();
      if (flags.writeOut !== 'simple' && flags.writeOut !== 'json') {
        io.err(`Error: unsupported output format "${flags.writeOut}" (simple or json)`);
        process.exitCode = EXIT.usage;
        return;
      }
      const client = new EtcdHttpClient(flags.endpoints.split(',').filter((e) => e !== ''), { timeoutMs: flags.commandTimeout });
      try {
        await body(client, flags, ...args);
        process.exitCode = EXIT.ok;
      } catch (error) {
        if (!(error instanceof EtcdError || error instanceof ConnectionError || error instanceof Error)) throw error;
        io.err(`Error: ${error.message}`);
        process.exitCode = EXIT.failed;
      } finally {
        client.close();
      }
    };
  const print = (flags: GlobalFlags, response: JsonRecord, simple: () => string[]) => {
    if (flags.writeOut === 'json') io.out(asEtcdctlJson(response));
    else for (const line of simple()) io.out(line);
  };

  ctl
    .command('put')
    .description('puts a key; prints OK')
    .argument('<key>')
    .argument('<value>')
    .option('--lease <id>', 'attach the key to this lease (hex)', parseLeaseId)
    .option('--prev-kv', 'print the previous key-value')
    .action(
      run(async (client, flags, key: string, value: string, opts: { lease?: string; prevKv?: boolean }) => {
        const response = await client.call('/v3/kv/put', { key: enc(key), value: enc(value), ...(opts.lease ? { lease: opts.lease } : {}), prev_kv: !!opts.prevKv });
        print(flags, response, () => formatPut(response, !!opts.prevKv));
      }),
    );

  ctl
    .command('get')
    .description('gets a key or a range; key and value on lines of their own')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'every key with this prefix')
    .option('--rev <n>', 'read as of this revision', parseCount)
    .option('--limit <n>', 'at most this many keys', parseCount)
    .option('--keys-only', 'keys without values')
    .option('--print-value-only', 'values without keys')
    .option('--count-only', 'only the number of keys')
    .option('--consistency <l|s>', 'l (linearizable) or s (serializable)', 'l')
    .action(
      run(async (client, flags, key: string, rangeEnd: string | undefined, opts: { prefix?: boolean; rev?: number; limit?: number; keysOnly?: boolean; printValueOnly?: boolean; countOnly?: boolean; consistency: string }) => {
        const response = await client.call('/v3/kv/range', {
          ...rangeOf(key, rangeEnd, opts.prefix),
          ...(opts.rev ? { revision: String(opts.rev) } : {}),
          ...(opts.limit ? { limit: String(opts.limit) } : {}),
          keys_only: !!opts.keysOnly,
          count_only: !!opts.countOnly,
          serializable: opts.consistency === 's',
        });
        print(flags, response, () => formatRange(response, opts));
      }),
    );

  ctl
    .command('del')
    .description('deletes a key or a range; prints how many')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'every key with this prefix')
    .option('--prev-kv', 'print the deleted key-values')
    .action(
      run(async (client, flags, key: string, rangeEnd: string | undefined, opts: { prefix?: boolean; prevKv?: boolean }) => {
        const response = await client.call('/v3/kv/deleterange', { ...rangeOf(key, rangeEnd, opts.prefix), prev_kv: !!opts.prevKv });
        print(flags, response, () => formatDelete(response, !!opts.prevKv));
      }),
    );

  ctl
    .command('txn')
    .description('reads compares, success and failure requests from stdin, blank lines between, as etcdctl txn does')
    .option('-i, --interactive', 'accepted for etcdctl compatibility; input is always read from stdin')
    .action(
      run(async (client, flags) => {
        const response = await client.call('/v3/kv/txn', parseTxnInput(readFileSync(0, 'utf8')));
        print(flags, response, () => formatTxn(response));
      }),
    );

  ctl
    .command('watch')
    .description('prints events on a key or a range until interrupted')
    .argument('<key>')
    .argument('[range_end]')
    .option('--prefix', 'every key with this prefix')
    .option('--rev <n>', 'start at this revision', parseCount)
    .option('--prev-kv', 'include the previous key-value in events')
    .action(
      run(async (client, flags, key: string, rangeEnd: string | undefined, opts: { prefix?: boolean; rev?: number; prevKv?: boolean }) => {
        const abort = new AbortController();
        process.once('SIGINT', () => abort.abort());
        const create = { ...rangeOf(key, rangeEnd, opts.prefix), ...(opts.rev ? { start_revision: String(opts.rev) } : {}), prev_kv: !!opts.prevKv };
        await client.stream('/v3/watch', { create_request: create }, (line) => {
          const failure = streamErrorMessage(line);
          if (failure !== undefined) throw new Error(failure);
          const result = (line.result ?? {}) as JsonRecord;
          if (flags.writeOut === 'json') {
            if (result.created !== true) io.out(asEtcdctlJson(result));
          } else for (const text of formatWatchEvents(result)) io.out(text);
        }, abort.signal);
      }),
    );

  const lease = ctl.command('lease').description('lease grant, revoke, keep-alive, timetolive');
  lease
    .command('grant')
    .argument('<ttl>', 'seconds', parseCount)
    .action(
      run(async (client, flags, ttl: number) => {
        const response = await client.call('/v3/lease/grant', { TTL: String(ttl) });
        print(flags, response, () => [`lease ${leaseHex(response.ID)} granted with TTL(${String(response.TTL)}s)`]);
      }),
    );
  lease
    .command('revoke')
    .argument('<id>', 'lease ID in hex', parseLeaseId)
    .action(
      run(async (client, flags, id: string) => {
        const response = await client.call('/v3/lease/revoke', { ID: id });
        print(flags, response, () => [`lease ${leaseHex(id)} revoked`]);
      }),
    );
  lease
    .command('keep-alive')
    .argument('<id>', 'lease ID in hex', parseLeaseId)
    .option('--once', 'renew once and exit')
    .action(
      run(async (client, flags, id: string, opts: { once?: boolean }) => {
        for (let stop = false; !stop; ) {
          let renewed: JsonRecord | undefined;
          await client.stream('/v3/lease/keepalive', { ID: id }, (line) => {
            const failure = streamErrorMessage(line);
          if (failure !== undefined) throw new Error(failure);
            renewed = (line.result ?? {}) as JsonRecord;
          });
          const ttl = Number(renewed?.TTL ?? 0);
          if (!renewed || ttl <= 0) {
            io.out(`lease ${leaseHex(id)} expired or revoked.`);
            return;
          }
          print(flags, renewed, () => [`lease ${leaseHex(id)} keepalived with TTL(${ttl})`]);
          stop = !!opts.once;
          if (!stop) await new Promise((resolve) => setTimeout(resolve, Math.max(500, (ttl * 1000) / 3)));
        }
      }),
    );
  lease
    .command('timetolive')
    .argument('<id>', 'lease ID in hex', parseLeaseId)
    .option('--keys', 'list the attached keys')
    .action(
      run(async (client, flags, id: string, opts: { keys?: boolean }) => {
        const response = await client.call('/v3/lease/timetolive', { ID: id, keys: !!opts.keys });
        const keys = Array.isArray(response.keys) ? response.keys.map((k) => Buffer.from(String(k), 'base64').toString('utf8')) : [];
        print(flags, response, () => [
          Number(response.TTL ?? 0) < 0
            ? `lease ${leaseHex(id)} already expired`
            : `lease ${leaseHex(id)} granted with TTL(${String(response.grantedTTL ?? 0)}s), remaining(${String(response.TTL ?? 0)}s)${opts.keys ? `, attached keys([${keys.join(' ')}])` : ''}`,
        ]);
      }),
    );

  const member = ctl.command('member').description('member list, add, remove, promote, update');
  member
    .command('list')
    .description('the members: ID, status, name, peer and client URLs, whether a learner')
    .action(
      run(async (client, flags) => {
        const response = await client.call('/v3/cluster/member/list', {});
        print(flags, response, () => formatMemberList(response));
      }),
    );
  member
    .command('add')
    .description('adds a member (a voter, or with --learner a learner); then start it with --initial-cluster-state existing')
    .argument('<name>', 'the new member\'s --name')
    .requiredOption('--peer-urls <url>', 'the new member\'s peer URL')
    .option('--learner', 'add it as a learner: it receives the log but does not vote until promoted')
    .action(
      run(async (client, flags, name: string, opts: { peerUrls: string; learner?: boolean }) => {
        const response = await client.call('/v3/cluster/member/add', { peerURLs: opts.peerUrls.split(','), isLearner: opts.learner === true, name });
        print(flags, response, () => formatMemberAdded(response, name));
      }),
    );
  const byId = [
    { verb: 'remove', done: 'removed from', description: 'removes a member, by the ID member list shows', id: 'the member\'s ID in hex' },
    { verb: 'promote', done: 'promoted in', description: 'promotes a learner to a voter, once its log has caught up with the leader\'s', id: 'the learner\'s ID in hex' },
  ];
  for (const { verb, done, description, id: idHelp } of byId) {
    member
      .command(verb)
      .description(description)
      .argument('<id>', idHelp, parseMemberId)
      .action(
        run(async (client, flags, id: string) => {
          const response = await client.call(`/v3/cluster/member/${verb}`, { ID: id });
          print(flags, response, () => [`Member ${memberHex(id)} ${done} cluster ${memberHex(clusterIdOf(response))}`]);
        }),
      );
  }

  member
    .command('update')
    .description('moves a member to a new peer URL (restart it listening there, with --initial-cluster-state existing)')
    .argument('<id>', 'the member\'s ID in hex', parseMemberId)
    .requiredOption('--peer-urls <url>', 'the member\'s new peer URL')
    .action(
      run(async (client, flags, id: string, opts: { peerUrls: string }) => {
        const response = await client.call('/v3/cluster/member/update', { ID: id, peerURLs: opts.peerUrls.split(',') });
        print(flags, response, () => [`Member ${memberHex(id)} updated in cluster ${memberHex(clusterIdOf(response))}`]);
      }),
    );

  const endpointCommand = ctl.command('endpoint').description('endpoint status, endpoint health');
  endpointCommand
    .command('health')
    .description('whether each endpoint serves a linearizable read (its /health)')
    .action(
      run(async (client, flags) => {
        let unhealthy = 0;
        for (const endpoint of client.endpoints) {
          const started = performance.now();
          const name = endpoint.replace(/^http:\/\//, '');
          const health = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(flags.commandTimeout) })
            .then(async (response) => ((await response.json()) as { health?: string; reason?: string }))
            .catch((error: unknown) => ({ health: 'false', reason: error instanceof Error ? error.message : String(error) }));
          const took = `${(performance.now() - started).toFixed(3)}ms`;
          const healthy = health.health === 'true';
          if (!healthy) unhealthy++;
          if (flags.writeOut === 'json') io.out(JSON.stringify({ endpoint: name, health: healthy, took, ...(healthy ? {} : { error: health.reason ?? '' }) }));
          else if (healthy) io.out(`${name} is healthy: successfully committed proposal: took = ${took}`);
          else io.err(`${name} is unhealthy: failed to commit proposal: ${health.reason ?? 'unknown'}`);
        }
        if (unhealthy > 0) throw new Error('unhealthy cluster');
      }),
    );
  endpointCommand
    .command('status')
    .action(
      run(async (client, flags) => {
        const rows: JsonRecord[] = [];
        for (const endpoint of client.endpoints) rows.push({ Endpoint: endpoint, Status: await client.call('/v3/maintenance/status', {}, endpoint) });
        if (flags.writeOut === 'json') io.out(`[${rows.map((r) => `{"Endpoint":${JSON.stringify(r.Endpoint)},"Status":${asEtcdctlJson(r.Status as JsonRecord)}}`).join(',')}]`);
        else for (const row of rows) io.out(formatStatus(String(row.Endpoint).replace(/^http:\/\//, ''), row.Status as JsonRecord));
      }),
    );
}
