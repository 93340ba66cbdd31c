/** runCheck: files and directories, human and JSON output, exit codes. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration, runCheck } from '../../src/check/cli.js';

const good = '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"ok","f":"write","value":1}\n{"process":1,"type":"invoke","f":"read"}\n{"process":1,"type":"ok","f":"read","value":1}\n';
const bad = good.replace('"read","value":1}', '"read","value":2}');
// Reads a value that existed, but was overwritten before the read began.
const stale = good.replace('{"process":1,"type":"invoke"', '{"process":0,"type":"invoke","f":"write","value":3}\n{"process":0,"type":"ok","f":"write","value":3}\n{"process":1,"type":"invoke"');
const broken = '{"process":0,"type":"invoke","f":"write","value":1}\n{"process":0,"type":"done","f":"write"}\n';

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'raftsim-check-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

async function run(paths: string[], options: Partial<{ model: string; json: boolean; timeoutMs: number | undefined; maxSteps: number }> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCheck(paths, { model: 'register', json: false, maxSteps: 10_000_000, ...options }, (l) => out.push(l), (l) => err.push(l));
  return { code, out, err };
}

describe('runCheck', () => {
  it('exit 0 and a one-line summary for a linearizable file', async () => {
    const d = dir({ 'a.jsonl': good });
    const { code, out, err } = await run([join(d, 'a.jsonl')]);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/a\.jsonl: linearizable \(2 ops, 1 part, [\d.]+ ms\)$/);
  });

  it('exit 1 with a readable counterexample', async () => {
    const d = dir({ 's.jsonl': stale, 'b.jsonl': bad });
    const { code, out } = await run([join(d, 's.jsonl')]);
    expect(code).toBe(1);
    expect(out).toEqual([
      `${join(d, 's.jsonl')}: NOT linearizable (3 ops, 1 part, ${/[\d.]+ ms/.exec(out[0])?.[0]})`,
      '  failing part: key (single register) (3 ops)',
      '  longest linearizable prefix: 2 ops, starting from state null',
      '    op 0 process 0: write 1 (events 0..1)  => 1',
      '    op 1 process 0: write 3 (events 2..3)  => 3',
      '  then nothing can be linearized in state 3:',
      '    op 2 process 1: read 1 (events 4..5): not possible in state 3',
    ]);
    // A value nobody wrote is refuted without search.
    const other = await run([join(d, 'b.jsonl')]);
    expect(other.out.join('\n')).toContain('op 1 process 1: read 2 (events 2..3): not possible in any state the operations of this part can reach');
  });

  it('a directory expands to its history files sorted by name; JSON lines per file', async () => {
    const d = dir({ 'b.jsonl': stale, 'a.json': `[${good.trim().split('\n').join(',')}]`, 'c.edn': '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :value nil, :process 0}\n', 'notes.txt': 'x' });
    const { code, out } = await run([d], { json: true });
    expect(code).toBe(1);
    const lines = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.file, l.verdict])).toEqual([
      [join(d, 'a.json'), 'linearizable'],
      [join(d, 'b.jsonl'), 'not-linearizable'],
      [join(d, 'c.edn'), 'linearizable'],
    ]);
    expect(Object.keys(lines[0])).toEqual(['file', 'verdict', 'ops', 'parts', 'steps', 'wallMs', 'counterexample']);
    expect(lines[1].counterexample).toMatchObject({ keys: [''], prefixLength: 2, impossible: [{ invokeIndex: 4, completeIndex: 5, description: 'read 1' }] });
  });

  it('exit 2 with the one-line error for bad input', async () => {
    const d = dir({ 'x.jsonl': broken });
    const { code, err } = await run([join(d, 'x.jsonl')]);
    expect(code).toBe(2);
    expect(err).toEqual([`${join(d, 'x.jsonl')}:2: field "type": expected invoke, ok, fail or info, got "done"`]);
    expect((await run([join(d, 'missing.jsonl')])).err).toEqual([`${join(d, 'missing.jsonl')}: cannot read file (ENOENT)`]);
    expect((await run([join(d, 'x.jsonl')], { model: 'nope' })).code).toBe(2);
  });

  it('a found bug outranks bad input; unknown gives 3', async () => {
    const d = dir({ 'b.jsonl': bad, 'x.jsonl': broken });
    expect((await run([d])).code).toBe(1);
    const events: string[] = [];
    for (let p = 0; p < 40; p++) events.push(JSON.stringify({ process: p, type: 'invoke', f: 'write', value: p }));
    for (let p = 40; p < 80; p++) events.push(JSON.stringify({ process: p, type: 'invoke', f: 'read' }));
    for (let p = 0; p < 40; p++) events.push(JSON.stringify({ process: p, type: 'ok', f: 'write', value: p }));
    for (let p = 40; p < 80; p++) events.push(JSON.stringify({ process: p, type: 'ok', f: 'read', value: (p * 13) % 40 }));
    for (const v of [3, 5, 3]) events.push(JSON.stringify({ process: 0, type: 'invoke', f: 'read' }), JSON.stringify({ process: 0, type: 'ok', f: 'read', value: v }));
    const hard = dir({ 'h.jsonl': events.join('\n') });
    const { code, out } = await run([hard], { timeoutMs: 30 });
    expect(code).toBe(3);
    expect(out[0]).toMatch(/h\.jsonl: unknown .*time budget of 30\.0 ms ran out with 1 of 1 parts undecided/);
    const bySteps = await run([hard], { timeoutMs: undefined, maxSteps: 1500 });
    expect(bySteps.code).toBe(3);
    expect(bySteps.out[0]).toMatch(/h\.jsonl: unknown .*step budget of 1,500 steps ran out with 1 of 1 parts undecided/);
    const json = JSON.parse((await run([hard], { timeoutMs: undefined, maxSteps: 1500, json: true })).out[0]);
    expect(json).toMatchObject({ verdict: 'unknown', ranOut: 'steps' });
    expect(json.steps).toBeGreaterThanOrEqual(1500);
  });

  it('etcd files also get the global revision check', async () => {
    const lines = [
      { process: 0, type: 'invoke', f: 'put', key: 'x', value: { value: '1' } },
      { process: 0, type: 'ok', f: 'put', key: 'x', value: { value: '1', revision: 9 } },
      { process: 0, type: 'invoke', f: 'put', key: 'y', value: { value: '1' } },
      { process: 0, type: 'ok', f: 'put', key: 'y', value: { value: '1', revision: 3 } },
    ];
    const d = dir({ 'e.jsonl': lines.map((l) => JSON.stringify(l)).join('\n') });
    const { code, out } = await run([d], { model: 'etcd' });
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('revisions are inconsistent');
  });

  it('parseDuration', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('10')).toBe(10_000);
    expect(() => parseDuration('soon')).toThrow('invalid duration "soon" (expected e.g. 500ms, 30s, 2m)');
  });
});
