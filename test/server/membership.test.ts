import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, EtcdHttpClient, enc, type JsonRecord } from '../../src/server/client.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';
import { endpoint, MemberProcess, memberSpecs, stopAll, waitFor, waitForLeader, type MemberSpec } from './harness.js';

/**
 * Membership changes on real processes, as etcd's runtime reconfiguration goes: `member add`,
 * start the new member with --initial-cluster-state existing, `member promote`, `member remove`.
 * Snapshots every 20 entries with 5 kept behind: the new member catches up by InstallSnapshot,
 * so its member table must come with the snapshot, not only from the log.
 */

const TIMING = ['--heartbeat-interval', '50', '--election-timeout', '500', '--snapshot-count', '20', '--experimental-snapshot-catchup-entries', '5'];

let dir: string;
let specs: MemberSpec[];
let members: MemberProcess[] = [];
const started: MemberProcess[] = [];
/** The member the first test removes: whichever led then. */
let gone: MemberProcess;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-membership-'));
  specs = await memberSpecs(5, dir);
  members = specs.slice(0, 3).map((spec) => new MemberProcess(spec, specs.slice(0, 3), TIMING).start());
  started.push(...members);
  await waitForLeader(members);
});
afterAll(async () => {
  await stopAll(started);
  rmSync(dir, { recursive: true, force: true });
});

