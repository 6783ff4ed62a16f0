import { z } from 'zod';
import { foldChoreographySaga } from '../domain/choreography-saga';
import { OrderSagaSchema, isFinalSagaStatus, parseEvent, type AnySagaEvent, type OrderSaga } from '../domain';

/**
 * The stored choreography saga keeps, beside the public OrderSaga fields, the events it was built from:
 * the order participant adds each event by id and refolds the record, so arrival order and duplicates
 * never matter. The log is internal: the saga GET answers with the OrderSaga fields only.
 */
export const ChoreographySagaDocumentSchema = OrderSagaSchema.extend({
  choreography: z.object({ events: z.array(z.unknown()) }).optional(),
});
export type ChoreographySagaDocument = z.infer<typeof ChoreographySagaDocumentSchema>;

export class SagaEventLogInvalid extends Error {
  override readonly name = 'SagaEventLogInvalid';
}

/** The events recorded in a stored saga; none for a saga that has no log. */
export function recordedEvents(stored: ChoreographySagaDocument): AnySagaEvent[] {
  if (!stored.choreography) return [];
  return stored.choreography.events.map((raw, index) => {
    const parsed = parseEvent(raw);
    if (!parsed.ok) throw new SagaEventLogInvalid(`Saga ${stored.orderId}: recorded event ${index} is invalid: ${parsed.reason}`);
    return parsed.event;
  });
}

/**
 * The stored saga with `event` added, or null when nothing changes: the saga is already final, it is not a
 * choreography, or the event is already recorded. A copy of a recorded event (a participant announced it
 * again after a redelivery) replaces it only when it occurred earlier, so the log keeps the first
 * announcement whichever copy arrived first.
 */
export function withRecordedEvent(current: ChoreographySagaDocument | null, event: AnySagaEvent): ChoreographySagaDocument | null {
  if (current && (current.sagaStyle !== 'choreography' || isFinalSagaStatus(current.status))) return null;
  const events = current ? recordedEvents(current) : [];
  const copy = events.find((recorded) => recorded.id === event.id);
  if (copy && Date.parse(copy.occurredAt) <= Date.parse(event.occurredAt)) return null;
  const next = [...events.filter((recorded) => recorded !== copy), event];
  const saga = foldChoreographySaga(event.orderId, next);
  if (!saga) throw new Error(`Saga ${event.orderId}: ${event.type} does not belong to this saga`);
  return { ...saga, choreography: { events: next } };
}

/** The saga as `GET /api/orders/{id}/saga` shows it: the public fields only. */
export function publicSaga(stored: ChoreographySagaDocument): OrderSaga {
  const { orderId, sagaStyle, instanceId, status, steps, compensation, createdAt, updatedAt } = stored;
  return { orderId, sagaStyle, instanceId, status, steps, compensation, createdAt, updatedAt };
}
