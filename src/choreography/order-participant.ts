import { isSagaOutcomeEvent, latestRound, paymentOutcome, sagaOutcomeEvent } from '../domain/choreography-saga';
import { COMPENSATION_RETRY, EVENT_TYPES, orderStatusFor, retryDelayMs, type AnySagaEvent } from '../domain';
import { UnprocessableMessage, type Delivery } from './delivery';
import type { OrderParticipantDeps } from './participant-ports';
import { react, reject, type Reaction, type Reactions } from './reactions';
import { QUEUE_MAX_DELIVERY_COUNT, describeFault } from './redelivery';
import { compensationRounds, publicSaga, recordedEvents, withRecordedEvent, type ChoreographySagaDocument } from './saga-event-log';

/**
 * The order participant (queue order-events) keeps the OrderSaga record and the order's status in step
 * with the events, and announces the end of the saga. It is safe to run any number of times for any
 * event in any order: recording is by event id, the record is a fold over the recorded set, and the
 * order update and the final event are derived from that record.
 */
async function recordSagaEvent(deps: OrderParticipantDeps, event: AnySagaEvent, delivery: Delivery): Promise<void> {
  try {
    let before: ChoreographySagaDocument | null = null;
    let recorded = false;
    const stored = await deps.sagas.update(event.orderId, (current) => {
      const next = withRecordedEvent(current, event);
      before = current;
      recorded = next !== null;
      return next;
    });
    if (!stored) throw new Error(`Saga ${event.orderId} was neither found nor created`);
    if (stored.sagaStyle !== 'choreography') {
      reject('order', delivery, `order ${event.orderId} runs as ${stored.sagaStyle}, not choreography`);
    }
    const saga = publicSaga(stored);
    // An event that changes nothing the order shows needs no order write: the delivery that recorded the
    // earlier events wrote (or, redelivered, writes) that view. A copy of an event already recorded always
    // applies it, which is how a delivery that failed between the two writes brings the order in line.
    if (!recorded || before === null || orderViewOf(before) !== orderViewOf(stored)) {
      await deps.sagaRecords.applyToOrder(saga, paymentOutcome(event.orderId, recordedEvents(stored)) ?? undefined);
    }

    // Re-published on every redelivery once final: the same event, dropped by duplicate detection.
    const outcome = sagaOutcomeEvent(saga, event.correlationId, latestRound(compensationRounds(stored)));
    if (outcome) await deps.publisher.publish([outcome]);
    delivery.log.info(`Order ${event.orderId} recorded ${event.type}: saga ${saga.status}`);
  } catch (fault) {
    if (!(fault instanceof UnprocessableMessage)) {
      delivery.log.warn(
        `Recording ${event.type} of order ${event.orderId} failed on delivery ${delivery.deliveryCount}: ${describeFault(fault)}`,
      );
      if (delivery.deliveryCount < QUEUE_MAX_DELIVERY_COUNT) {
        await deps.pause(retryDelayMs(COMPENSATION_RETRY, delivery.deliveryCount + 1));
      }
    }
    throw fault;
  }
}

/** What the order shows of a saga: its status, the reason, and the payment. */
function orderViewOf(stored: ChoreographySagaDocument): string {
  return JSON.stringify({ ...orderStatusFor(publicSaga(stored)), payment: paymentOutcome(stored.orderId, recordedEvents(stored)) });
}

const recordChoreographyEvent: Reaction<OrderParticipantDeps, AnySagaEvent> = (deps, event, delivery) => {
  if (event.type === 'OrderCreated' && event.data.sagaStyle !== 'choreography') {
    reject('order', delivery, `order ${event.orderId} runs as ${event.data.sagaStyle}, not choreography`);
  }
  return recordSagaEvent(deps, event, delivery);
};

/** Every event of the saga except the outcome events the order participant publishes itself. */
export const orderReactions: Reactions<OrderParticipantDeps> = Object.fromEntries(
  EVENT_TYPES.filter((type) => !isSagaOutcomeEvent(type)).map((type) => [type, recordChoreographyEvent]),
);

export function handleOrderEvent(deps: OrderParticipantDeps, delivery: Delivery): Promise<void> {
  return react('order', orderReactions, deps, delivery);
}
