import { COMPENSATION_EVENTS } from '../domain/choreography-saga';
import {
  COMPENSATION_RETRY,
  createEvent,
  type AnySagaEvent,
  type CompensationName,
  type CompensationStatus,
  type SagaOrder,
} from '../domain';
import type { CompensationOutcome } from '../services/ports';
import { announceDecision, decideFailure } from './announce-decision';
import type { Decision } from './decisions';
import type { Delivery } from './delivery';
import type { ParticipantBasics } from './participant-ports';
import { QUEUE_OF } from './participant-queues';
import { describeFault, handBackForRedelivery } from './redelivery';
import { readSagaOrder } from './saga-order-reader';

/**
 * Runs `compensation` for the order `trigger` is about and announces its outcome from its decision record,
 * so a redelivered trigger re-announces the same event. A fault is handed back to Service Bus until the
 * compensation retry policy is spent; then the outcome is recorded (if nothing was decided yet) and announced
 * as Failed, so the next participant still compensates (best effort) and the saga ends CompensationFailed.
 * An operator can then open a new round of the compensation (resumeChoreographySaga): it runs again and is
 * announced under the round's own event id.
 */
export async function runCompensation(
  deps: ParticipantBasics,
  delivery: Delivery,
  trigger: AnySagaEvent,
  compensation: CompensationName,
  perform: (order: SagaOrder) => Promise<CompensationOutcome>,
): Promise<void> {
  const attempts = delivery.deliveryCount;
  const announcementOf = (outcome: CompensationStatus, error: string | null) => (round: number): AnySagaEvent =>
    createEvent(COMPENSATION_EVENTS[compensation], {
      orderId: trigger.orderId,
      correlationId: trigger.correlationId,
      occurredAt: deps.clock.now().toISOString(),
      data: { outcome, attempts, error, ...(round > 1 ? { round } : {}) },
    }) as AnySagaEvent;

  let decision: Decision;
  try {
    const known = await deps.decisions.get(trigger.orderId, compensation);
    if (known?.announcement) {
      decision = known;
    } else {
      const outcome = await perform(await readSagaOrder(deps.orders, trigger));
      decision = await deps.decisions.decide(trigger.orderId, compensation, announcementOf(outcome, null));
    }
  } catch (fault) {
    await handBackForRedelivery(fault, COMPENSATION_RETRY, delivery, deps.pause, `${compensation} of order ${trigger.orderId}`);
    const failure = announcementOf('Failed', `${compensation} failed after ${attempts} attempts: ${describeFault(fault)}`);
    decision = await decideFailure(deps, delivery, trigger, compensation, COMPENSATION_RETRY, failure);
  }

  const announced = await announceDecision(deps, delivery, trigger, decision, COMPENSATION_RETRY, QUEUE_OF[compensation]);
  const outcome = 'outcome' in announced.data ? announced.data.outcome : 'unknown';
  delivery.log.info(`${compensation} of order ${trigger.orderId}: ${outcome} (round ${decision.round}, delivery ${attempts})`);
}
