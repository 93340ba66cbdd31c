import { dec, enc, type JsonRecord, type JsonValue } from '../server/client.js';

/**
 * etcdctl's output, for `raftsim ctl`: the "simple" format, and `-w json`, which is the
 * response with int64s as bare numbers (etcdctl prints protobuf's JSON so; the gateway
 * quotes them). The numbers are rewritten in the text, so uint64 ids stay exact.
 */

const INT_FIELDS = [
  'cluster_id', 'member_id', 'revision', 'raft_term', 'create_revision', 'mod_revision', 'version', 'lease', 'count', 'deleted',
  'ID', 'TTL', 'grantedTTL', 'dbSize', 'dbSizeInUse', 'leader', 'raftIndex', 'raftTerm', 'raftAppliedIndex', 'watch_id', 'compact_revision',
];
const INT_PATTERN = new RegExp(`"(${INT_FIELDS.join('|')})":"(-?\\d+)"`, 'g');

export function asEtcdctlJson(response: JsonRecord): string {
  return JSON.stringify(response).replace(INT_PATTERN, '"$1":$2');
}

const list = (value: JsonValue | undefined): JsonRecord[] => (Array.isArray(value) ? (value as JsonRecord[]) : []);
const num = (value: JsonValue | undefined): number => (typeof value === 'string' || typeof value === 'number' ? Number(value) : 0);
const obj = (value: JsonValue | undefined): JsonRecord => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {});

export interface GetFlags {
  keysOnly?: boolean;
  printValueOnly?: boolean;
  countOnly?: boolean;
}

/** `get`: key and value on lines of their own, as etcdctl prints them. */
export function formatRange(response: JsonRecord, flags: GetFlags = {}): string[] {
  if (flags.countOnly) return [String(num(response.count))];
  const lines: string[] = [];
  for (const kv of list(response.kvs)) {
    if (!flags.printValueOnly) lines.push(dec(kv.key));
    if (!flags.keysOnly) lines.push(dec(kv.value));
  }
  return lines;
}

export function formatPut(response: JsonRecord, prevKv: boolean): string[] {
  const prev = obj(response.prev_kv);
  return prevKv && prev.key !== undefined ? ['OK', dec(prev.key), dec(prev.value)] : ['OK'];
}

export function formatDelete(response: JsonRecord, prevKv: boolean): string[] {
  const lines = [String(num(response.deleted))];
  if (prevKv) for (const kv of list(response.prev_kvs)) lines.push(dec(kv.key), dec(kv.value));
  return lines;
}

export function formatTxn(response: JsonRecord): string[] {
  const lines = [response.succeeded === true ? 'SUCCESS' : 'FAILURE'];
  for (const op of list(response.responses)) {
    lines.push('');
    if (op.response_put !== undefined) lines.push('OK');
    else if (op.response_range !== undefined) lines.push(...formatRange(obj(op.response_range)));
    else if (op.response_delete_range !== undefined) lines.push(String(num(obj(op.response_delete_range).deleted)));
  }
  return lines;
}

/** `watch`: per event its type, key and value. */
export function formatWatchEvents(result: JsonRecord): string[] {
  const lines: string[] = [];
  for (const event of list(result.events)) {
    const kv = obj(event.kv);
    lines.push(typeof event.type === 'string' ? event.type : 'PUT', dec(kv.key));
    if (event.type !== 'DELETE') lines.push(dec(kv.value));
  }
  return lines;
}

export const leaseHex = (id: JsonValue | undefined): string => BigInt(typeof id === 'string' || typeof id === 'number' ? id : 0).toString(16);
export const memberHex = leaseHex;

/** etcdctl's columns: ID, status (unstarted: never answered, so no client URLs known), name, peer and client URLs, learner. */
export function formatMemberList(response: JsonRecord): string[] {
  return list(response.members).map((m) => {
    const peers = Array.isArray(m.peerURLs) ? m.peerURLs.join(',') : '';
    const clients = Array.isArray(m.clientURLs) ? m.clientURLs.join(',') : '';
    return `${memberHex(m.ID)}, ${clients === '' ? 'unstarted' : 'started'}, ${String(m.name ?? '')}, ${peers}, ${clients}, ${m.isLearner === true}`;
  });
}

export const clusterIdOf = (response: JsonRecord): JsonValue | undefined => obj(response.header).cluster_id;

