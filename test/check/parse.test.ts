/** History formats and the one-line errors for malformed input. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../../src/check/checker.js';
import { HistoryError } from '../../src/check/errors.js';
import { checkText } from '../../src/check/file.js';
import { detectFormat, parseHistory } from '../../src/check/parse.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const jsonl = [
  '{"process":0,"type":"invoke","f":"write","value":1,"time":1}',
  '{"process":0,"type":"ok","f":"write","value":1,"time":2,"extra":"ignored"}',
  '',
  '{"process":1,"type":"invoke","f":"read","value":null,"time":3}',
  '{"process":1,"type":"ok","f":"read","value":1,"time":4}',
].join('\n');

/** The exact error message for a history text, or a failure if none is thrown. */
function errorOf(text: string, file = 'history.jsonl', model = 'register'): string {
  try {
    checkText(text, file, { model });
  } catch (e) {
    expect(e).toBeInstanceOf(HistoryError);
    return (e as Error).message;
  }
  throw new Error('expected a HistoryError');
}

describe('formats', () => {
  it('detects formats by content, then extension', () => {
    expect(detectFormat('  [{"a":1}]', 'x.edn')).toBe('json');
    expect(detectFormat('{"a":1}\n', 'x.json')).toBe('jsonl');
    expect(detectFormat('{:type :ok}', 'x.json')).toBe('edn');
    expect(detectFormat('[{:type :ok}]', 'x')).toBe('edn');
    expect(detectFormat('', 'x.edn')).toBe('edn');
    expect(detectFormat('', 'x.jsonl')).toBe('jsonl');
  });

  it('JSON Lines', () => {
    const events = parseHistory(jsonl, 'h.jsonl');
    expect(events.map((e) => [e.index, e.line, e.type, e.f])).toEqual([
      [0, 1, 'invoke', 'write'],
      [1, 2, 'ok', 'write'],
      [2, 4, 'invoke', 'read'],
      [3, 5, 'ok', 'read'],
    ]);
    expect(checkText(jsonl, 'h.jsonl', { model: 'register' }).verdict).toBe('linearizable');
  });

  it('JSON array, with line numbers per element', () => {
    const text = `[\n${jsonl.split('\n').filter(Boolean).join(',\n')}\n]`;
    expect(parseHistory(text, 'h.json').map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(checkText(text.replace('"value":1,"time":4', '"value":2,"time":4'), 'h.json', { model: 'register' }).verdict).toBe('not-linearizable');
  });

  it('Jepsen EDN: keywords, nil, cas vectors, nemesis ops, fail and info', () => {
    const text = readFileSync(fixture('jepsen-register.edn'), 'utf8');
    const events = parseHistory(text, 'history.edn');
    expect(events).toHaveLength(15);
    expect(events[5]).toMatchObject({ type: 'invoke', f: 'cas', value: [1, 2], process: 0, time: 3000, line: 6 });
    expect(events[4].process).toBe('nemesis');
    const result = checkText(text, 'history.edn', { model: 'register' });
    expect(result).toMatchObject({ verdict: 'linearizable', ops: 6, failed: 1, parts: 1 });
    // The info write of 3 must have happened: changing the later read breaks it.
    const broken = text.replace(':ok, :f :read, :value 3, :process 1', ':ok, :f :read, :value 2, :process 1');
    expect(checkText(broken, 'history.edn', { model: 'register' }).verdict).toBe('not-linearizable');
  });

  it('Jepsen independent [k v] tuples become keys', () => {
    const text = readFileSync(fixture('jepsen-independent.edn'), 'utf8');
    const result = checkText(text, 'independent.edn', { model: 'register' });
    expect(result.parts).toBe(2);
    expect(result.verdict).toBe('not-linearizable'); // key 7 read 1 after cas 1 -> 2
    expect(result.counterexample?.keys).toEqual(['7']);
    expect(result.counterexample?.impossible.map((o) => [o.description, o.invokeIndex, o.completeIndex])).toEqual([['read 1', 8, 9]]);
  });

  it('names ops by the history\'s own op ids when it has them, as the simulator does', () => {
    // Op 7 is invoked first but completes last: ids follow the file, not the order of pairing.
    const text = [
      '{"process":0,"type":"invoke","f":"write","value":1,"op":7}',
      '{"process":1,"type":"invoke","f":"read","value":null,"op":3}',
      '{"process":1,"type":"ok","f":"read","value":2,"op":3}',
      '{"process":0,"type":"ok","f":"write","value":1,"op":7}',
    ].join('\n');
    const result = checkText(text, 'h.jsonl', { model: 'register' });
    expect(result.verdict).toBe('not-linearizable');
    expect(result.counterexample?.impossible.map((op) => op.id)).toEqual([3]);
    // Without op ids, the ops are numbered in invocation order.
    const plain = checkText(text.replace(/,"op":\d+/g, ''), 'h.jsonl', { model: 'register' });
    expect(plain.counterexample?.impossible.map((op) => [op.id, op.f])).toEqual([[1, 'read']]);
  });

  it('multi-line EDN maps and comments', () => {
    const text = '; comment\n{:type :invoke\n :f :write :value "a;b" :process 0}\n{:type :ok, :f :write, :value "a;b", :process 0}\n';
    expect(parseHistory(text, 'h.edn').map((e) => [e.line, e.value])).toEqual([
      [2, 'a;b'],
      [4, 'a;b'],
    ]);
  });
});

describe('malformed input gives one exact line', () => {
  const cases: [string, string, string, string?][] = [
    ['bad type', jsonl.replace('"type":"ok","f":"write"', '"type":"done","f":"write"'), 'history.jsonl:2: field "type": expected invoke, ok, fail or info, got "done"'],
    ['missing field', jsonl.replace('"process":1,"type":"invoke",', '"type":"invoke",'), 'history.jsonl:4: field "process": missing'],
    ['completion without invocation', '{"process":3,"type":"ok","f":"read","value":null}', 'history.jsonl:1: field "process": ok for process 3, which has no open invocation'],
    ['double invoke', '{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"invoke","f":"read"}', 'history.jsonl:2: field "process": process 0 invoked again while its operation from line 1 is still open'],
    ['unknown f', '{"process":0,"type":"invoke","f":"incr"}', 'history.jsonl:1: field "f": expected read, write, cas for model register, got "incr"'],
    ['broken JSON line', '{"process":0,"type":"invoke","f":"read"}\n{"process":0,', 'history.jsonl:2: invalid JSON: '],
    ['broken JSON array', '[\n{"process":0,"type":"invoke","f":"read"},\n{"process" 0}\n]', 'h.json:3: invalid JSON: ', 'h.json'],
    ['bad cas value', '{"process":0,"type":"invoke","f":"cas","value":5}', 'history.jsonl:1: field "value": cas expects [expected, new], got 5'],
    ['unclosed EDN map', '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read,\n', 'h.edn:2: invalid EDN: "{" is never closed', 'h.edn'],
    ['stray EDN bracket', '{:type :invoke, :f :read, :process 0}]\n', 'h.edn:1: invalid EDN: unexpected "]"', 'h.edn'],
    ['EDN missing :type', '{:f :read, :process 0}\n', 'h.edn:1: field "type": missing', 'h.edn'],
    ['kv put needs a string', '{"process":0,"type":"invoke","f":"put","key":"a","value":3}', 'history.jsonl:1: field "value": put expects a string, got 3'],
    ['op id not an integer', '{"process":0,"type":"invoke","f":"read","op":"x1"}', 'history.jsonl:1: field "op": expected a non-negative integer id, got "x1"'],
    ['completion before invocation in time', '{"process":0,"type":"invoke","f":"read","time":5}\n{"process":0,"type":"ok","f":"read","value":null,"time":4}', 'history.jsonl:2: field "time": 4 is before its invocation\'s time 5'],
  ];
  for (const [name, text, message, file] of cases) {
    it(name, () => {
      const model = name.startsWith('kv') ? 'kv' : 'register';
      const got = errorOf(text, file ?? 'history.jsonl', model);
      if (message.endsWith(': ')) expect(got.startsWith(message)).toBe(true);
      else expect(got).toBe(message);
      expect(got).not.toContain('\n');
    });
  }

  it('raw events passed to checkHistory are validated too', () => {
    expect(() => checkHistory([{ process: 0, type: 'invoke', f: 'read' }, { process: 0, type: 'weird', f: 'read' }], { model: 'register' })).toThrow(
      'history:2: field "type": expected invoke, ok, fail or info, got "weird"',
    );
  });
});
