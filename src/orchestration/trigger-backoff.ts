import { retryDelayMs, type RetryPolicy } from '../domain';

/**
 * Service Bus redelivers an abandoned message at once, so a trigger that rethrows a fault straight away
 * spends the queue's five deliveries within a second. Waiting first spreads them over about 15 s: 1, 2, 4,
 * 8 s before deliveries 2 to 5 (well inside the queue's 1 min lock). After the last one the message is
 * dead-lettered; the order is still Pending then, and the sweeper sends OrderCreated again.
 */
export const ORDER_CREATED_REDELIVERY: RetryPolicy = {
  firstRetryIntervalInMilliseconds: 1_000,
  maxNumberOfAttempts: 5,
  backoffCoefficient: 2,
  maxRetryIntervalInMilliseconds: 8_000,
};

/** How long to wait before handing delivery `deliveryCount` back: nothing on the queue's last delivery. */
export function redeliveryDelayMs(deliveryCount: number, policy: RetryPolicy = ORDER_CREATED_REDELIVERY): number {
  if (deliveryCount >= policy.maxNumberOfAttempts) return 0;
  return retryDelayMs(policy, Math.max(1, deliveryCount) + 1);
}
