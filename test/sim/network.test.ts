import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/event-queue.js';
import { Network, type InFlight, type NetworkSettings } from '../../sim/network.js';
import { RandomStream } from '../../sim/random.js';
import { TraceRecorder } from '../../sim/trace.js';

interface Note {
  readonly from: number;
  readonly to: number;
  readonly n: number;
}

/** A network on a tiny event loop: returns what arrived, and when. */
function harness(settings: Partial<NetworkSettings> = {}, onConnection?: (note: Note) => boolean) {
  const queue = new EventQueue<InFlight<Note>>();
  let now = 0;
  const trace = new TraceRecorder('full');
  const network = new Network<Note>(
    { minLatencyMs: 5, latencySpreadMs: 0, dropRate: 0, duplicateRate: 0, tailRate: 0, tailMs: 0, ...settings },
    new RandomStream(1, 'network'),
    trace,
    { now: () => now },
    (time, message) => queue.push(time, message),
    (note) => ({ type: 'note', term: 0, info: { n: note.n } }),
    onConnection,
  );
  const arrived: { n: number; at: number }[] = [];
  const runUntil = (end: number) => {
    while (queue.size > 0 && queue.peekTime() <= end) {
      const next = queue.pop()!;
      now = queue.poppedTime;
      if (network.admit(next)) {
        network.recordDelivery(next);
        arrived.push({ n: next.payload.n, at: now });
      }
    }
    now = end;
  };
  return { network, arrived, runUntil, trace, setNow: (t: number) => (now = t) };
}

