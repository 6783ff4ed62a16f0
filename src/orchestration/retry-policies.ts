import type { RetryPolicy } from '../domain';

/*
 * The orchestrator's own retry policies. They are part of its replayed code: the number of attempts decides
 * how many activity calls and timers a history holds, so changing it changes what an instance in flight
 * replays. They are therefore fixed per orchestrator version (see orchestrator-version.ts) and never shared
 * with the choreography, whose policies (src/domain/saga-definition.ts) can be tuned on their own.
 */

/** Forward steps: 3 attempts, 0.5 s then 1 s apart. A business failure is a value and is never retried. */
const STEP_RETRY_V1: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 500,
  maxNumberOfAttempts: 3,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 5_000,
};

/** Compensations are retried harder (5 attempts, 0.5 s … 4 s): giving up leaves the order for an operator. */
const COMPENSATION_RETRY_V1: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 500,
  maxNumberOfAttempts: 5,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 10_000,
};

/** Saving the saga record before a step or compensation is retried as hard as a compensation. */
const SAGA_RECORD_RETRY_V1: RetryPolicy = { ...COMPENSATION_RETRY_V1 };

/**
 * The final save gives the order its final status, so it waits out a long outage: capped backoff from 1 s
 * to 1 min, about 19 minutes of durable timers in all, before the instance fails.
 */
const SAGA_FINAL_RECORD_RETRY_V1: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 1_000,
  maxNumberOfAttempts: 25,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 60_000,
};

export interface OrchestrationRetryPolicies {
  step: RetryPolicy;
  compensation: RetryPolicy;
  sagaRecord: RetryPolicy;
  finalSagaRecord: RetryPolicy;
}

/** Versions 1 to 3 retry alike; a version that retries differently gets its own entry. */
export const RETRY_POLICIES_V1: OrchestrationRetryPolicies = {
  step: STEP_RETRY_V1,
  compensation: COMPENSATION_RETRY_V1,
  sagaRecord: SAGA_RECORD_RETRY_V1,
  finalSagaRecord: SAGA_FINAL_RECORD_RETRY_V1,
};
