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
import { announceDecision, decideFailure } from './announce-decision';
import type { Decision } from './decisions';
import type { Delivery } from './delivery';
import type { ParticipantBasics } from './participant-ports';
import { QUEUE_OF } from './participant-queues';
import { describeFault, handBackForRedelivery } from './redelivery';
import { readOrder } from './saga-order-reader';

type SucceededEvent<S extends ForwardStepName> = (typeof FORWARD_STEP_EVENTS)[S]['succeeded'];

/** What a step's success event says, apart from the attempts the runner adds. */
export type StepAnnouncement<S extends ForwardStepName> = Omit<EventData<SucceededEvent<S>>, 'attempts'>;

export type PerformStep<S extends ForwardStepName> = (order: SagaOrder) => Promise<StepResult<StepAnnouncement<S>>>;

/**
 * Runs forward step `step` for the order `trigger` is about and announces how it went. The outcome is
 * announced from the step's decision record, never from the attempt at hand: once an attempt has decided
 * (success, or a business failure), every later delivery publishes that same event, so a step is never
 * announced both ways and every copy of its event is identical.
 *
 * A fault is handed back to Service Bus until the step's retry policy is spent; then the failure is recorded
 * with create-if-absent, and announced only if it won: when an earlier delivery had already decided the step,
 * its decision stands. Nothing runs for an order that is already final and undecided: its saga is over (a late
 * or resubmitted trigger), and nothing would ever undo the step.
 */
export async function runForwardStep<S extends ForwardStepName>(
  deps: ParticipantBasics,
  delivery: Delivery,
  trigger: AnySagaEvent,
  step: S,
  perform: PerformStep<S>,
): Promise<void> {
  const attempts = delivery.deliveryCount;
  const events = FORWARD_STEP_EVENTS[step];
  const envelope = () => ({ orderId: trigger.orderId, correlationId: trigger.correlationId, occurredAt: deps.clock.now().toISOString() });
  // The generic step name widens the event type to a union that createEvent cannot narrow; the data built
  // here matches the schema of the type FORWARD_STEP_EVENTS names for this step.
  const announcementOf = (result: StepResult<StepAnnouncement<S>>) => (): AnySagaEvent =>
    (result.ok
      ? createEvent(events.succeeded, { ...envelope(), data: { ...result.value, attempts } as EventData<SucceededEvent<S>> })
      : createEvent(events.failed, { ...envelope(), data: { reason: result.reason, attempts } })) as AnySagaEvent;

  let decision: Decision;
  try {
    const known = await deps.decisions.get(trigger.orderId, step);
    if (known?.announcement) {
      decision = known;
    } else {
      const order = await readOrder(deps.orders, trigger);
      if (isFinalOrderStatus(order.status)) {
        delivery.log.warn(
          `${step} of order ${trigger.orderId} skipped: the order is already ${order.status}, so ${trigger.type} message ${delivery.messageId} came late and changes nothing`,
        );
        return;
      }
      const result = await perform(toSagaOrder(order, trigger.correlationId));
      decision = await deps.decisions.decide(trigger.orderId, step, announcementOf(result));
    }
  } catch (fault) {
    await handBackForRedelivery(fault, STEP_RETRY, delivery, deps.pause, `${step} of order ${trigger.orderId}`);
    const failure = announcementOf({ ok: false, reason: `${step} failed after ${attempts} attempts: ${describeFault(fault)}` });
    decision = await decideFailure(deps, delivery, trigger, step, STEP_RETRY, failure);
  }

  const announced = await announceDecision(deps, delivery, trigger, decision, STEP_RETRY, QUEUE_OF[step]);
  const decidedAfter = 'attempts' in announced.data ? announced.data.attempts : attempts;
  delivery.log.info(`${step} of order ${trigger.orderId}: ${announced.type} after ${decidedAfter} attempt(s) (delivery ${attempts})`);
}