describe('simulated network', () => {
  it('never loses or duplicates at random what travels on a connection, but a cut still stops it', () => {
    const toClient = (note: Note) => note.to >= 100;
    const { network, arrived, runUntil } = harness({ dropRate: 0.5, duplicateRate: 0.5 }, toClient);
    for (let n = 0; n < 400; n++) network.send({ from: 1, to: n % 2 === 0 ? 100 : 2, n });
    runUntil(100);
    const byConnection = arrived.filter((a) => a.n % 2 === 0).map((a) => a.n);
    expect(byConnection).toEqual(Array.from({ length: 200 }, (_, i) => 2 * i));
    // The datagrams beside them do suffer loss and duplication.
    const datagrams = arrived.filter((a) => a.n % 2 === 1);
    expect(new Set(datagrams.map((a) => a.n)).size).toBeLessThan(150);
    expect(datagrams.length).toBeGreaterThan(new Set(datagrams.map((a) => a.n)).size);
    network.cut(1, 100);
    network.send({ from: 1, to: 100, n: 1000 });
    runUntil(200);
    expect(arrived.some((a) => a.n === 1000)).toBe(false);
  });

  it('delivers after at least the minimum latency and at most min + spread', () => {
    const { network, arrived, runUntil } = harness({ minLatencyMs: 3, latencySpreadMs: 7 });
    for (let n = 0; n < 200; n++) network.send({ from: 1, to: 2, n });
    runUntil(100);
    expect(arrived).toHaveLength(200);
    expect(Math.min(...arrived.map((a) => a.at))).toBeGreaterThanOrEqual(3);
    expect(Math.max(...arrived.map((a) => a.at))).toBeLessThanOrEqual(10);
    // A spread means later messages overtake earlier ones.
    const order = arrived.map((a) => a.n);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('drops about the configured share of messages', () => {
    const { network, arrived, runUntil } = harness({ dropRate: 0.3 });
    for (let n = 0; n < 2000; n++) network.send({ from: 1, to: 2, n });
    runUntil(100);
    expect(arrived.length).toBeGreaterThan(1200);
    expect(arrived.length).toBeLessThan(1600);
    expect(network.dropped).toBe(2000 - arrived.length);
  });

  it('duplicates about the configured share of messages', () => {
    const { network, arrived, runUntil, trace } = harness({ duplicateRate: 0.5 });
    for (let n = 0; n < 1000; n++) network.send({ from: 1, to: 2, n });
    runUntil(100);
    const copies = trace.events.filter((e) => e.k === 'duplicate').length;
    expect(arrived.length).toBe(1000 + copies);
    expect(copies).toBeGreaterThan(400);
    expect(copies).toBeLessThan(600);
  });

  it('cuts one direction only', () => {
    const { network, arrived, runUntil } = harness();
    network.cut(1, 2);
    network.send({ from: 1, to: 2, n: 1 });
    network.send({ from: 2, to: 1, n: 2 });
    runUntil(100);
    expect(arrived.map((a) => a.n)).toEqual([2]);
  });

  it('stops messages already in flight when their link is cut, even if it heals before they arrive', () => {
    const { network, arrived, runUntil, setNow } = harness({ minLatencyMs: 10 });
    network.send({ from: 1, to: 2, n: 1 });
    network.send({ from: 2, to: 1, n: 2 });
    setNow(2);
    network.cut(1, 2);
    setNow(4);
    network.healAll();
    network.send({ from: 1, to: 2, n: 3 });
    runUntil(100);
    expect(arrived.map((a) => a.n)).toEqual([2, 3]);
  });

  it('lists the links cut now, in order, and lets an uncut link carry what is sent after', () => {
    const { network, arrived, runUntil } = harness();
    network.cut(2, 1);
    network.cut(1, 3);
    network.cut(1, 2);
    network.cut(1, 2);
    network.uncut(1, 3);
    expect(network.cutLinks()).toEqual([[1, 2], [2, 1]]);
    expect([network.isCut(1, 2), network.isCut(1, 3)]).toEqual([true, false]);
    network.send({ from: 1, to: 3, n: 1 });
    network.send({ from: 1, to: 2, n: 2 });
    network.healAll();
    expect(network.cutLinks()).toEqual([]);
    network.send({ from: 1, to: 2, n: 3 });
    runUntil(100);
    expect(arrived.map((a) => a.n)).toEqual([1, 3]);
  });

  it('loses exactly the messages a drop fault names, and every other message keeps its time', () => {
    const sendTen = (drops: number[]) => {
      const h = harness({ latencySpreadMs: 20, dropRate: 0.2, duplicateRate: 0.2 }, (note) => note.n === 4);
      h.network.dropWhenSent(drops);
      for (let n = 1; n <= 10; n++) h.network.send({ from: 1, to: 2, n });
      h.runUntil(1000);
      return h;
    };
    const plain = sendTen([]);
    // Message ids count duplicates too: id 3 is not necessarily note 3, so find a note by its id in the trace.
    const sent = plain.trace.events.filter((e) => e.k === 'send');
    const victim = sent.find((e) => e.k === 'send' && e.info.n === 6)!;
    const connection = sent.find((e) => e.k === 'send' && e.info.n === 4)!;
    const dropped = sendTen([victim.id, connection.id]);
    const arrivedBut = (h: typeof plain) => h.arrived.filter((a) => a.n !== 6);
    expect(plain.arrived.some((a) => a.n === 6)).toBe(true);
    expect(dropped.arrived.some((a) => a.n === 6)).toBe(false);
    // Its draws were made as if it went: everything else arrives as before, the connection's packet too.
    expect(arrivedBut(dropped)).toEqual(arrivedBut(plain));
    expect(dropped.trace.events).toContainEqual(expect.objectContaining({ k: 'drop', id: victim.id, reason: 'chosen' }));
  });

  it('holds what arrives on a clogged link, in flight when it clogged included, and lets it all through in order when unclogged', () => {
    const sendAll = (network: Network<Note>, clog: boolean) => {
      network.send({ from: 1, to: 2, n: 0 });
      if (clog) network.clog(1, 2);
      for (let n = 1; n < 20; n++) network.send({ from: 1, to: 2, n });
      network.send({ from: 2, to: 1, n: 100 });
    };
    // The same draws without the clog: the order the messages reach the link in.
    const twin = harness({ latencySpreadMs: 4 });
    sendAll(twin.network, false);
    twin.runUntil(50);
    const reachedLink = twin.arrived.map((a) => a.n).filter((n) => n < 100);
    const { network, arrived, runUntil, setNow } = harness({ latencySpreadMs: 4 });
    sendAll(network, true);
    runUntil(50);
    // Only the other direction got through; nothing was lost.
    expect(arrived.map((a) => a.n)).toEqual([100]);
    expect(network.dropped).toBe(0);
    setNow(50);
    expect(network.unclog(1, 2)).toBe(20);
    runUntil(60);
    const released = arrived.slice(1);
    expect(released.every((a) => a.at === 50)).toBe(true);
    // In the order they reached the link, which the latency spread shuffled.
    expect(reachedLink).not.toEqual([...reachedLink].sort((a, b) => a - b));
    expect(released.map((a) => a.n)).toEqual(reachedLink);
    expect(network.unclog(1, 2)).toBe(0);
  });

  it('drops held messages at release when the link was cut meanwhile, as any message in flight', () => {
    const { network, arrived, runUntil, setNow } = harness();
    network.clog(1, 2);
    network.send({ from: 1, to: 2, n: 1 });
    runUntil(20);
    network.cut(1, 2);
    network.uncut(1, 2);
    setNow(20);
    network.unclog(1, 2);
    runUntil(30);
    expect(arrived).toEqual([]);
    expect(network.dropped).toBe(1);
  });
});
