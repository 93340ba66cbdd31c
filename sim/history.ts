/**
 * A Jepsen-style history: one event per line, in real-time (virtual-time) order.
 * Every operation has an `invoke` and exactly one completion: `ok` (it happened, with
 * this result), `fail` (it certainly did not happen) or `info` (unknown: it may have
 * happened, at any time after its invoke). Documented in the README, "History format".
 */
export type HistoryType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryEvent {
  readonly process: number;
  readonly type: HistoryType;
  readonly f: string;
  readonly key?: string;
  readonly value: unknown;
  /** Virtual milliseconds. */
  readonly time: number;
  /** The run-wide operation id an invoke and its completion share (the trace's `op`). */
  readonly op: number;
  /** Why an operation ended `fail` or `info` (a timeout, an error), for humans. */
  readonly error?: string;
}

export class History {
  readonly events: HistoryEvent[] = [];
  private nextOp = 1;
  private readonly open = new Map<number, { op: number; f: string; key?: string }>();

  invoke(process: number, f: string, key: string | undefined, value: unknown, time: number): number {
    if (this.open.has(process)) throw new Error(`process ${process} invoked ${f} while its previous operation is open`);
    const op = this.nextOp++;
    this.open.set(process, { op, f, key });
    this.events.push(key === undefined ? { process, type: 'invoke', f, value, time, op } : { process, type: 'invoke', f, key, value, time, op });
    return op;
  }

  complete(process: number, type: Exclude<HistoryType, 'invoke'>, value: unknown, time: number, error?: string): void {
    const open = this.open.get(process);
    if (!open) throw new Error(`process ${process} completed an operation it never invoked`);
    this.open.delete(process);
    const event: HistoryEvent = { process, type, f: open.f, ...(open.key === undefined ? {} : { key: open.key }), value, time, op: open.op, ...(error ? { error } : {}) };
    this.events.push(event);
  }

  /** Operations still open at the end of a run count as `info`: they may or may not have happened. */
  closeOpen(time: number): void {
    for (const process of [...this.open.keys()]) this.complete(process, 'info', null, time, 'run ended');
  }

}

export function historyToJsonLines(events: readonly HistoryEvent[]): string {
  return events.map((event) => JSON.stringify(event)).join('\n') + (events.length > 0 ? '\n' : '');
}
