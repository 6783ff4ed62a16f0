import type { CompensationName, ForwardStepName } from '../domain';
import { FULFILLMENT_EVENTS_QUEUE, INVENTORY_EVENTS_QUEUE, PAYMENT_EVENTS_QUEUE, type QueueName } from '../messaging/queues';

/** The queue of the participant that runs each step and compensation: where its trigger is delivered. */
export const QUEUE_OF: Readonly<Record<ForwardStepName | CompensationName, QueueName>> = {
  ReserveInventory: INVENTORY_EVENTS_QUEUE,
  ReleaseInventory: INVENTORY_EVENTS_QUEUE,
  ProcessPayment: PAYMENT_EVENTS_QUEUE,
  RefundPayment: PAYMENT_EVENTS_QUEUE,
  FulfillOrder: FULFILLMENT_EVENTS_QUEUE,
  CancelFulfillment: FULFILLMENT_EVENTS_QUEUE,
};

/** Where Service Bus moves a message of `queue` that ran out of deliveries. */
export function deadLetterRoute(queue: QueueName): string {
  return `${queue}/$DeadLetterQueue`;
}
