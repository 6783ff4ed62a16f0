import { retryDelayMs, type RetryPolicy } from '../domain';
import type { Delivery } from './delivery';

/**
 * Every choreography queue dead-letters a message at this delivery count (servicebus/Config.json), so no
 * retry policy can count on more deliveries than this.
 */
export const QUEUE_MAX_DELIVERY_COUNT = 5;

/** The delivery on which a participant stops handing a fault back and announces the failure instead. */
export function lastAllowedDelivery(policy: RetryPolicy): number {
  return Math.min(policy.maxNumberOfAttempts, QUEUE_MAX_DELIVERY_COUNT);
}

export function describeFault(fault: unknown): string {
  return fault instanceof Error ? fault.message : String(fault);
}

/**
 * Rethrows a transient fault so Service Bus redelivers the message, after the policy's back-off; returns
 * normally on the last allowed delivery, when the caller announces the failure instead of retrying.
 */
export async function handBackForRedelivery(
  fault: unknown,
  policy: RetryPolicy,
  delivery: Delivery,
  pause: (ms: number) => Promise<void>,
  what: string,
): Promise<void> {
  const last = lastAllowedDelivery(policy);
  if (delivery.deliveryCount >= last) {
    delivery.log.error(`${what} gave up on delivery ${delivery.deliveryCount} of ${last}: ${describeFault(fault)}`);
    return;
  }
  delivery.log.warn(
    `${what} failed on delivery ${delivery.deliveryCount} of ${last}, handing the message back for another attempt: ${describeFault(fault)}`,
  );
  await pause(retryDelayMs(policy, delivery.deliveryCount + 1));
  throw fault;
}
