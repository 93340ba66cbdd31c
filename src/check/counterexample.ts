/**
 * Why a part is not linearizable, in a JSON-serializable form a timeline viewer
 * can draw: the longest prefix the search could linearize (with the model state
 * after each op) and the operations that could come next but cannot be placed.
 */
import { ILLEGAL, type StateTable, type Transitions } from './intern.js';
import type { Operation } from './history.js';
import type { AnyModel } from './model.js';
import type { PartSearch } from './search.js';
import type { ProcessId } from './events.js';

export interface CounterexampleOp {
  /** The history's own op id when its events carry one (`op`), else the op's ordinal in the history. */
  readonly id: number;
  readonly process: ProcessId;
  readonly type: 'ok' | 'info';
  readonly f: string;
  readonly keys: readonly string[];
  /** Indices of the invoke and completion events in the input history. */
  readonly invokeIndex: number;
  readonly completeIndex: number | null;
  readonly call: number;
  /** null for info ops (they may take effect any time after the call). */
  readonly ret: number | null;
  readonly description: string;
}

export interface PrefixStep extends CounterexampleOp {
  /** Model state after this op, for humans. */
  readonly stateAfter: string;
}

export interface ImpossibleOp extends CounterexampleOp {
  readonly reason: string;
}

export interface Counterexample {
  /** Keys of the part that is not linearizable. */
  readonly keys: string[];
  /** Operations in that part. */
  readonly partOps: number;
  readonly initialState: string;
  /** Length of the longest linearizable prefix found. */
  readonly prefixLength: number;
  /** Earlier prefix steps left out of `prefix` to keep the output small. */
  readonly omitted: number;
  /** The tail of that prefix, in linearization order. */
  readonly prefix: PrefixStep[];
  /** State after the whole prefix. */
  readonly finalState: string;
  /** Every operation that could be linearized next; none can. */
  readonly impossible: ImpossibleOp[];
}

export function describeOp(op: Operation, model: AnyModel): CounterexampleOp {
  return {
    id: op.label,
    process: op.process,
    // An info op whose outcome the history revealed is still shown as info.
    type: op.revealed === undefined ? op.type : 'info',
    f: op.f,
    keys: op.keys,
    invokeIndex: op.invokeIndex,
    completeIndex: op.completeIndex,
    call: op.call,
    ret: Number.isFinite(op.ret) && op.revealed === undefined ? op.ret : null,
    description: model.describe(op.input, op.output) + (op.revealed === undefined ? '' : ` (${op.revealed})`),
  };
}

export interface PartContext {
  readonly keys: string[];
  /** Part operations by local search index. */
  readonly ops: readonly Operation[];
  readonly search: PartSearch;
  readonly table: StateTable;
  readonly transitions: Transitions;
}

export function buildCounterexample(part: PartContext, model: AnyModel, maxPrefix: number): Counterexample {
  const { search, table, transitions, ops } = part;
  const show = (state: number) => model.describeState(table.states[state]);
  const prefix = search.bestPrefix();
  const done = new Uint8Array(ops.length);
  for (const op of prefix.ops) done[op] = 1;
  const last = prefix.states.length > 0 ? prefix.states[prefix.states.length - 1] : search.initialState;

  // Candidates: unlinearized ops called before the first unlinearized return.
  let firstReturn = Infinity;
  for (let op = 0; op < ops.length; op++) {
    if (!done[op] && ops[op].type === 'ok' && search.retPos[op] < firstReturn) firstReturn = search.retPos[op];
  }
  const impossible: ImpossibleOp[] = [];
  for (const op of search.doomed) {
    impossible.push({ ...describeOp(ops[op], model), reason: search.doomedReasons.get(op) ?? 'not possible in any state the operations of this part can reach' });
  }
  for (let op = 0; op < ops.length && search.doomed.length === 0; op++) {
    if (done[op] || search.callPos[op] > firstReturn) continue;
    const after = transitions.next(last, op);
    const reason =
      after === ILLEGAL
        ? `not possible in state ${show(last)}`
        : `possible (state becomes ${show(after)}) but nothing can follow it`;
    impossible.push({ ...describeOp(ops[op], model), reason });
  }
  impossible.sort((a, b) => a.call - b.call || a.invokeIndex - b.invokeIndex);

  const start = Math.max(0, prefix.ops.length - maxPrefix);
  const steps: PrefixStep[] = [];
  for (let i = start; i < prefix.ops.length; i++) {
    steps.push({ ...describeOp(ops[prefix.ops[i]], model), stateAfter: show(prefix.states[i]) });
  }
  return {
    keys: part.keys,
    partOps: ops.length,
    initialState: show(search.initialState),
    prefixLength: prefix.ops.length,
    omitted: start,
    prefix: steps,
    finalState: show(last),
    impossible,
  };
}
