import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory, checkRevisionOrder } from '../../src/check/index.js';
import { EtcdHttpClient, enc, dec, type JsonRecord } from '../../src/server/client.js';
import { ensureBuilt } from '../helpers/build.js';
import { endpoint, MemberProcess, memberSpecs, stopAll, waitFor, waitForLeader } from './harness.js';
import { HistoryLoad, keysUnder, UniqueWrites } from './workload.js';

let members: MemberProcess[] = [];
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-cluster-'));
  const specs = await memberSpecs(3, dir);
  members = specs.map((spec) => new MemberProcess(spec, specs).start());
  await waitForLeader(members);
});
afterAll(async () => {
  await stopAll(members);
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three members on loopback', () => {
  it('serves any member: a write on a follower is forwarded to the leader', async () => {
    const leader = await waitForLeader(members);
    const follower = members.find((m) => m !== leader)!;
    const client = new EtcdHttpClient([endpoint(follower.spec)]);
    const put = await client.call('/v3/kv/put', { key: enc('via-follower'), value: enc('yes') });
    expect((put.header as JsonRecord).member_id).toBeDefined();
    const read = await client.call('/v3/kv/range', { key: enc('via-follower') });
    expect(dec((read.kvs as JsonRecord[])[0].value)).toBe('yes');
    const list = await client.call('/v3/cluster/member/list');
    expect((list.members as JsonRecord[]).map((m) => m.name)).toEqual(['n1', 'n2', 'n3']);
    expect((list.members as JsonRecord[]).every((m) => Array.isArray(m.clientURLs) && m.clientURLs.length === 1)).toBe(true);
    // Leases live in the leader's lessor: a grant and a renewal on followers are forwarded.
    const other = new EtcdHttpClient([endpoint(members.find((m) => m !== leader && m !== follower)!.spec)]);
    const lease = await client.call('/v3/lease/grant', { TTL: '30' });
    const renewed: JsonRecord[] = [];
    await other.stream('/v3/lease/keepalive', { ID: lease.ID as string }, (line) => renewed.push(line));
    expect(renewed).toMatchObject([{ result: { ID: lease.ID, TTL: '30' } }]);
    other.close();
    client.close();
  });

  it('streams a watch from a follower, every event in revision order', async () => {
    const leader = await waitForLeader(members);
    const follower = members.find((m) => m !== leader)!;
    const writer = new EtcdHttpClient([endpoint(leader.spec)]);
    const watcher = new EtcdHttpClient([endpoint(follower.spec)]);
    const abort = new AbortController();
    const events: JsonRecord[] = [];
    let created = false;
    const stream = watcher.stream('/v3/watch', { create_request: { key: enc('w/'), range_end: enc('w0') } }, (line) => {
      const result = line.result as JsonRecord;
      if (result.created === true) created = true;
      events.push(...((result.events as JsonRecord[] | undefined) ?? []));
    }, abort.signal);
    await waitFor('the watch', async () => (created ? true : undefined));
    for (const value of ['1', '2', '3']) await writer.call('/v3/kv/put', { key: enc('w/a'), value: enc(value) });
    await writer.call('/v3/kv/deleterange', { key: enc('w/a') });
    await waitFor('four events', async () => (events.length >= 4 ? true : undefined));
    abort.abort();
    await stream;
    expect(events.map((e) => [e.type ?? 'PUT', dec((e.kv as JsonRecord).value)])).toEqual([['PUT', '1'], ['PUT', '2'], ['PUT', '3'], ['DELETE', '']]);
    const revisions = events.map((e) => Number((e.kv as JsonRecord).mod_revision));
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    writer.close();
    watcher.close();
  });

  it('loses no acknowledged write and stays linearizable through kill -9, restart, SIGSTOP and SIGCONT', async () => {
    const endpoints = members.map((m) => endpoint(m.spec));
    const load = new HistoryLoad(endpoints, { model: 'register', clients: 4, keys: 3, timeoutMs: 1500, thinkMs: 10 });
    const kv = new HistoryLoad(endpoints, { model: 'etcd', clients: 2, keys: 3, timeoutMs: 1500, thinkMs: 10 });
    const unique = new UniqueWrites(endpoints, { clients: 2, timeoutMs: 1500, prefix: 'u/' });
    load.start();
    kv.start();
    unique.start();
    const okWrites = () => load.count('ok', 'write') + load.count('ok', 'cas');
    const progress = async (what: string, more: number) => {
      const target = okWrites() + more;
      await waitFor(what, async () => (okWrites() >= target ? true : undefined), 15_000);
    };
    await progress('writes before any fault', 20);

    // The leader dies without warning; the others elect a new one and go on.
    const first = await waitForLeader(members);
    await first.kill9();
    await waitForLeader(members.filter((m) => m !== first));
    await progress('writes after killing the leader', 20);
    first.start();
    await progress('writes after the restart', 10);

    // A stopped leader still holds its sockets open: clients and peers time out on it.
    const paused = await waitForLeader(members);
    paused.signal('SIGSTOP');
    await waitForLeader(members.filter((m) => m !== paused));
    await progress('writes while the old leader is stopped', 20);
    await sleep(300);
    paused.signal('SIGCONT');
    await waitForLeader(members);
    await progress('writes after SIGCONT', 20);

    await load.stop();
    await kv.stop();
    await unique.stop();
    for (const m of members) expect(m.running, `${m.spec.name}: ${m.stderr}`).toBe(true);

    // Every acknowledged unique key is on every member (each read linearizable, through the leader).
    for (const m of members) {
      const held = await keysUnder(endpoint(m.spec), 'u/');
      expect(unique.acked.filter((key) => !held.has(key)), `missing on ${m.spec.name}`).toEqual([]);
    }
    expect(unique.acked.length).toBeGreaterThan(50);

    const result = checkHistory(load.history, { model: 'register', timeoutMs: 15_000 });
    const etcd = checkHistory(kv.history, { model: 'etcd', timeoutMs: 15_000 });
    const revisions = checkRevisionOrder(kv.history);
    console.info(
      `register history: ${load.count('ok')} ok, ${load.count('fail')} fail, ${load.count('info')} info, ${result.verdict} in ${result.wallMs.toFixed(0)} ms; ` +
        `etcd history: ${kv.count('ok')} ok, ${kv.count('info')} info, ${etcd.verdict}; ` +
        `${unique.acked.length} unique puts acknowledged, ${unique.unknown} not`,
    );
    expect(result.verdict, JSON.stringify(result.counterexample ?? {}).slice(0, 2000)).toBe('linearizable');
    expect(etcd.verdict, JSON.stringify(etcd.counterexample ?? {}).slice(0, 2000)).toBe('linearizable');
    expect(revisions.violations).toEqual([]);
    expect(load.count('ok', 'read')).toBeGreaterThan(20);
    expect(kv.count('ok', 'put')).toBeGreaterThan(10);
  });
});
