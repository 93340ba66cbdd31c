import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, EtcdError, EtcdHttpClient } from '../../src/server/client.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';
import { endpoint, MemberProcess, memberSpecs, stopAll, waitFor, waitForLeader, type MemberSpec } from './harness.js';
import { keysUnder, UniqueWrites } from './workload.js';

let dir: string;
let spec: MemberSpec;
const started: MemberProcess[] = [];

function start(s: MemberSpec = spec): MemberProcess {
  const member = new MemberProcess(s, [s]).start();
  started.push(member);
  return member;
}

async function post(path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://${endpoint(spec)}${path}`, { method: 'POST', body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-single-'));
  [spec] = await memberSpecs(1, dir);
});
afterAll(async () => {
  await stopAll(started);
  rmSync(dir, { recursive: true, force: true });
});

describe('one member, crashed with kill -9 and restarted', () => {
  it('keeps every acknowledged write', async () => {
    let member = start();
    await waitForLeader([member]);
    const load = new UniqueWrites([endpoint(spec)], { clients: 8, timeoutMs: 2000, prefix: 'u/' });
    load.start();
    await waitFor('200 acknowledged writes', async () => (load.acked.length >= 200 ? true : undefined));
    await member.kill9();
    await load.stop();
    const acked = [...load.acked];
    member = start();
    await waitForLeader([member]);
    const held = await keysUnder(endpoint(spec), 'u/');
    expect(acked.filter((key) => !held.has(key))).toEqual([]);
    expect(member.stderr).toMatch(/entries replayed/);
  });

  it('repairs a torn write at the end of the log and starts', async () => {
    await stopAll(started);
    const torn = '4f:1234abcd:{"kind":"entries","entries":[{"ind';
    appendFileSync(join(spec.dataDir, 'raftsim.wal'), torn);
    const member = start();
    await waitForLeader([member]);
    expect(member.stderr).toMatch(/repaired a torn write at the end of .*raftsim\.wal: dropped (\d+) bytes/);
    expect(member.stderr).toContain(`dropped ${torn.length} bytes`);
    expect((await keysUnder(endpoint(spec), 'u/')).size).toBeGreaterThanOrEqual(200);
  });

  it('refuses to start on corruption in the middle of the log: one line, exit 2', async () => {
    await stopAll(started);
    const walPath = join(spec.dataDir, 'raftsim.wal');
    const wal = readFileSync(walPath);
    const copyDir = join(dir, 'corrupt');
    mkdirSync(copyDir);
    const damaged = Buffer.from(wal);
    const at = damaged.indexOf('"kind":"entries"') + 20;
    damaged[at] ^= 0x01;
    writeFileSync(join(copyDir, 'raftsim.wal'), damaged);
    const result = spawnSync('node', [RAFTSIM, 'serve', '--data-dir', copyDir, '--listen-client-urls', 'http://127.0.0.1:0', '--listen-peer-urls', 'http://127.0.0.1:0'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/corrupt record at byte \d+ .*refusing to start/);
  });

  it('refuses a data directory that is not its own', () => {
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'important.db'), 'not yours');
    const result = spawnSync('node', [RAFTSIM, 'serve', '--data-dir', foreign, '--listen-client-urls', 'http://127.0.0.1:0'], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/not a raftsim data directory \(it holds important\.db\)/);
  });
});

