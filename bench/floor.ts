/**
 * The floor under the simulation's ratio: what the event queue and the network alone cost
 * for exactly the traffic a scenario makes. A run is recorded as what each popped event put
 * on the wire and scheduled besides; the replay pops the same number of events from a fresh
 * queue and makes the same sends through a real Network (its draws, its link lookups, its
 * in-flight objects) and the same other pushes, so the queue holds as many events at every
 * step as in the run. No Raft node, disk, invariant, state machine or client runs.
 */
import { EventQueue } from '../sim/event-queue.js';
import { Network, type InFlight } from '../sim/network.js';
import { RandomStream } from '../sim/random.js';
import type { Scenario } from '../sim/scenario.js';
import { runScenario } from '../sim/simulation.js';
import { TraceRecorder } from '../sim/trace.js';

/** Per popped event: the messages it sent and the other events it scheduled. Index 0 is what the run scheduled before its first pop. */
interface RecordedEvent {
  sends: number;
  schedules: number;
}

export type RecordedRun = readonly RecordedEvent[];

interface Queued {
  readonly kind: string;
}

/**
 * Runs the seeds once each and records their traffic. The queue is observed by wrapping
 * its prototype for the duration (this thread runs nothing else meanwhile): the simulator
 * owns its queue, and a hook on the hot path would cost every run.
 */
export function recordTraffic(scenario: Scenario, from: number, seeds: number): RecordedRun[] {
  const queue = EventQueue.prototype as { push(time: number, item: Queued): void; popDueBy(limit: number): Queued | undefined };
  const { push, popDueBy } = queue;
  let events: RecordedEvent[] = [];
  queue.push = function (this: EventQueue<Queued>, time, item) {
    const current = events[events.length - 1];
    if (item.kind === 'deliver') current.sends++;
    else current.schedules++;
    push.call(this, time, item);
  };
  queue.popDueBy = function (this: EventQueue<Queued>, limit) {
    const item = popDueBy.call(this, limit);
    if (item !== undefined) events.push({ sends: 0, schedules: 0 });
    return item;
  };
  const runs: RecordedRun[] = [];
  try {
    for (let seed = from; seed < from + seeds; seed++) {
      events = [{ sends: 0, schedules: 0 }];
      runScenario(scenario, { seed, trace: 'off', historyChecks: false });
      runs.push(events);
    }
  } finally {
    queue.push = push;
    queue.popDueBy = popDueBy;
  }
  return runs;
}

interface FloorPacket {
  readonly type: 'heartbeat';
  readonly from: number;
  readonly to: number;
  readonly term: number;
  readonly commit: number;
}

type FloorEvent = InFlight<FloorPacket> | { readonly kind: 'timer' };

/** Replays the recorded traffic on a fresh queue and network per run; answers the events popped and the milliseconds it took. */
export function replayTraffic(scenario: Scenario, runs: readonly RecordedRun[]): { events: number; ms: number } {
  const timer: FloorEvent = { kind: 'timer' };
  const describe = () => ({ type: 'heartbeat', term: 0, info: {} });
  const settings = { ...scenario.network, dropRate: 0, duplicateRate: 0 };
  let events = 0;
  const started = performance.now();
  for (const run of runs) {
    let now = 0;
    const queue = new EventQueue<FloorEvent>();
    // Nothing is lost or copied at random: every recorded send is one push, as it was in the run.
    const network = new Network<FloorPacket>(settings, new RandomStream(1, 'network'), new TraceRecorder('off'), { now: () => now }, (time, message) => queue.push(time, message), describe);
    const act = ({ sends, schedules }: RecordedEvent, step: number) => {
      for (let i = 0; i < sends; i++) network.send({ type: 'heartbeat', from: 1 + (i % scenario.nodes), to: 1 + ((i + step) % scenario.nodes), term: 1, commit: step });
      for (let i = 0; i < schedules; i++) queue.push(now + 10, timer);
    };
    act(run[0], 0);
    for (let step = 1; step < run.length; step++) {
      const event = queue.pop()!;
      now = queue.poppedTime;
      events++;
      if (event.kind === 'deliver' && network.admit(event)) network.recordDelivery(event);
      act(run[step], step);
    }
  }
  return { events, ms: performance.now() - started };
}
