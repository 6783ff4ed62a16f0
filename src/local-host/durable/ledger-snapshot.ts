/**
 * The TaskLedger as JSON text, so that an execution resumes after a restart with DF's numbering, its retry
 * state and its pending timers exactly as they were. Several task entries share one RetryState (every
 * attempt and retry timer of a RetryableTask), and the planner mutates it through any of them, so retry
 * states are written once and referenced by index. Dates travel as epoch milliseconds, and a policy's
 * unbounded retryTimeout (Infinity, which JSON cannot hold) as text.
 */
import type { TaskFailure } from './history';
import type { RecordedAction } from './replay-check';
import type { RetryPolicy } from './retry-policy';
import type { RetryState, RetryTarget, TaskEntry, TaskKind } from './task-ledger';

export interface LedgerState {
  nextId: number;
  handledActions: number;
  recorded: RecordedAction[];
  tasks: TaskEntry[];
  timerByActionIndex: Array<[number, number]>;
  pendingTimers: Array<[number, Date]>;
}

type StoredNumber = number | string;

interface StoredRetry {
  policy: Record<keyof RetryPolicy, StoredNumber>;
  target: RetryTarget;
  attemptNumber: number;
  firstAttemptAt: number;
  currentTaskId: number;
  timerId?: number;
  lastFailure?: TaskFailure;
  expired: boolean;
}

interface StoredLedger {
  v: 1;
  nextId: number;
  handledActions: number;
  recorded: RecordedAction[];
  retries: StoredRetry[];
  /** [id, kind, index into retries or -1]. */
  tasks: Array<[number, TaskKind, number]>;
  timerByActionIndex: Array<[number, number]>;
  /** [timer id, fire time in epoch ms]. */
  pendingTimers: Array<[number, number]>;
}

const policyFields: Array<keyof RetryPolicy> = ['firstRetryIntervalMs', 'maxNumberOfAttempts', 'backoffCoefficient', 'maxRetryIntervalMs', 'retryTimeoutMs'];

function storeNumber(value: number): StoredNumber {
  return Number.isFinite(value) ? value : String(value);
}

function readNumber(value: StoredNumber): number {
  return typeof value === 'number' ? value : Number(value);
}

function storeRetry(retry: RetryState): StoredRetry {
  const policy = {} as Record<keyof RetryPolicy, StoredNumber>;
  for (const field of policyFields) policy[field] = storeNumber(retry.policy[field]);
  const stored: StoredRetry = {
    policy,
    target: retry.target,
    attemptNumber: retry.attemptNumber,
    firstAttemptAt: retry.firstAttemptAt.getTime(),
    currentTaskId: retry.currentTaskId,
    expired: retry.expired,
  };
  if (retry.timerId !== undefined) stored.timerId = retry.timerId;
  if (retry.lastFailure) stored.lastFailure = retry.lastFailure;
  return stored;
}

function readRetry(stored: StoredRetry): RetryState {
  const policy = {} as RetryPolicy;
  for (const field of policyFields) policy[field] = readNumber(stored.policy[field]);
  const retry: RetryState = {
    policy,
    target: stored.target,
    attemptNumber: stored.attemptNumber,
    firstAttemptAt: new Date(stored.firstAttemptAt),
    currentTaskId: stored.currentTaskId,
    expired: stored.expired,
  };
  if (stored.timerId !== undefined) retry.timerId = stored.timerId;
  if (stored.lastFailure) retry.lastFailure = stored.lastFailure;
  return retry;
}

export function serializeLedger(state: LedgerState): string {
  const retryIndex = new Map<RetryState, number>();
  const retries: StoredRetry[] = [];
  const tasks = state.tasks.map((entry): [number, TaskKind, number] => {
    if (!entry.retry) return [entry.id, entry.kind, -1];
    let index = retryIndex.get(entry.retry);
    if (index === undefined) {
      index = retries.push(storeRetry(entry.retry)) - 1;
      retryIndex.set(entry.retry, index);
    }
    return [entry.id, entry.kind, index];
  });
  const stored: StoredLedger = {
    v: 1,
    nextId: state.nextId,
    handledActions: state.handledActions,
    recorded: state.recorded,
    retries,
    tasks,
    timerByActionIndex: state.timerByActionIndex,
    pendingTimers: state.pendingTimers.map(([id, fireAt]) => [id, fireAt.getTime()]),
  };
  return JSON.stringify(stored);
}

export function deserializeLedger(text: string): LedgerState {
  const stored = JSON.parse(text) as StoredLedger;
  if (stored.v !== 1) throw new Error(`Unknown task ledger format ${String(stored.v)}.`);
  const retries = stored.retries.map(readRetry);
  return {
    nextId: stored.nextId,
    handledActions: stored.handledActions,
    recorded: stored.recorded,
    tasks: stored.tasks.map(([id, kind, index]) => {
      const entry: TaskEntry = { id, kind };
      const retry = index >= 0 ? retries[index] : undefined;
      if (retry) entry.retry = retry;
      return entry;
    }),
    timerByActionIndex: stored.timerByActionIndex,
    pendingTimers: stored.pendingTimers.map(([id, ms]) => [id, new Date(ms)]),
  };
}