describe('the client API', () => {
  beforeAll(async () => {
    await stopAll(started);
    await waitForLeader([start()]);
  });

  it('answers bad requests with etcd-style errors and keeps serving', async () => {
    expect(await post('/v3/kv/range', '{"key":')).toEqual({ status: 400, json: { error: 'unexpected EOF', message: 'unexpected EOF', code: 3 } });
    expect(await post('/v3/kv/put', '{"key":"","value":"eA=="}')).toEqual({
      status: 400,
      json: { error: 'etcdserver: key is not provided', message: 'etcdserver: key is not provided', code: 3 },
    });
    expect((await post('/v3/kv/put', '{"key":"!!!","value":"eA=="}')).json).toMatchObject({ code: 3, error: expect.stringMatching(/illegal base64/) });
    expect((await post('/v3/kv/range', '{"key":"eA==","limit":"lots"}')).status).toBe(400);
    expect((await post('/v3/kv/range', '[1,2]')).status).toBe(400);
    expect((await post('/v3/lease/revoke', '{"ID":"12345"}')).json).toMatchObject({ code: 5, error: 'etcdserver: requested lease not found' });
    expect((await post('/v3/kv/range', `{"key":"${enc('a')}","revision":"99999"}`)).json).toMatchObject({ code: 11 });
    expect((await post('/v3/nothing/here', '{}')).status).toBe(404);
    expect((await fetch(`http://${endpoint(spec)}/v3/kv/range`)).status).toBe(501);
    const ok = await post('/v3/kv/put', `{"key":"${enc('k')}","value":"${enc('v')}"}`);
    expect(ok.status).toBe(200);
    expect(ok.json.header).toMatchObject({ cluster_id: expect.stringMatching(/^\d+$/), member_id: expect.stringMatching(/^\d+$/), revision: expect.stringMatching(/^\d+$/), raft_term: expect.stringMatching(/^\d+$/) });
  });

  it('survives garbage on every endpoint, answering each with an error body', async () => {
    const paths = ['/v3/kv/range', '/v3/kv/put', '/v3/kv/deleterange', '/v3/kv/txn', '/v3/kv/compaction', '/v3/watch', '/v3/lease/grant', '/v3/lease/revoke', '/v3/lease/keepalive', '/v3/lease/timetolive', '/v3/cluster/member/add', '/v3/cluster/member/remove', '/v3/cluster/member/promote'];
    const bodies = ['', 'null', '"text"', '{"key":5}', '{"key":"eA==","range_end":7}', '{"compare":[{"target":"NOPE"}]}', '{"compare":[{}],"success":[{"bogus":{}}]}', '{"create_request":{"key":1}}', '{"TTL":"-1"}', '{"ID":"1e400"}', '{"revision":"99999999999999999999"}', '\u0000\u00ff{{{', '{"sort_order":"DESCEND","key":"eA=="}'];
    for (const path of paths) {
      for (const body of bodies) {
        const response = await fetch(`http://${endpoint(spec)}${path}`, { method: 'POST', body, signal: AbortSignal.timeout(5000) });
        const text = await response.text();
        if (response.status !== 200) expect(JSON.parse(text), `${path} ${body}`).toMatchObject({ error: expect.any(String), code: expect.any(Number) });
      }
    }
    // A bad membership change is refused outright, and the member stays alone.
    const badChanges = ['{"peerURLs":["not a url"]}', '{"peerURLs":["https://127.0.0.1:1"]}', '{"peerURLs":["http://127.0.0.1:1"],"isLearner":"yes"}', '{"peerURLs":["http://127.0.0.1:1"],"name":"a b"}', '{"peerURLs":[]}'];
    for (const body of badChanges) expect((await post('/v3/cluster/member/add', body)).status, body).toBe(400);
    expect((await post('/v3/cluster/member/remove', '{"ID":"12345"}')).json).toMatchObject({ error: 'etcdserver: member not found', code: 5 });
    expect(((await post('/v3/cluster/member/list', '{}')).json.members as unknown[]).length).toBe(1);
    expect((await fetch(`http://${endpoint(spec)}/health`)).status).toBe(200);
  });

  it('speaks etcd\'s JSON: base64, int64s as strings, zero fields left out', async () => {
    const client = new EtcdHttpClient([endpoint(spec)]);
    const lease = await client.call('/v3/lease/grant', { TTL: '30' });
    await client.call('/v3/kv/put', { key: enc('json/a'), value: enc('1'), lease: lease.ID as string });
    await client.call('/v3/kv/put', { key: enc('json/b'), value: enc('2') });
    const range = await client.call('/v3/kv/range', { key: enc('json/'), range_end: enc('json0'), limit: 1 });
    expect(range).toMatchObject({ more: true, count: '2', kvs: [{ key: enc('json/a'), value: enc('1'), version: '1', lease: lease.ID }] });
    const b = await client.call('/v3/kv/range', { key: enc('json/b') });
    expect(Object.keys((b.kvs as Record<string, unknown>[])[0])).toEqual(['key', 'create_revision', 'mod_revision', 'version', 'value']);
    const txn = await client.call('/v3/kv/txn', {
      compare: [{ key: enc('json/b'), target: 'VALUE', result: 'EQUAL', value: enc('2') }],
      success: [{ request_delete_range: { key: enc('json/'), range_end: enc('json0') } }],
    });
    expect(txn).toMatchObject({ succeeded: true, responses: [{ response_delete_range: { deleted: '2' } }] });
    await expect(client.call('/v3/lease/timetolive', { ID: 'x' })).rejects.toBeInstanceOf(EtcdError);
    client.close();
  });

  it('serves /health and Prometheus /metrics', async () => {
    const health = await fetch(`http://${endpoint(spec)}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ health: 'true' });
    const metrics = await (await fetch(`http://${endpoint(spec)}/metrics`)).text();
    expect(metrics).toMatch(/^# TYPE etcd_server_has_leader gauge$/m);
    expect(metrics).toMatch(/^etcd_server_has_leader 1$/m);
    expect(metrics).toMatch(/^etcd_disk_wal_fsync_duration_seconds_count [1-9]\d*$/m);
    expect(metrics).toMatch(/^raftsim_http_requests_total\{path="\/v3\/kv\/put",code="200"\} [1-9]/m);
  });

  it('raftsim ctl prints like etcdctl', () => {
    const ctl = (...args: string[]) => spawnSync('node', [RAFTSIM, 'ctl', '--endpoints', endpoint(spec), ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(ctl('put', 'ctl/a', 'hello world').stdout).toBe('OK\n');
    expect(ctl('put', 'ctl/b', '2').stdout).toBe('OK\n');
    expect(ctl('get', 'ctl/', '--prefix').stdout).toBe('ctl/a\nhello world\nctl/b\n2\n');
    expect(ctl('get', 'ctl/', '--prefix', '--limit', '1', '--keys-only').stdout).toBe('ctl/a\n');
    const json = JSON.parse(ctl('get', 'ctl/a', '-w', 'json').stdout) as { header: { revision: unknown }; kvs: { version: unknown }[]; count: unknown };
    expect(typeof json.header.revision).toBe('number');
    expect(json.kvs[0].version).toBe(1);
    const txn = spawnSync('node', [RAFTSIM, 'ctl', '--endpoints', endpoint(spec), 'txn'], {
      input: 'value("ctl/b") = "2"\n\nput ctl/b 3\nget ctl/a\n\nput ctl/b never\n',
      encoding: 'utf8',
    });
    expect(txn.stdout).toBe('SUCCESS\n\nOK\n\nctl/a\nhello world\n');
    expect(ctl('del', 'ctl/', '--prefix').stdout).toBe('2\n');
    const grant = ctl('lease', 'grant', '60').stdout;
    expect(grant).toMatch(/^lease [0-9a-f]+ granted with TTL\(60s\)\n$/);
    const id = grant.split(' ')[1];
    expect(ctl('lease', 'keep-alive', id, '--once').stdout).toBe(`lease ${id} keepalived with TTL(60)\n`);
    expect(ctl('lease', 'revoke', id).stdout).toBe(`lease ${id} revoked\n`);
    expect(ctl('member', 'list').stdout).toMatch(/^[0-9a-f]+, started, n1, http:\/\/127\.0\.0\.1:\d+, http:\/\/127\.0\.0\.1:\d+, false\n$/);
    expect(ctl('endpoint', 'status').stdout).toMatch(new RegExp(`^${endpoint(spec)}, [0-9a-f]+, 3\\.5\\.0-raftsim, [\\d.]+ k?B, true, false, \\d+, \\d+, \\d+, \\n$`));
    expect(ctl('endpoint', 'health').stdout).toMatch(new RegExp(`^${endpoint(spec)} is healthy: successfully committed proposal: took = [\\d.]+ms\\n$`));
    const missing = ctl('lease', 'revoke', id);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('Error: etcdserver: requested lease not found\n');
  });
});