/** `raftsim ctl` against one member: its exit code, stdout and stderr. */
function ctl(spec: MemberSpec, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [RAFTSIM, 'ctl', '--endpoints', endpoint(spec), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

/** `member list` as {name: {id, status, peer URL, learner}}. */
async function memberList(spec: MemberSpec): Promise<Record<string, { id: string; status: string; peer: string; learner: boolean }>> {
  const { code, out, err } = await ctl(spec, 'member', 'list');
  if (code !== 0) throw new Error(`member list on ${spec.name}: ${err}`);
  const rows = out.trim().split('\n').map((line) => line.split(', '));
  return Object.fromEntries(rows.map(([id, status, name, peer, , learner]) => [name, { id, status, peer, learner: learner === 'true' }]));
}

async function get(spec: MemberSpec, key: string): Promise<string | undefined> {
  const client = new EtcdHttpClient([endpoint(spec)], { timeoutMs: 2000 });
  try {
    const kvs = (await client.call('/v3/kv/range', { key: enc(key) })).kvs as JsonRecord[] | undefined;
    return kvs?.[0] ? dec(kvs[0].value) : undefined;
  } finally {
    client.close();
  }
}

async function putMany(spec: MemberSpec, prefix: string, count: number): Promise<void> {
  const client = new EtcdHttpClient([endpoint(spec)]);
  for (let i = 1; i <= count; i++) await client.call('/v3/kv/put', { key: enc(`${prefix}${i}`), value: enc(`v${i}`) });
  client.close();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const peerUrl = (spec: MemberSpec) => `http://127.0.0.1:${spec.peerPort}`;
const joining = (spec: MemberSpec, cluster: readonly MemberSpec[]) =>
  new MemberProcess(spec, cluster, [...TIMING, '--initial-cluster-state', 'existing']);

describe('membership changes on a running cluster', () => {
  it('adds a learner, which catches up by snapshot, then promotes it and removes a voter', async () => {
    const [n1, n2, n3] = specs;
    const n4 = specs[3];
    await putMany(n2, 'before/', 40);

    const added = await ctl(n2, 'member', 'add', 'n4', '--peer-urls', peerUrl(n4), '--learner');
    expect(added.code, added.err).toBe(0);
    // What etcdctl prints: the settings to start the new member with, itself included.
    expect(added.out).toMatch(/^Member [0-9a-f]+ added to cluster [0-9a-f]+\n\nETCD_NAME="n4"\n/);
    expect(added.out).toContain(`ETCD_INITIAL_CLUSTER="n1=${peerUrl(n1)},n2=${peerUrl(n2)},n3=${peerUrl(n3)},n4=${peerUrl(n4)}"`);
    expect(added.out).toContain('ETCD_INITIAL_CLUSTER_STATE="existing"');
    expect((await memberList(n1)).n4).toMatchObject({ status: 'unstarted', learner: true });

    const fourth = joining(n4, specs.slice(0, 4)).start();
    started.push(fourth);
    await waitFor('the learner to serve what was written before it joined', async () => ((await get(n4, 'before/40')) === 'v40' ? true : undefined), 15_000);
    expect(fourth.stderr).toContain('joined a running cluster');
    expect(fourth.stderr).toMatch(/installed the leader's snapshot/);
    expect(await memberList(n4)).toMatchObject({ n1: { learner: false }, n4: { status: 'started', learner: true } });

    const id4 = (await memberList(n1)).n4.id;
    const promoted = await ctl(n3, 'member', 'promote', id4);
    expect(promoted.code, promoted.err).toBe(0);
    expect(promoted.out).toMatch(new RegExp(`^Member ${id4} promoted in cluster [0-9a-f]+\n$`));
    await waitFor('every member to see n4 as a voter', async () => {
      for (const spec of specs.slice(0, 4)) if ((await memberList(spec)).n4.learner) return undefined;
      return true;
    });

    // The hardest member to remove is the leader: it must commit its own removal, answer, step down and stop.
    const leader = await waitForLeader(started.filter((m) => m.running));
    gone = leader;
    const asked = started.find((m) => m.running && m !== leader)!.spec;
    const goneId = (await memberList(asked))[leader.spec.name].id;
    const removed = await ctl(asked, 'member', 'remove', goneId);
    expect(removed.code, removed.err).toBe(0);
    expect(removed.out).toBe(`Member ${goneId} removed from cluster ${removed.out.split(' ').pop()}`);
    // A removed member stops, as etcd's does.
    expect(await waitFor(`${leader.spec.name} to stop`, async () => (leader.running ? undefined : leader.exit))).toBe(0);
    expect(leader.stderr).toContain('this member was removed from the cluster');
    const left = specs.slice(0, 4).filter((spec) => spec !== leader.spec);
    expect(Object.keys(await memberList(left[0])).sort()).toEqual(left.map((spec) => spec.name));

    // Three voters: a new leader, writes go on, and every member serves them.
    await putMany(left[0], 'after/', 30);
    for (const spec of left) expect(await get(spec, 'after/30')).toBe('v30');
  }, 60_000);

  it('remembers the membership across restarts, from its log and its snapshots', async () => {
    const n4 = specs[3];
    const originals = members.filter((m) => m !== gone);
    // n4 and an original member, unless n4 led when the first test removed the leader.
    const pair = [originals[0], started.find((m) => m.spec === n4 && m !== gone) ?? originals[1]];
    const left = specs.slice(0, 4).filter((spec) => spec !== gone.spec).map((spec) => spec.name);
    for (const member of pair) {
      member.signal('SIGTERM');
      await member.exit;
    }
    // Restarted as they were started: an original member with the flags of a new cluster, n4 with `existing`.
    const again = pair.map((m) => (m.spec === n4 ? joining(n4, specs.slice(0, 4)) : new MemberProcess(m.spec, specs.slice(0, 3), TIMING)).start());
    started.push(...again);
    await waitFor('the restarted members to serve reads', async () => {
      for (const member of again) if ((await get(member.spec, 'after/30')) !== 'v30') return undefined;
      return true;
    }, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${started.filter((m) => m.running || again.includes(m)).map((m) => `--- ${m.spec.name}\n${m.stderr}`).join('\n')}`);
    });
    for (const restarted of again) {
      const list = await memberList(restarted.spec);
      expect(Object.keys(list).sort(), `${restarted.spec.name}: ${restarted.stderr}`).toEqual(left);
      expect(Object.values(list).every((member) => !member.learner)).toBe(true);
    }
  }, 60_000);

  it('moves a member to a new peer URL: restarted there, it keeps its ID and catches up', async () => {
    const running = started.filter((m) => m.running);
    const leader = await waitForLeader(running);
    const moving = running.find((m) => m !== leader)!;
    const via = leader.spec;
    const id = (await memberList(via))[moving.spec.name].id;
    const [spare] = await memberSpecs(1, dir);
    const moved: MemberSpec = { ...moving.spec, peerPort: spare.peerPort };
    const taken = await ctl(via, 'member', 'update', id, '--peer-urls', peerUrl(via));
    expect(taken).toMatchObject({ code: 1, err: 'Error: etcdserver: Peer URLs already exists\n' });
    const updated = await ctl(via, 'member', 'update', id, '--peer-urls', peerUrl(moved));
    expect(updated.code, updated.err).toBe(0);
    expect(updated.out).toMatch(new RegExp(`^Member ${id} updated in cluster [0-9a-f]+\n$`));
    expect((await memberList(via))[moving.spec.name]).toMatchObject({ id, peer: peerUrl(moved) });

    // As with etcd, the member itself moves by restarting on its new URL; who it is comes from its log.
    moving.signal('SIGTERM');
    await moving.exit;
    const again = joining(moved, specs.map((spec) => (spec === moving.spec ? moved : spec))).start();
    started.push(again);
    await putMany(via, 'moved/', 10);
    await waitFor('the moved member to serve what was written after it moved', async () => ((await get(moved, 'moved/10')) === 'v10' ? true : undefined), 15_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${again.stderr}`);
      },
    );
    expect((await memberList(moved))[moving.spec.name]).toMatchObject({ id, peer: peerUrl(moved), status: 'started' });
  }, 45_000);

  it('refuses what etcd refuses, in etcd\'s words', async () => {
    const n5 = specs[4];
    const running = started.filter((m) => m.running);
    const via = running[0].spec;
    const list = await memberList(via);
    const taken = await ctl(via, 'member', 'add', 'again', '--peer-urls', peerUrl(via));
    expect(taken).toMatchObject({ code: 1, err: 'Error: etcdserver: Peer URLs already exists\n' });
    const voter = await ctl(via, 'member', 'promote', list[via.name].id);
    expect(voter).toMatchObject({ code: 1, err: 'Error: etcdserver: can only promote a learner member\n' });
    const unknown = await ctl(via, 'member', 'remove', 'abc123');
    expect(unknown).toMatchObject({ code: 1, err: 'Error: etcdserver: member not found\n' });

    // The strict reconfiguration check: with one of three voters stopped, removing a live one
    // would leave one voter of two; refused before it is proposed. The leader stays up, so no
    // election comes in between.
    const leader = await waitForLeader(running);
    const [stopped, live] = running.filter((m) => m !== leader);
    stopped.signal('SIGSTOP');
    await sleep(1500);
    const risky = await ctl(leader.spec, 'member', 'remove', list[live.spec.name].id);
    stopped.signal('SIGCONT');
    expect(risky).toMatchObject({ code: 1, err: 'Error: etcdserver: unhealthy cluster\n' });
    expect(Object.keys(await memberList(via))).toContain(live.spec.name);

    // One learner at a time, as etcd's default allows; learners come and go without a quorum check.
    const first = await ctl(via, 'member', 'add', 'l1', '--peer-urls', 'http://127.0.0.1:1', '--learner');
    expect(first.code, first.err).toBe(0);
    const second = await ctl(via, 'member', 'add', 'l2', '--peer-urls', 'http://127.0.0.1:2', '--learner');
    expect(second).toMatchObject({ code: 1, err: 'Error: etcdserver: too many learner members in cluster\n' });
    const dropped = await ctl(via, 'member', 'remove', (await memberList(via)).l1.id);
    expect(dropped.code, dropped.err).toBe(0);

    // A member no one added cannot join: one line, exit 2, and no data directory left behind.
    const stranger = joining(n5, [via, n5]).start();
    expect(await stranger.exit).toBe(2);
    expect(stranger.stderr).toBe(
      `raftsim: serve: --initial-cluster-state existing: the cluster has no member with peer URL ${peerUrl(n5)}; ` +
        `add it first: raftsim ctl member add n5 --peer-urls ${peerUrl(n5)}\n`,
    );
    expect(existsSync(n5.dataDir)).toBe(false);
  }, 30_000);
});
