/**
 * The host's copy of DF's task numbering for one execution. DF gives every new task `sequenceNumber++`
 * (depth-first, in yield order) and never tells the host; the host must hand out the same numbers, as
 * DTFx's idCounter does, or completions would resolve the wrong tasks. Retry timers and re-attempts are
 * numbered lazily by DF's RetryableTask when their triggering event is replayed, so the ledger mirrors that
 * state machine too.
 */
import type { RecordedAction } from './replay-check';
import type { RetryPolicy } from './retry-policy';
import type { TaskFailure } from './history';
import { deserializeLedger, serializeLedger } from './ledger-snapshot';

export type RetryTarget =
  | { kind: 'activity'; name: string; input: string | null }
  | { kind: 'subOrchestration'; name: string; input: string | null; instanceId?: string; version?: string };

/** Mirrors DF task/RetryableTask.ts. */
export interface RetryState {
  policy: RetryPolicy;
  target: RetryTarget;
  /** RetryableTask.attemptNumber: incremented on each failure, compared with maxNumberOfAttempts on the timer. */
  attemptNumber: number;
  firstAttemptAt: Date;
  /** Task id of the attempt in flight. */
  currentTaskId: number;
  /** Task id of the retry timer being waited on. */
  timerId?: number;
  lastFailure?: TaskFailure;
  /** retryTimeout passed: remaining attempts fail at once (see planEpisode). */
  expired: boolean;
}

export type TaskKind = 'activity' | 'subOrchestration' | 'timer' | 'retryTimer';

export interface TaskEntry {
  id: number;
  kind: TaskKind;
  retry?: RetryState;
}

export class TaskLedger {
  #nextId = 0;
  /** How many leaves of the (cumulative) action list have been turned into work. */
  handledActions = 0;
  /** What history recorded for each handled action that leaves an event, in order (the replay check's reference). */
  readonly recorded: RecordedAction[] = [];
  readonly #tasks = new Map<number, TaskEntry>();
  /** Durable timers by the index of their CreateTimer action, to honour `timer.cancel()`. */
  readonly #timerByActionIndex = new Map<number, number>();
  /** Durable timers not yet fired or cancelled, with their fire times (re-armed after a restart). */
  readonly #pendingTimers = new Map<number, Date>();

  allocate(kind: TaskKind, retry?: RetryState): number {
    const id = this.#nextId++;
    const entry: TaskEntry = { id, kind };
    if (retry) entry.retry = retry;
    this.#tasks.set(id, entry);
    return id;
  }

  get(id: number): TaskEntry | undefined {
    return this.#tasks.get(id);
  }

  timerStarted(id: number, fireAt: Date, actionIndex?: number): void {
    this.#pendingTimers.set(id, fireAt);
    if (actionIndex !== undefined) this.#timerByActionIndex.set(actionIndex, id);
  }

  /** Marks a timer fired or cancelled; returns whether it was still pending. */
  timerEnded(id: number): boolean {
    return this.#pendingTimers.delete(id);
  }

  /** [action index, timer id] of every durable timer created from a CreateTimer action. */
  actionTimers(): Array<[number, number]> {
    return [...this.#timerByActionIndex];
  }

  /** [timer id, fire time] of the durable timers still waiting. */
  pendingTimers(): Array<[number, Date]> {
    return [...this.#pendingTimers];
  }

  /** The whole ledger as JSON text, for the task hub's runtime state of the execution. */
  serialize(): string {
    return serializeLedger({
      nextId: this.#nextId,
      handledActions: this.handledActions,
      recorded: this.recorded,
      tasks: [...this.#tasks.values()],
      timerByActionIndex: [...this.#timerByActionIndex],
      pendingTimers: [...this.#pendingTimers],
    });
  }

  /** The ledger `serialize()` wrote. */
  static restore(text: string): TaskLedger {
    const state = deserializeLedger(text);
    const ledger = new TaskLedger();
    ledger.#nextId = state.nextId;
    ledger.handledActions = state.handledActions;
    ledger.recorded.push(...state.recorded);
    for (const entry of state.tasks) ledger.#tasks.set(entry.id, entry);
    for (const [index, id] of state.timerByActionIndex) ledger.#timerByActionIndex.set(index, id);
    for (const [id, fireAt] of state.pendingTimers) ledger.#pendingTimers.set(id, fireAt);
    return ledger;
  }
}
