import type { MemberStatus, OpStatus, Role } from '../types.js';

/** One palette for the timeline, legend, filters and state panel, so colours mean the same everywhere. */

export const ROLE_COLOR: Record<Role, string> = {
  follower: '#dfe6ee',
  preCandidate: '#fbe7a8',
  candidate: '#f7cf5c',
  leader: '#f28c28',
};
export const ROLE_TEXT: Record<Role, string> = {
  follower: '#4a5a6a',
  preCandidate: '#5b4300',
  candidate: '#5b4300',
  leader: '#ffffff',
};
export const CRASHED_COLOR = '#3d434b';
export const PAUSED_COLOR = '#8b96a3';
export const VIOLATION_COLOR = '#d62728';
/** Clogged links: held, not lost, so not the cut's red. */
export const CLOG_COLOR = '#0f7c86';
export const PARTITION_TINTS = ['#fbdada', '#dcd6f7', '#d4f0e0', '#fbe7c6', '#d3e9f8'];
/** A drifting clock: the underline and label on the lane, and the glyph in the strip. */
export const CLOCK_COLOR = '#7048b6';
/** A pre-candidate's band is outlined dashed in this: it asks for votes without bumping its term. */
export const PRE_CANDIDATE_STROKE = '#b8901a';
/** Leadership transfer: the arc between the two lanes and the TimeoutNow message that ends it. */
export const TRANSFER_COLOR = '#3949ab';
/** A CheckQuorum step-down: a leader's own decision, related to the leader's orange but darker. */
export const STEP_DOWN_COLOR = '#c43e00';
/** Snapshots: the compaction ticks, installed snapshots and the compacted log prefix (the snap family's brown). */
export const SNAPSHOT_COLOR = '#8d5524';
/** A joint configuration in the config row and the joining/leaving lanes. */
export const JOINT_COLOR = '#b26a00';
/** Membership stripes along the top of a lane; voters get none. */
export const MEMBER_COLOR: Record<MemberStatus, string> = {
  voter: '#56616d',
  incoming: '#2e7d32',
  outgoing: JOINT_COLOR,
  learner: '#00897b',
  outside: '#9aa5b1',
};

export const OP_COLOR: Record<OpStatus, string> = {
  ok: '#6bbf73',
  fail: '#e7787a',
  info: '#f4b455',
  pending: '#c4c9cf',
};

/** Message families: a request and its response share a hue; the response is lighter. */
export interface Family {
  readonly name: string;
  readonly label: string;
  readonly types: readonly string[];
  readonly color: string;
  readonly response: string;
}

export const FAMILIES: readonly Family[] = [
  { name: 'vote', label: 'votes', types: ['vote', 'voteResp'], color: '#8a5cc7', response: '#b99be0' },
  // Pre-votes are votes that change nothing: a plum close to the votes' purple, set apart by its pink.
  { name: 'preVote', label: 'pre-votes', types: ['preVote', 'preVoteResp'], color: '#b0479b', response: '#dba3cf' },
  { name: 'append', label: 'appends', types: ['app', 'appResp'], color: '#1f6fc0', response: '#74aee6' },
  { name: 'heartbeat', label: 'heartbeats', types: ['heartbeat', 'heartbeatResp'], color: '#8d99a6', response: '#b9c2cc' },
  // Snapshots are rare and heavy: a strong brown that no other family comes near.
  { name: 'snap', label: 'snapshots', types: ['snap', 'snapResp'], color: '#8d5524', response: '#c89463' },
  { name: 'prop', label: 'proposals', types: ['prop'], color: '#2c9d5a', response: '#2c9d5a' },
  { name: 'readIndex', label: 'read index', types: ['readIndex', 'readIndexResp'], color: '#0e9aa7', response: '#6cc9d1' },
  { name: 'timeoutNow', label: 'transfer (TimeoutNow)', types: ['timeoutNow'], color: TRANSFER_COLOR, response: TRANSFER_COLOR },
  { name: 'kv', label: 'client requests', types: ['kvReq', 'kvResp', 'reset'], color: '#c2185b', response: '#e88bb0' },
];

/** For types this viewer does not know yet; none of them is a known family's colour. */
const OTHER_COLORS = ['#ad1457', '#546e7a', '#7cb342', '#5c6bc0'];

export function familyOf(type: string): Family {
  const known = FAMILIES.find((f) => f.types.includes(type));
  if (known) return known;
  const color = OTHER_COLORS[Math.abs(hash(type)) % OTHER_COLORS.length];
  return { name: type, label: type, types: [type], color, response: color };
}

export function messageColor(type: string): string {
  const family = familyOf(type);
  return family.types.indexOf(type) > 0 ? family.response : family.color;
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) | 0;
  return h;
}

/** Log entries are coloured by term, as RaftScope does, so divergent suffixes stand out. */
const TERM_COLORS = ['#cfe3f7', '#fde0b5', '#d6efd0', '#f6d1dc', '#e3d9f5', '#fff1a8', '#cdeeed', '#f2dccb', '#e0e0e0', '#d9ecb4'];
export function termColor(term: number): string {
  return term <= 0 ? '#ffffff' : TERM_COLORS[(term - 1) % TERM_COLORS.length];
}
