import { COMPENSATION_RETRY, type RetryPolicy } from '../domain';

/**
 * Saving the saga record before a step or compensation is retried as hard as a compensation. When it still
 * fails, the saga does not stop: a forward step is not run (and the saga compensates), a compensation runs
 * anyway, and the next save writes the newer snapshot.
 */
export const SAGA_RECORD_RETRY: RetryPolicy = COMPENSATION_RETRY;

/**
 * The final save is the one that gives the order its final status, so it waits out a long outage: capped
 * backoff from 1 s to 1 min, about 19 minutes of durable timers in all, before the instance fails.
 */
export const SAGA_FINAL_RECORD_RETRY: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 1_000,
  maxNumberOfAttempts: 25,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 60_000,
};
