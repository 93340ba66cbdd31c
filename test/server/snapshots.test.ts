import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/index.js';
import { replayWal } from '../../src/server/wal.js';
import { ensureBuilt, RAFTSIM } from '../helpers/build.js';
import { endpoint, MemberProcess, memberSpecs, stopAll, waitFor, waitForLeader, type MemberSpec } from './harness.js';
import { HistoryLoad, keysUnder, UniqueWrites } from './workload.js';

/** Tiny intervals, so a few hundred writes take many snapshots and compact the log each time. */
const SNAPSHOT_COUNT = 25;
const CATCH_UP = 5;
const FLAGS = ['--heartbeat-interval', '50', '--election-timeout', '500', '--snapshot-count', String(SNAPSHOT_COUNT), '--experimental-snapshot-catchup-entries', String(CATCH_UP)];

let dir: string;
const started: MemberProcess[] = [];
beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'raftsim-snapshots-'));
});
afterAll(async () => {
  await stopAll(started);
  rmSync(dir, { recursive: true, force: true });
});

function start(spec: MemberSpec, cluster: readonly MemberSpec[]): MemberProcess {
  const member = new MemberProcess(spec, cluster, FLAGS).start();
  started.push(member);
  return member;
}

/** One sample of a member's /metrics, by name (no labels). */
async function metric(spec: MemberSpec, name: string): Promise<number> {
  const text = await (await fetch(`http://${endpoint(spec)}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.slice(name.length + 1));
}

const snapFiles = (spec: MemberSpec) => readdirSync(join(spec.dataDir, 'snap')).filter((name) => name.endsWith('.snap')).sort();

describe('one member with a tiny --snapshot-count', () => {
  let spec: MemberSpec;
  let acked: string[] = [];

  it('keeps every acknowledged write through kill -9 and a restart from its snapshot and short WAL', async () => {
    [spec] = await memberSpecs(1, join(dir, 'single'));
    let member = start(spec, [spec]);
    await waitForLeader([member]);
    const load = new UniqueWrites([endpoint(spec)], { clients: 6, timeoutMs: 2000, prefix: 'u/' });
    load.start();
    await waitFor('300 acknowledged writes', async () => (load.acked.length >= 300 ? true : undefined), 30_000);
    expect(await metric(spec, 'raftsim_snapshots_taken_total')).toBeGreaterThanOrEqual(300 / SNAPSHOT_COUNT - 1);
    await member.kill9();
    await load.stop();
    acked = [...load.acked];

    // Two snapshots kept, and the WAL reaches back only to the older one; a kill -9 between saving a
    // snapshot and compacting the WAL and purging the oldest file leaves one file and one interval more.
    const files = snapFiles(spec);
    expect(files.length).toBeGreaterThanOrEqual(1);
    expect(files.length).toBeLessThanOrEqual(3);
    const { state } = replayWal(readFileSync(join(spec.dataDir, 'raftsim.wal')));
    expect(state.start.index).toBeGreaterThan(0);
    expect(state.entries.length).toBeLessThan(3 * SNAPSHOT_COUNT + 20);

    member = start(spec, [spec]);
    await waitForLeader([member]);
    expect(member.stderr).toMatch(/loaded snapshot .*\.snap \(index \d+, term \d+\); replaying \d+ entries after it/);
    // The restart finished any purge the kill cut short (and may have taken a snapshot of its own since).
    expect(snapFiles(spec).length).toBeLessThanOrEqual(2);
    if (files.length === 3) {
      expect(snapFiles(spec)).not.toContain(files[0]);
      expect(member.stderr).toContain(`removed ${files[0]} from`);
    }
    const held = await keysUnder(endpoint(spec), 'u/');
    expect(acked.filter((key) => !held.has(key))).toEqual([]);
  });

  it('falls back to the previous snapshot when the newest is damaged, losing nothing', async () => {
    await stopAll(started);
    const files = snapFiles(spec);
    expect(files).toHaveLength(2);
    const newest = join(spec.dataDir, 'snap', files[1]);
    const damaged = readFileSync(newest);
    damaged[damaged.length - 2] ^= 0x01;
    writeFileSync(newest, damaged);
    const member = start(spec, [spec]);
    await waitForLeader([member]);
    expect(member.stderr).toContain(`snapshot ${newest}: data record checksum mismatch; moved it to ${newest}.broken and started from the older ${files[0]}`);
    const held = await keysUnder(endpoint(spec), 'u/');
    expect(acked.filter((key) => !held.has(key))).toEqual([]);
  });

  it('refuses to start when no valid snapshot covers what the WAL compacted: one line, exit 2', async () => {
    await stopAll(started);
    // The fallback start replayed past the broken snapshot's index, so it took a new one: damage every file.
    const files = snapFiles(spec);
    for (const name of files) {
      const path = join(spec.dataDir, 'snap', name);
      writeFileSync(path, readFileSync(path).subarray(0, 40));
    }
    const result = spawnSync('node', [RAFTSIM, 'serve', '--data-dir', spec.dataDir, '--name', spec.name, '--listen-client-urls', 'http://127.0.0.1:0', '--listen-peer-urls', `http://127.0.0.1:${spec.peerPort}`], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/raftsim\.wal: starts after index \d+, but no valid snapshot reaches it \(.*; refusing to start$/m);
    for (const name of files) expect(result.stderr).toContain(`${name}: header record incomplete payload`);
    // Refusing moved nothing aside.
    expect(snapFiles(spec)).toEqual(files);
  });
});

