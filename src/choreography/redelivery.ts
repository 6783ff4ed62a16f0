import { retryDelayMs, type AnySagaEvent, type RetryPolicy } from '../domain';
import type { QueueName } from '../messaging/queues';
import type { Delivery } from './delivery';
import { deadLetterRoute } from './participant-queues';
import type { ParticipantBasics } from './participant-ports';

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

/**
 * Announces the outcome of a step or compensation that has already happened. A broker fault is therefore
 * never turned into a failure event: the message is handed back after the policy's back-off, so the
 * participant redoes its (idempotent) work and announces again. On the queue's last delivery the message
 * goes to the dead-letter queue of `queue`, where an operator can resubmit it once the broker is back.
 */
export async function publishAnnouncement(
  deps: Pick<ParticipantBasics, 'publisher' | 'pause'>,
  delivery: Delivery,
  trigger: AnySagaEvent,
  announcement: AnySagaEvent,
  policy: RetryPolicy,
  queue: QueueName,
): Promise<void> {
  try {
    await deps.publisher.publish([announcement]);
  } catch (fault) {
    const what = `Announcing ${announcement.type} of order ${trigger.orderId}`;
    if (delivery.deliveryCount >= QUEUE_MAX_DELIVERY_COUNT) {
      delivery.log.error(
        `${what} failed on delivery ${delivery.deliveryCount} of ${QUEUE_MAX_DELIVERY_COUNT}, the last the queue allows: ` +
          `${trigger.type} message ${delivery.messageId} goes to the dead-letter queue ${deadLetterRoute(queue)}; ` +
          `resubmit it from there once the broker is back, and the outcome is announced again: ${describeFault(fault)}`,
      );
    } else {
      delivery.log.warn(
        `${what} failed on delivery ${delivery.deliveryCount} of ${QUEUE_MAX_DELIVERY_COUNT}, handing the message back for another attempt: ${describeFault(fault)}`,
      );
      await deps.pause(retryDelayMs(policy, delivery.deliveryCount + 1));
    }
    throw fault;
  }
}
