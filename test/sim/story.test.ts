import { describe, expect, it } from 'vitest';
import { findScenario } from '../../scenarios/index.js';
import { runScenario } from '../../sim/simulation.js';
import { tellStory } from '../../sim/story.js';
import { withClogs } from '../viz/fixtures.js';

const leaderCrash = runScenario(findScenario('leader-crash')!, { seed: 1, trace: 'full' });
const texts = (lines: readonly { text: string }[]) => lines.map((line) => line.text);

describe('a run told as a story', () => {
  it('tells each leader, its end and what it committed, the crashes and restarts, in time order', () => {
    const story = tellStory(leaderCrash.events);
    const lines = texts(story);
    const leaders = lines.filter((text) => / is leader of term \d+, with /.test(text));
    expect(leaders.length).toBe(leaderCrash.stats.leaderChanges);
    // Each won with the votes it received: with its own, a majority of the five.
    for (const leader of leaders) {
      const voters = /with votes from ([\d, ]+) and its own$/.exec(leader)![1].split(', ');
      expect(voters.length + 1, leader).toBeGreaterThanOrEqual(3);
    }
    // The first leader's crash ends its tenure, and a leader of the next term follows.
    const first = Number(/^node (\d+)/.exec(leaders[0])![1]);
    const crash = lines.findIndex((text) => text.startsWith(`✖ node ${first} crashes`));
    expect(crash).toBeGreaterThan(lines.indexOf(leaders[0]));
    expect(lines[crash + 1]).toMatch(new RegExp(`^node ${first} no longer leads term 1 \\(it crashed\\); it led for \\d+ ms, committing up to index \\d+$`));
    expect(lines.indexOf(leaders[1])).toBeGreaterThan(crash);
    expect(lines.some((text) => new RegExp(`^node ${first} restarts from its disk: term 1`).test(text))).toBe(true);
    expect(lines.at(-1)).toMatch(/^the run ends with node \d+ leading term \d+/);
    expect(story.map((line) => line.t)).toEqual(story.map((line) => line.t).sort((a, b) => a - b));
  });

  it('tells how long the clients saw nothing succeed after the leader crashed', () => {
    const story = tellStory(leaderCrash.events);
    const crash = story.find((line) => line.kind === 'process' && line.text.includes('crashes'))!;
    const outage = story.find((line) => line.kind === 'availability' && line.t > crash.t)!;
    const [, gap, since] = /no operation succeed for (\d+) ms \(since (\d+) ms\)$/.exec(outage.text)!.map(Number);
    expect(since).toBeLessThanOrEqual(crash.t + 10);
    expect(outage.t - since).toBe(gap);
    expect(gap).toBeGreaterThanOrEqual(100);
    // A longer threshold tells fewer outages; none is told when nothing pauses that long.
    expect(tellStory(leaderCrash.events, { outageMs: 10_000 }).filter((line) => line.kind === 'availability')).toEqual([]);
  });

  it('tells a killed process apart from a crashed machine, and the shorter outage that follows', () => {
    const killed = runScenario(findScenario('leader-kill')!, { seed: 1, trace: 'full' });
    const story = tellStory(killed.events);
    const kill = story.find((line) => line.kind === 'process' && line.text.includes('is killed'))!;
    expect(kill.text).toMatch(/^✖ node \d's process is killed: every write it made survives, its clients are reset$/);
    expect(story.some((line) => line.t === kill.t && line.text.includes('(it was killed)'))).toBe(true);
    const outageAfter = (lines: typeof story, t: number) => Number(/for (\d+) ms/.exec(lines.find((line) => line.kind === 'availability' && line.t > t)!.text)![1]);
    const crashStory = tellStory(leaderCrash.events);
    const crash = crashStory.find((line) => line.kind === 'process' && line.text.includes('crashes'))!;
    expect(outageAfter(story, kill.t)).toBeLessThan(outageAfter(crashStory, crash.t));
  });

  it('counts a cut-off candidate\'s elections in a row instead of telling each', () => {
    const rejoin = runScenario(findScenario('disruptive-rejoin')!, { seed: 1, trace: 'full' });
    const lines = texts(tellStory(rejoin.events));
    const streak = lines.find((text) => /stops campaigning \(now a follower\) after \d+ elections in a row/.test(text));
    expect(streak).toBeDefined();
    const [, first, last] = /terms (\d+)–(\d+)$/.exec(streak!)!.map(Number);
    expect(last - first).toBeGreaterThanOrEqual(5);
    expect(lines.filter((text) => / campaigns for term /.test(text)).length).toBeLessThan(last - first);
  });

  it('tells the violation of a failing run', () => {
    const failing = runScenario(findScenario('nemesis')!, { seed: 2, trace: 'full', bug: 'figure-8-commit' });
    const story = tellStory(failing.events);
    expect(story.filter((line) => line.kind === 'violation').map((line) => line.text)).toEqual([`✗ commit-rule: ${failing.violations[0].message}`]);
    expect(new Set(story.map((line) => line.kind))).toEqual(new Set(['election', 'leadership', 'process', 'fault', 'note', 'violation']));
  });

  it('keeps to a time window and to one node, with the cluster-wide events', () => {
    const all = tellStory(leaderCrash.events);
    const window = tellStory(leaderCrash.events, { from: 1900, to: 2200 });
    expect(window.length).toBeGreaterThan(0);
    expect(window).toEqual(all.filter((line) => line.t >= 1900 && line.t <= 2200));
    const first = Number(/^node (\d+)/.exec(all.find((line) => line.text.includes('is leader of term 1,'))!.text)![1]);
    const about = tellStory(leaderCrash.events, { node: first });
    expect(about.length).toBeLessThan(all.length);
    for (const line of about) expect(line.text).toMatch(new RegExp(`node ${first}\\b|every link heals|^network|^clients saw|^ℹ|^✗`));
  });

  it('tells each clogged link and how much its release let through', () => {
    const clogs = withClogs();
    const lines = tellStory(clogs.events).filter((line) => line.text.startsWith('▥'));
    const released = clogs.events.flatMap((e) => (e.k === 'unclog' ? [e.released] : []));
    expect(lines.map((line) => [line.t, line.text])).toEqual([
      [300, "▥ node 4's messages to node 3 are held, none lost"],
      [500, "▥ node 4's messages to node 2 are held, none lost"],
      [900, `▥ the link 4 → 3 opens: its ${released[0]} held messages go on at once`],
      [1200, `▥ the link 4 → 2 opens: its ${released[1]} held messages go on at once`],
    ]);
    expect(lines.every((line) => line.kind === 'fault')).toBe(true);
  });
});
