import { TaskFailedError, type DurableOrchestrationContext, type Task } from 'durable-functions';
import { retryDelayMs, type RetryPolicy } from '../domain';

/** `stoppedBy`: why `beforeAttempt` stopped the retries before an attempt (absent when they ran out). */
export type AttemptsOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; error: string; attempts: number; stoppedBy?: string };

/**
 * Runs `attempt` until it returns, at most `policy.maxNumberOfAttempts` times, waiting on a durable timer
 * between attempts. The orchestrator drives the retries (rather than `callActivityWithRetry`) so that each
 * attempt can be written into the saga record before it runs. Any thrown error counts as transient: business
 * failures come back as values and never reach this loop.
 * `beforeAttempt` may return a reason to stop before that attempt is made; the outcome is then a failure
 * with that reason as `stoppedBy`, the attempts made so far and the last error, if any.
 */
export function* withRetries<T>(
  df: DurableOrchestrationContext,
  policy: RetryPolicy,
  attempt: (attemptNumber: number) => Generator<Task, T, unknown>,
  beforeAttempt?: (attemptNumber: number) => Generator<Task, string | void, unknown>,
): Generator<Task, AttemptsOutcome<T>, unknown> {
  let lastError = 'no attempt was made';
  for (let attemptNumber = 1; attemptNumber <= policy.maxNumberOfAttempts; attemptNumber += 1) {
    const stoppedBy = beforeAttempt ? yield* beforeAttempt(attemptNumber) : undefined;
    if (typeof stoppedBy === 'string') return { ok: false, error: lastError, attempts: attemptNumber - 1, stoppedBy };
    try {
      const value = yield* attempt(attemptNumber);
      return { ok: true, value, attempts: attemptNumber };
    } catch (error) {
      lastError = describeActivityFailure(error);
    }
    if (attemptNumber < policy.maxNumberOfAttempts) {
      const fireAt = new Date(df.currentUtcDateTime.getTime() + retryDelayMs(policy, attemptNumber + 1));
      yield df.createTimer(fireAt);
    }
  }
  return { ok: false, error: lastError, attempts: policy.maxNumberOfAttempts };
}

const MAX_ERROR_LENGTH = 500;

/**
 * The error text worth keeping in the saga record, which clients can read: the message only, never the
 * stack trace the host appends (`Reason \n Details`) or carries in the failure details.
 */
export function describeActivityFailure(error: unknown): string {
  let text: string;
  if (error instanceof TaskFailedError) text = error.failureDetails.errorMessage || error.message;
  else if (error instanceof Error) text = error.message;
  else text = String(error);
  const firstLine = text.split(/ \n |\r?\n/)[0]?.trim() || 'unknown error';
  return firstLine.length > MAX_ERROR_LENGTH ? `${firstLine.slice(0, MAX_ERROR_LENGTH - 1)}…` : firstLine;
}