/** What etcdctl prints after `member add`: the new member's settings, to start it with. */
export function formatMemberAdded(response: JsonRecord, name: string): string[] {
  const added = obj(response.member);
  const peerUrls = Array.isArray(added.peerURLs) ? added.peerURLs.map(String) : [];
  const cluster = list(response.members).flatMap((m) => {
    const memberName = m.ID === added.ID ? name : String(m.name ?? '');
    return (Array.isArray(m.peerURLs) ? m.peerURLs : []).map((url) => `${memberName}=${String(url)}`);
  });
  return [
    `Member ${memberHex(added.ID)} added to cluster ${memberHex(clusterIdOf(response))}`,
    '',
    `ETCD_NAME="${name}"`,
    `ETCD_INITIAL_CLUSTER="${cluster.join(',')}"`,
    `ETCD_INITIAL_ADVERTISE_PEER_URLS="${peerUrls.join(',')}"`,
    'ETCD_INITIAL_CLUSTER_STATE="existing"',
  ];
}

/** etcdctl prints sizes with go-humanize: "25 kB". */
function humanBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatStatus(endpoint: string, response: JsonRecord): string {
  const head = obj(response.header);
  const isLeader = response.leader !== undefined && response.leader === head.member_id;
  return [
    endpoint, memberHex(head.member_id), String(response.version ?? ''), humanBytes(num(response.dbSize)), String(isLeader), 'false',
    String(num(response.raftTerm)), String(num(response.raftIndex)), String(num(response.raftAppliedIndex)), '',
  ].join(', ');
}

// ---- txn input -----------------------------------------------------------

/** The three blank-line-separated sections etcdctl's `txn` reads: compares, success ops, failure ops. */
export function parseTxnInput(text: string): JsonRecord {
  const sections = text.replace(/\r/g, '').split(/\n\s*\n/);
  if (sections.length > 3) throw new Error('txn: expected at most three sections (compares, success, failure) separated by blank lines');
  const lines = (section: string | undefined) => (section ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return {
    compare: lines(sections[0]).map(parseCompare),
    success: lines(sections[1]).map(parseOp),
    failure: lines(sections[2]).map(parseOp),
  };
}

/** Splits a line into words; "quoted strings" may hold spaces and \" escapes. */
export function words(line: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = pattern.exec(line); m; m = pattern.exec(line)) out.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) as string : m[2]);
  return out;
}

const COMPARE = /^(value|version|create|mod|lease|val|ver|c|m)\("((?:[^"\\]|\\.)*)"\)\s*(=|!=|<|>)\s*(.+)$/;
const RESULTS: Record<string, string> = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' };

function parseCompare(line: string): JsonRecord {
  const m = COMPARE.exec(line);
  if (!m) throw new Error(`txn: bad compare "${line}" (expected like mod("key") > "0")`);
  const [, target, key, op, rest] = m;
  const operand = words(rest)[0] ?? '';
  const base: JsonRecord = { key: enc(JSON.parse(`"${key}"`) as string), result: RESULTS[op] };
  switch (target) {
    case 'value':
    case 'val':
      return { ...base, target: 'VALUE', value: enc(operand) };
    case 'version':
    case 'ver':
      return { ...base, target: 'VERSION', version: operand };
    case 'create':
    case 'c':
      return { ...base, target: 'CREATE', create_revision: operand };
    case 'mod':
    case 'm':
      return { ...base, target: 'MOD', mod_revision: operand };
    default:
      return { ...base, target: 'LEASE', lease: BigInt(`0x${operand}`).toString() };
  }
}

function parseOp(line: string): JsonRecord {
  const [verb, key, arg] = words(line);
  if (key === undefined) throw new Error(`txn: bad request "${line}" (expected put, get or del with a key)`);
  switch (verb) {
    case 'put':
      if (arg === undefined) throw new Error(`txn: put needs a value: "${line}"`);
      return { request_put: { key: enc(key), value: enc(arg) } };
    case 'get':
      return { request_range: { key: enc(key), ...(arg !== undefined ? { range_end: enc(arg) } : {}) } };
    case 'del':
    case 'delete':
      return { request_delete_range: { key: enc(key), ...(arg !== undefined ? { range_end: enc(arg) } : {}) } };
    default:
      throw new Error(`txn: unknown request "${verb}" (expected put, get or del)`);
  }
}
