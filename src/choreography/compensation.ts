import { COMPENSATION_EVENTS } from '../domain/choreography-saga';
import {
  COMPENSATION_RETRY,
  createEvent,
  type AnySagaEvent,
  type CompensationName,
  type CompensationStatus,
  type SagaOrder,
} from '../domain';
import type { Delivery } from './delivery';
import type { CompensationOutcome } from '../services/ports';
import type { ParticipantBasics } from './participant-ports';
import { QUEUE_OF } from './participant-queues';
import { describeFault, handBackForRedelivery, publishAnnouncement } from './redelivery';
import { readSagaOrder } from './saga-order-reader';

/**
 * Runs `compensation` for the order `trigger` is about and announces its outcome. A fault is handed back to
 * Service Bus until the compensation retry policy is spent; then the outcome is announced as Failed, so
 * the next participant still compensates (best effort) and the saga ends CompensationFailed.
 */
export async function runCompensation(
  deps: ParticipantBasics,
  delivery: Delivery,
  trigger: AnySagaEvent,
  compensation: CompensationName,
  perform: (order: SagaOrder) => Promise<CompensationOutcome>,
): Promise<void> {
  const attempts = delivery.deliveryCount;
  let outcome: CompensationStatus;
  let error: string | null = null;
  try {
    outcome = await perform(await readSagaOrder(deps.orders, trigger));
  } catch (fault) {
    await handBackForRedelivery(fault, COMPENSATION_RETRY, delivery, deps.pause, `${compensation} of order ${trigger.orderId}`);
    outcome = 'Failed';
    error = `${compensation} failed after ${attempts} attempts: ${describeFault(fault)}`;
  }

  const announcement = createEvent(COMPENSATION_EVENTS[compensation], {
    orderId: trigger.orderId,
    correlationId: trigger.correlationId,
    occurredAt: deps.clock.now().toISOString(),
    data: { outcome, attempts, error },
  }) as AnySagaEvent;
  await publishAnnouncement(deps, delivery, trigger, announcement, COMPENSATION_RETRY, QUEUE_OF[compensation]);
  delivery.log.info(`${compensation} of order ${trigger.orderId}: ${outcome} after ${attempts} attempt(s)`);
}