describe('three members, one stopped while the others write past several snapshots', () => {
  it('catches the stopped member up by InstallSnapshot, and the history stays linearizable', async () => {
    const specs = await memberSpecs(3, join(dir, 'cluster'));
    const members = specs.map((spec) => start(spec, specs));
    const leader = await waitForLeader(members);
    const lagging = members.find((m) => m !== leader)!;
    const live = members.filter((m) => m !== lagging);
    const endpoints = live.map((m) => endpoint(m.spec));
    const load = new HistoryLoad(endpoints, { model: 'register', clients: 3, keys: 3, timeoutMs: 1500, thinkMs: 5 });
    const unique = new UniqueWrites(endpoints, { clients: 4, timeoutMs: 1500, prefix: 'u/' });
    load.start();
    unique.start();
    await waitFor('writes before the stop', async () => (unique.acked.length >= 20 ? true : undefined), 15_000);

    lagging.signal('SIGSTOP');
    const stoppedAt = unique.acked.length;
    // Past several snapshots and beyond what the leader keeps for catching up: only a snapshot will do.
    await waitFor(
      'several snapshots on the leader',
      async () => ((await metric(leader.spec, 'raftsim_snapshots_taken_total')) >= 4 && unique.acked.length >= stoppedAt + 4 * SNAPSHOT_COUNT ? true : undefined),
      30_000,
    );
    lagging.signal('SIGCONT');
    await waitFor('the snapshot installed', async () => ((await metric(lagging.spec, 'raftsim_snapshots_installed_total')) >= 1 ? true : undefined), 15_000).catch(
      (error: Error) => Promise.reject(new Error(`${error.message}; ${members.map((m) => m.describe()).join('; ')}`)),
    );
    const leaderApplied = await metric(leader.spec, 'etcd_server_proposals_applied_total');
    await waitFor('the member caught up', async () => ((await metric(lagging.spec, 'etcd_server_proposals_applied_total')) >= leaderApplied ? true : undefined), 15_000);
    await waitFor('writes after the catch-up', async () => (unique.acked.length >= stoppedAt + 5 * SNAPSHOT_COUNT ? true : undefined), 15_000);
    await load.stop();
    await unique.stop();

    expect(lagging.stderr).toMatch(/installed the leader's snapshot at index \d+ \(term \d+, \d+ bytes\)/);
    expect(snapFiles(lagging.spec).length).toBeGreaterThanOrEqual(1);
    for (const m of members) {
      expect(m.running, `${m.spec.name}: ${m.stderr}`).toBe(true);
      // Read on each member, the caught-up one too: its store came from the leader's snapshot.
      const held = await keysUnder(endpoint(m.spec), 'u/');
      expect(unique.acked.filter((key) => !held.has(key)), `missing on ${m.spec.name}`).toEqual([]);
    }
    const result = checkHistory(load.history, { model: 'register', timeoutMs: 15_000 });
    console.info(
      `snapshot catch-up: ${unique.acked.length} unique puts, register history ${load.count('ok')} ok, ${load.count('info')} info, ${result.verdict}; ` +
        `leader took ${await metric(leader.spec, 'raftsim_snapshots_taken_total')} snapshots`,
    );
    expect(result.verdict, JSON.stringify(result.counterexample ?? {}).slice(0, 2000)).toBe('linearizable');
    expect(load.count('ok', 'read')).toBeGreaterThan(10);

    // Killed and restarted, it boots from the installed (or a later) snapshot and the WAL reset after it.
    await lagging.kill9();
    lagging.stderr = '';
    lagging.start();
    await waitFor('the restarted member', async () => ((await metric(lagging.spec, 'etcd_server_has_leader')) === 1 ? true : undefined), 15_000);
    expect(lagging.stderr).toMatch(/loaded snapshot .*\.snap \(index \d+, term \d+\)/);
    const held = await keysUnder(endpoint(lagging.spec), 'u/');
    expect(unique.acked.filter((key) => !held.has(key))).toEqual([]);
  });
});
