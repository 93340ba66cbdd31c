import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { UsageError } from '../../src/cli/errors.js';
import { playgroundCommand } from '../../src/cli/playground-command.js';
import { loadScenario } from '../../src/cli/scenario-source.js';
import { defineScenario, faultActionSchema, type FaultAction, type Scenario } from '../../sim/scenario.js';
import { runScenario } from '../../sim/simulation.js';
import {
  decodeExperiment,
  describeAction,
  encodeExperiment,
  experimentScenario,
  linkToRelease,
  PLAYGROUND_ACTIONS,
  type PlaygroundPageData,
} from '../../viz/playground/experiment.js';
import { runExperiment } from '../../viz/playground/run.js';
import { tellStory } from '../../sim/story.js';
import { ensurePagesBuilt } from './browser-helpers.js';
import { withClogs } from './fixtures.js';
import { prepareModel } from '../../viz/prepare.js';

const happy = findScenario('happy')!;
const five = defineScenario({ ...happy, nodes: 5 });
const crashLeader: FaultAction = { at: 2000, action: 'crash', node: 'leader' };

describe('a playground experiment', () => {
  it('is the base scenario while nothing is added', () => {
    expect(experimentScenario(happy, { added: [] })).toBe(happy);
    expect(experimentScenario(happy, { added: [], durationMs: happy.durationMs })).toBe(happy);
  });

  it('adds its faults to the base in time order, ties in the order they were added, under its own name', () => {
    const base = defineScenario({ ...five, faults: [{ at: 1000, action: 'isolate', node: 2 }] });
    const added: FaultAction[] = [
      { at: 3000, action: 'heal' },
      { at: 1000, action: 'pause', node: 3 },
      { at: 500, action: 'kill', node: 1 },
    ];
    const scenario = experimentScenario(base, { added });
    expect(scenario.name).toBe('happy-playground');
    expect(scenario.faults.map((f) => `${f.at} ${f.action}`)).toEqual(['500 kill', '1000 isolate', '1000 pause', '3000 heal']);
    expect(scenario.description).toContain('3 faults added in the playground');
    // Another round of edits keeps one suffix.
    expect(experimentScenario(scenario, { added: [crashLeader] }).name).toBe('happy-playground');
  });

  it('lengthens or shortens the fault phase, and refuses faults past its end', () => {
    const longer = experimentScenario(five, { added: [], durationMs: 12_000 });
    expect(longer).toMatchObject({ name: 'happy-playground', durationMs: 12_000 });
    expect(longer.description).toContain('faults for 12 s in the playground');
    expect(runExperiment(five, { seed: 1, added: [], durationMs: 12_000 }).trace.stats.simulatedMs).toBeGreaterThan(12_000);
    const late = encodeExperiment({ seed: 1, added: [{ at: 3000, action: 'heal' }], durationMs: 2000 });
    expect(decodeExperiment(`#${late}`, five, 1)).toEqual({ ok: false, error: expect.stringContaining('after the end of the run') });
    const tooLong = encodeExperiment({ seed: 1, added: [], durationMs: 10_000_000 });
    expect(decodeExperiment(`#${tooLong}`, five, 1)).toEqual({ ok: false, error: expect.stringContaining('field durationMs') });
  });

  it('travels in the URL fragment and comes back the same', () => {
    const experiment = { seed: 42, added: [crashLeader, { at: 2500, action: 'restart', node: 'all' } as FaultAction], view: { from: 100, to: 3000, cursor: 2000 } };
    const fragment = encodeExperiment(experiment);
    expect(fragment).not.toMatch(/[#\s]/);
    expect(decodeExperiment(`#${fragment}`, five, 1)).toEqual({ ok: true, experiment });
  });

  it('starts from the page\'s seed with nothing added when the fragment is empty', () => {
    expect(decodeExperiment('', five, 7)).toEqual({ ok: true, experiment: { seed: 7, added: [] } });
    expect(decodeExperiment('#', five, 7)).toEqual({ ok: true, experiment: { seed: 7, added: [] } });
  });

  it('refuses a fragment edited into nonsense, naming what is wrong', () => {
    expect(decodeExperiment('#not-json', five, 1)).toEqual({ ok: false, error: expect.stringContaining('not JSON') });
    const wrongSeed = decodeExperiment(`#${encodeURIComponent(JSON.stringify({ v: 1, seed: -1, added: [] }))}`, five, 1);
    expect(wrongSeed).toEqual({ ok: false, error: expect.stringContaining('field seed') });
    const otherVersion = decodeExperiment(`#${encodeURIComponent(JSON.stringify({ v: 2, seed: 1, added: [] }))}`, five, 1);
    expect(otherVersion).toEqual({ ok: false, error: expect.stringContaining('field v') });
    const noSuchNode = decodeExperiment(`#${encodeExperiment({ seed: 1, added: [{ at: 10, action: 'crash', node: 9 }] })}`, five, 1);
    expect(noSuchNode).toEqual({ ok: false, error: expect.stringMatching(/faults\[0\]\.node: node 9 does not exist/) });
    const afterTheEnd = decodeExperiment(`#${encodeExperiment({ seed: 1, added: [{ at: 99_999, action: 'heal' }] })}`, five, 1);
    expect(afterTheEnd).toEqual({ ok: false, error: expect.stringContaining('after the end of the run') });
  });

  it('offers actions that are each an ordinary fault, for every target they allow', () => {
    for (const [name, action] of Object.entries(PLAYGROUND_ACTIONS)) {
      const targets = action.aim === 'nobody' ? [1] : [1, action.aim === 'node' ? 2 : action.aim];
      for (const target of targets) {
        const fault = action.build(1234, target as 1 | 'leader' | 'all', 'leader');
        expect(faultActionSchema.parse(fault), name).toEqual(fault);
        expect(fault.at).toBe(1234);
        expect(describeAction(fault), name).not.toBe(fault.action);
      }
    }
    expect(PLAYGROUND_ACTIONS.restart.build(5, 'all', 1)).toEqual({ at: 5, action: 'restart', node: 'all' });
    expect(PLAYGROUND_ACTIONS.crash.build(5, 'leader', 1)).toEqual({ at: 5, action: 'crash', node: 'leader' });
    expect(PLAYGROUND_ACTIONS.cut.build(5, 2, 'leader')).toEqual({ at: 5, action: 'cut', from: 2, to: 'leader' });
    expect(describeAction(PLAYGROUND_ACTIONS.cut.build(5, 2, 'leader'))).toBe("node 2's messages to the leader are lost");
    const split = PLAYGROUND_ACTIONS.split.build(1500, 'leader', 3);
    expect(split).toEqual({ at: 1500, action: 'partition', groups: [['leader', 3]] });
    expect(describeAction(split)).toBe('split the leader and node 3 off from the rest');
    const trace = runExperiment(five, { seed: 1, added: [split] }).trace;
    const cut = trace.events.find((e) => e.k === 'partition' && e.t === 1500);
    // Two nodes cut off from three, both ways: 2 x 3 x 2 links.
    expect(cut?.k === 'partition' ? cut.cuts.length : 0).toBe(12);
    // Held, not lost: the leader's messages to node 2 wait until that very link is released.
    const clog = PLAYGROUND_ACTIONS.clog.build(1000, 'leader', 2);
    expect(describeAction(clog)).toBe("the leader's messages to node 2 are held");
    const clogEvent = runExperiment(five, { seed: 1, added: [clog] }).trace.events.find((e) => e.k === 'clog');
    expect(clogEvent).toMatchObject({ t: 1000, to: 2 });
    const leader = clogEvent?.k === 'clog' ? clogEvent.from : 0;
    const clogged = runExperiment(five, { seed: 1, added: [clog, PLAYGROUND_ACTIONS.unclog.build(1400, leader, 2)] }).trace.events;
    const fromLeader = (e: (typeof clogged)[number]) => e.k === 'deliver' && e.from === leader && e.to === 2;
    expect(clogged.some((e) => fromLeader(e) && e.t > 1010 && e.t < 1400)).toBe(false);
    expect(clogged.filter((e) => fromLeader(e) && e.t === 1400).length).toBeGreaterThan(5);
  });

  it('proposes, for a release, the link held or cut at the cursor by its nodes, not "the leader"', () => {
    const model = prepareModel(withClogs());
    expect(linkToRelease('unclog', model, 600)).toEqual([4, 3]);
    expect(linkToRelease('unclog', model, 1000)).toEqual([4, 2]);
    expect(linkToRelease('unclog', model, 100)).toBeUndefined();
    expect(linkToRelease('uncut', model, 600)).toBeUndefined();
    const cut = prepareModel(runExperiment(five, { seed: 1, added: [PLAYGROUND_ACTIONS.cut.build(1000, 3, 1)] }).trace);
    expect(linkToRelease('uncut', cut, 1500)).toEqual([3, 1]);
    expect(linkToRelease('crash', cut, 1500)).toBeUndefined();
  });

  it('changes the run from its fault on, and only from there', () => {
    const plain = runExperiment(five, { seed: 3, added: [] }).trace;
    const crashed = runExperiment(five, { seed: 3, added: [crashLeader] }).trace;
    expect(crashed.traceHash).not.toBe(plain.traceHash);
    const before = (events: typeof plain.events) => JSON.stringify(events.filter((e) => e.t < crashLeader.at));
    expect(before(crashed.events)).toBe(before(plain.events));
    expect(crashed.events.some((e) => e.k === 'crash' && e.t === crashLeader.at)).toBe(true);
  });

  it('tells a dropped message in the story', () => {
    const plain = runExperiment(five, { seed: 3, added: [] }).trace;
    const vote = plain.events.find((e) => e.k === 'send' && e.type === 'vote')!;
    const dropped = runExperiment(five, { seed: 3, added: [{ at: vote.t, action: 'drop', message: vote.k === 'send' ? vote.id : 0 }] }).trace;
    const lines = tellStory(dropped.events).map((line) => line.text);
    expect(lines.some((text) => text.startsWith(`✕ the network loses message #${vote.k === 'send' ? vote.id : 0}`))).toBe(true);
  });
});

describe('raftsim playground', () => {
  let dir: string;
  beforeAll(() => {
    ensurePagesBuilt();
    dir = mkdtempSync(join(tmpdir(), 'raftsim-playground-'));
  });

  const pageData = (html: string): PlaygroundPageData => {
    const match = /<script type="application\/json" id="raftsim-playground">(.*?)<\/script>/s.exec(html);
    if (!match) throw new Error('no page data');
    return JSON.parse(match[1]) as PlaygroundPageData;
  };

  it('writes one self-contained page that carries the scenario, the seed and the simulator', () => {
    const output = join(dir, 'p.html');
    const lines: string[] = [];
    expect(playgroundCommand('leader-crash', { seed: 4, output }, { out: (line) => lines.push(line) })).toBe(0);
    expect(lines.join('\n')).toContain(output);
    const html = readFileSync(output, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    const data = pageData(html);
    expect(data).toMatchObject({ seed: 4, scenarioArg: 'leader-crash' });
    expect(data.scenario).toEqual(findScenario('leader-crash'));
  });

  it('resizes the cluster with --nodes and names the scenario by its file then', () => {
    const output = join(dir, 'five.html');
    playgroundCommand('happy', { seed: 1, nodes: 5, bug: 'fixed-election-timeout', output }, { out: () => {} });
    const data = pageData(readFileSync(output, 'utf8'));
    expect(data.scenario.nodes).toBe(5);
    expect(data.scenario.description).toContain('(here on 5 nodes)');
    expect(data).toMatchObject({ scenarioArg: 'happy.json', bug: 'fixed-election-timeout' });
  });

  it('refuses bad input as usage errors, and never writes over the scenario file', () => {
    const out = { out: () => {} };
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify(happy));
    expect(() => playgroundCommand(file, { seed: 1, output: file }, out)).toThrow(/refusing to write the page over/);
    expect(readFileSync(file, 'utf8')).toBe(JSON.stringify(happy));
    expect(() => playgroundCommand('no-such-scenario', { seed: 1 }, out)).toThrow(UsageError);
    expect(() => playgroundCommand('happy', { seed: 1, bug: 'no-such-bug' }, out)).toThrow(/unknown bug/);
    // partition-minority's schedule names nodes 4 and 5.
    expect(() => playgroundCommand('partition-minority', { seed: 1, nodes: 3, output: join(dir, 'x.html') }, out)).toThrow(/node 4 does not exist/);
  });

  it('offers a scenario file that `raftsim run` replays to the same trace hash', () => {
    const experiment = { seed: 2, added: [crashLeader, { at: 3500, action: 'restart', node: 'all' } as FaultAction] };
    const run = runExperiment(five, experiment);
    const file = join(dir, `${run.scenario.name}.json`);
    writeFileSync(file, `${JSON.stringify(run.scenario, null, 2)}\n`);
    const loaded: Scenario = loadScenario(file);
    expect(runScenario(loaded, { seed: 2, trace: 'hash' }).traceHash).toBe(run.trace.traceHash);
  });
});
