import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { UsageError } from '../../src/cli/errors.js';
import { embedJson, renderViewerHtml, reproduceCommand, viewCommand, pageScriptPath } from '../../src/cli/view.js';
import { serializeTraceFile, toTraceFile, type TraceFile } from '../../sim/trace-file.js';
import { runScenario } from '../../sim/simulation.js';
import { serializeReproFile, toReproFile } from '../../sim/repro-file.js';
import { reproOfFailure } from '../../sim/shrink.js';
import { execFileSync } from 'node:child_process';

let dir: string;
let trace: TraceFile;
beforeAll(() => {
  if (!existsSync(pageScriptPath())) execFileSync('node', ['build.mjs'], { cwd: join(import.meta.dirname, '..', '..') });
  dir = mkdtempSync(join(tmpdir(), 'raftsim-view-'));
  const happy = findScenario('happy')!;
  trace = toTraceFile(happy, runScenario(happy, { seed: 7, trace: 'full' }));
});

describe('raftsim view', () => {
  it('writes one self-contained page next to the trace and says where', () => {
    const path = join(dir, 'run.json');
    writeFileSync(path, serializeTraceFile(trace));
    const lines: string[] = [];
    expect(viewCommand(path, {}, { out: (line) => lines.push(line) })).toBe(0);
    const html = readFileSync(join(dir, 'run.html'), 'utf8');
    expect(lines.join('\n')).toContain(join(dir, 'run.html'));
    // No external resources: everything is inline.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('id="raftsim-trace"');
    expect(html).toContain('raftsim run happy --seed 7');
  });

  it('refuses to overwrite the input and rejects bad traces as usage errors', () => {
    const path = join(dir, 'in.json');
    writeFileSync(path, serializeTraceFile(trace));
    expect(() => viewCommand(path, { output: path }, { out: () => {} })).toThrow(UsageError);
    writeFileSync(join(dir, 'bad.json'), '{"format":"nope"}');
    expect(() => viewCommand(join(dir, 'bad.json'), {}, { out: () => {} })).toThrow(UsageError);
    expect(() => viewCommand(join(dir, 'missing.json'), {}, { out: () => {} })).toThrow(/no such file/);
  });

  it('draws a repro file by running it: the page holds the failing run, its header the replay command', () => {
    const nemesis = findScenario('nemesis')!;
    const failure = reproOfFailure(nemesis, 2, { bug: 'figure-8-commit' });
    const path = join(dir, 'f8.repro.json');
    writeFileSync(path, serializeReproFile(toReproFile('nemesis', failure, 'figure-8-commit')));
    const lines: string[] = [];
    expect(viewCommand(path, {}, { out: (line) => lines.push(line) })).toBe(0);
    expect(lines[0]).toMatch(/FAILED run\)$/);
    expect(lines.slice(1)).toEqual([`  the repro's scenario and seed, run again: trace hash ${failure.traceHash}`]);
    const html = readFileSync(join(dir, 'f8.repro.html'), 'utf8');
    expect(html).toContain(`raftsim replay ${path}`);
    const embedded = JSON.parse(/id="raftsim-trace">(.*?)<\/script>/s.exec(html)![1]) as TraceFile;
    expect(embedded).toMatchObject({ ok: false, seed: 2, bug: 'figure-8-commit', traceHash: failure.traceHash });
    // A repro whose run no longer matches says so instead of passing the page off as the recorded failure.
    writeFileSync(path, serializeReproFile({ ...toReproFile('nemesis', failure, 'figure-8-commit'), traceHash: '0000000000000000' }));
    const diverged: string[] = [];
    viewCommand(path, {}, { out: (line) => diverged.push(line) });
    expect(diverged[2]).toMatch(/DIVERGED from the repro's recorded hash 0000000000000000/);
  });

  it('embeds data that cannot close its script element', () => {
    const text = embedJson({ note: '</script><script>alert(1)</script>' });
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual({ note: '</script><script>alert(1)</script>' });
    const html = renderViewerHtml({ ...trace, scenario: { ...trace.scenario, description: '</script>x' } });
    expect(html.match(/<\/script>/g)?.length).toBe(3);
  });

  it('reruns a built-in scenario by name and anything else from its trace', () => {
    expect(reproduceCommand(trace)).toBe('raftsim run happy --seed 7');
    const changed = { ...trace, scenario: { ...trace.scenario, durationMs: 123 } };
    expect(reproduceCommand(changed, 'out/x.json')).toBe('raftsim replay out/x.json');
    // A planted bug reruns with it switched on (replay reads it from the trace itself).
    expect(reproduceCommand({ ...trace, bug: 'figure-8-commit' })).toBe('raftsim run happy --seed 7 --bug figure-8-commit');
  });
});
