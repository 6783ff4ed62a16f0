import { FORWARD_STEP_EVENTS } from '../domain/choreography-saga';
import {
  STEP_RETRY,
  createEvent,
  isFinalOrderStatus,
  toSagaOrder,
  type AnySagaEvent,
  type EventData,
  type ForwardStepName,
  type SagaOrder,
  type StepResult,
} from '../domain';
import type { Delivery } from './delivery';
import type { ParticipantBasics } from './participant-ports';
import { QUEUE_OF } from './participant-queues';
import { describeFault, handBackForRedelivery, publishAnnouncement } from './redelivery';
import { readOrder } from './saga-order-reader';

type SucceededEvent<S extends ForwardStepName> = (typeof FORWARD_STEP_EVENTS)[S]['succeeded'];

/** What a step's success event says, apart from the attempts the runner adds. */
export type StepAnnouncement<S extends ForwardStepName> = Omit<EventData<SucceededEvent<S>>, 'attempts'>;

export type PerformStep<S extends ForwardStepName> = (order: SagaOrder) => Promise<StepResult<StepAnnouncement<S>>>;

/**
 * Runs forward step `step` for the order `trigger` is about and announces how it went. A business failure
 * is announced at once; a fault is handed back to Service Bus until the step's retry policy is spent, and
 * then announced as the step's failure so the compensations start. Nothing runs for an order that is
 * already final: its saga is over (a late or resubmitted trigger), and nothing would ever undo the step.
 */
export async function runForwardStep<S extends ForwardStepName>(
  deps: ParticipantBasics,
  delivery: Delivery,
  trigger: AnySagaEvent,
  step: S,
  perform: PerformStep<S>,
): Promise<void> {
  const attempts = delivery.deliveryCount;
  let result: StepResult<StepAnnouncement<S>>;
  try {
    const order = await readOrder(deps.orders, trigger);
    if (isFinalOrderStatus(order.status)) {
      delivery.log.warn(
        `${step} of order ${trigger.orderId} skipped: the order is already ${order.status}, so ${trigger.type} message ${delivery.messageId} came late and changes nothing`,
      );
      return;
    }
    result = await perform(toSagaOrder(order, trigger.correlationId));
  } catch (fault) {
    await handBackForRedelivery(fault, STEP_RETRY, delivery, deps.pause, `${step} of order ${trigger.orderId}`);
    result = { ok: false, reason: `${step} failed after ${attempts} attempts: ${describeFault(fault)}` };
  }

  const events = FORWARD_STEP_EVENTS[step];
  const envelope = { orderId: trigger.orderId, correlationId: trigger.correlationId, occurredAt: deps.clock.now().toISOString() };
  // The generic step name widens the event type to a union that createEvent cannot narrow; the data built
  // here matches the schema of the type FORWARD_STEP_EVENTS names for this step.
  const announcement = (
    result.ok
      ? createEvent(events.succeeded, { ...envelope, data: { ...result.value, attempts } as EventData<SucceededEvent<S>> })
      : createEvent(events.failed, { ...envelope, data: { reason: result.reason, attempts } })
  ) as AnySagaEvent;
  await publishAnnouncement(deps, delivery, trigger, announcement, STEP_RETRY, QUEUE_OF[step]);
  delivery.log.info(`${step} of order ${trigger.orderId}: ${announcement.type} after ${attempts} attempt(s)`);
}
