import type { Message } from '../src/raft/types.js';
import type { MessageInfo } from './trace.js';

/** A message as the trace shows it: its scalar fields, with entries reduced to their index range and terms. */
export function describeMessage(m: Message): { type: string; term: number; info: MessageInfo } {
  switch (m.type) {
    case 'vote':
      return { type: m.type, term: m.term, info: { lastIndex: m.lastIndex, lastTerm: m.lastTerm } };
    case 'voteResp':
      return { type: m.type, term: m.term, info: { granted: m.granted } };
    case 'app':
      return {
        type: m.type,
        term: m.term,
        info: {
          prevIndex: m.prevIndex,
          prevTerm: m.prevTerm,
          entries: m.entries.length,
          terms: m.entries.map((entry) => entry.term).join(','),
          commit: m.commit,
        },
      };
    case 'appResp':
      return {
        type: m.type,
        term: m.term,
        info: { index: m.index, reject: m.reject, hintIndex: m.hintIndex, hintTerm: m.hintTerm },
      };
    case 'heartbeat':
      return { type: m.type, term: m.term, info: { commit: m.commit, context: m.context } };
    case 'heartbeatResp':
      return { type: m.type, term: m.term, info: { context: m.context } };
    case 'prop':
      return { type: m.type, term: m.term, info: { proposals: m.data.length } };
    case 'readIndex':
      return { type: m.type, term: m.term, info: { context: m.context } };
    case 'readIndexResp':
      return { type: m.type, term: m.term, info: { context: m.context, index: m.index } };
  }
}
