import type { CompensationName, ForwardStepName } from './saga';

/** How a transient fault is retried: the same fields as Durable Functions' RetryOptions, kept as plain data. */
export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient: number;
  maxRetryIntervalInMilliseconds: number;
}

export interface SagaStepDefinition {
  name: ForwardStepName;
  compensation: CompensationName;
  retry: RetryPolicy;
}

/*
 * The retry policies below are the choreography's (redelivery counts and back-offs). The orchestrator keeps
 * its own, fixed per orchestrator version (src/orchestration/retry-policies.ts): its policies decide what an
 * instance in flight replays, so tuning these must never change them.
 */

/** Forward steps are retried a little; a business failure is never retried (it is returned, not thrown). */
export const STEP_RETRY: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 500,
  maxNumberOfAttempts: 3,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 5_000,
};

/** Compensations are retried harder: giving up leaves the order for an operator. */
export const COMPENSATION_RETRY: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 500,
  maxNumberOfAttempts: 5,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 10_000,
};

export const ORDER_SAGA: readonly SagaStepDefinition[] = [
  { name: 'ReserveInventory', compensation: 'ReleaseInventory', retry: STEP_RETRY },
  { name: 'ProcessPayment', compensation: 'RefundPayment', retry: STEP_RETRY },
  { name: 'FulfillOrder', compensation: 'CancelFulfillment', retry: STEP_RETRY },
];

/**
 * The compensations to run when `failedStep` fails: its own first (a failed or timed-out step may have
 * partly applied), then those of every earlier step, in reverse order.
 */
export function compensationPlan(failedStep: ForwardStepName): CompensationName[] {
  const index = ORDER_SAGA.findIndex((step) => step.name === failedStep);
  if (index < 0) throw new Error(`Unknown saga step ${failedStep}`);
  return ORDER_SAGA.slice(0, index + 1)
    .reverse()
    .map((step) => step.compensation);
}

/** Delay before attempt `nextAttempt` (2, 3, ...), as Durable Functions computes it. */
export function retryDelayMs(policy: RetryPolicy, nextAttempt: number): number {
  const failures = nextAttempt - 1;
  const delay = policy.firstRetryIntervalInMilliseconds * policy.backoffCoefficient ** (failures - 1);
  return Math.min(delay, policy.maxRetryIntervalInMilliseconds);
}
