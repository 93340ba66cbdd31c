import type { Command } from 'commander';
import { ConfigError, resolveConfig, type ServeFlags } from '../server/config.js';
import { DataDirError } from '../server/data-dir.js';
import { StartError, startServer } from '../server/server.js';
import { WalError } from '../server/wal.js';
import { EXIT, UsageError } from './errors.js';

/**
 * `raftsim serve`: one member of a real cluster, with etcd's flag names. It runs until
 * SIGINT or SIGTERM; a bad flag, a data directory that is not ours or a corrupt log is one
 * line on stderr and exit 2.
 */
export function registerServe(program: Command, err: (line: string) => void): void {
  program
    .command('serve')
    .description('run a real member: the same Raft and KV over HTTP, with a write-ahead log on disk (etcd\'s flags)')
    .option('--name <name>', 'this member\'s name in --initial-cluster', 'default')
    .option('--data-dir <dir>', 'where the write-ahead log lives (default: <name>.raftsim)')
    .option('--listen-client-urls <urls>', 'comma-separated URLs for the client API', 'http://127.0.0.1:2379')
    .option('--advertise-client-urls <urls>', 'client URLs to tell other members and clients (default: the listen URLs)')
    .option('--listen-peer-urls <url>', 'URL for Raft traffic from other members', 'http://127.0.0.1:2380')
    .option('--initial-advertise-peer-urls <url>', 'peer URL other members reach this one at (default: the listen URL)')
    .option('--initial-cluster <list>', 'every member as name=peerURL, comma-separated, the same on every member (default: this member alone)')
    .option('--initial-cluster-token <token>', 'names the cluster; part of the cluster id', 'raftsim-cluster')
    .option('--initial-cluster-state <state>', 'new: start a cluster from --initial-cluster; existing: join a running one (after `raftsim ctl member add`)', 'new')
    .option('--heartbeat-interval <ms>', 'ms between a leader\'s heartbeats (one Raft tick)', '100')
    .option('--election-timeout <ms>', 'base election timeout in ms', '1000')
    .option('--snapshot-count <n>', 'applied entries between snapshots of the store; the log before a snapshot is compacted', '10000')
    .option('--experimental-snapshot-catchup-entries <n>', 'entries kept behind a snapshot so a slow follower can catch up without one', '5000')
    .action(async (flags: ServeFlags) => {
      process.exitCode = await serve(flags, err);
    });
}

async function serve(flags: ServeFlags, err: (line: string) => void): Promise<number> {
  const log = (line: string) => err(`raftsim serve: ${line}`);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const config = resolveConfig(flags);
    server = await startServer(config, log);
    const { id, members, source } = server.identity;
    const how = source === 'joined' ? ', joined a running cluster' : source === 'log' ? '' : ', a new cluster';
    log(
      `member ${config.name} (id ${id}, ${members} member${members === 1 ? '' : 's'}${how}) up: data in ${config.dataDir}, ` +
        `clients on ${config.listenClientUrls.map((u, i) => `http://${u.hostname}:${server.clientPorts[i]}`).join(',')}, ` +
        `peers on http://${config.listenPeerUrl.hostname}:${server.peerPort}, log of ${server.member.node.log.lastIndex()} entries replayed`,
    );
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirError || error instanceof WalError || error instanceof StartError) {
      throw new UsageError(`serve: ${error.message}`);
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    // A removed member takes no part any more; like etcd's, it stops.
    void server.removed.then(resolve);
  });
  await server.close();
  log('stopped');
  // Lingering keep-alive sockets must not hold the process open after a clean stop.
  process.exit(EXIT.ok);
}
