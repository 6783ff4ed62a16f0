import { z } from 'zod';
import { foldChoreographySaga, type CompensationRounds } from '../domain/choreography-saga';
import {
  CompensationNameSchema,
  OrderSagaSchema,
  isFinalSagaStatus,
  parseEvent,
  type AnySagaEvent,
  type OrderSaga,
} from '../domain';

/**
 * The stored choreography saga keeps, beside the public OrderSaga fields, the events it was built from:
 * the order participant adds each event by id and refolds the record, so arrival order and duplicates
 * never matter. `rounds` says which compensations an operator re-opened (resumeChoreographySaga). The log is
 * internal: the saga GET answers with the OrderSaga fields only.
 */
export const ChoreographySagaDocumentSchema = OrderSagaSchema.extend({
  choreography: z
    .object({
      events: z.array(z.unknown()),
      rounds: z
        .object(Object.fromEntries(CompensationNameSchema.options.map((name) => [name, z.number().int().min(2).optional()])))
        .optional(),
    })
    .optional(),
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

/** The compensation rounds an operator opened on this saga; empty when none was. */
export function compensationRounds(stored: ChoreographySagaDocument | null): CompensationRounds {
  return stored?.choreography?.rounds ?? {};
}

function refold(orderId: string, events: AnySagaEvent[], rounds: CompensationRounds, cause: string): ChoreographySagaDocument {
  const saga = foldChoreographySaga(orderId, events, rounds);
  if (!saga) throw new Error(`Saga ${orderId}: ${cause} does not belong to this saga`);
  const hasRounds = Object.keys(rounds).length > 0;
  return { ...saga, choreography: { events, ...(hasRounds ? { rounds } : {}) } };
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
  return refold(event.orderId, next, compensationRounds(current), event.type);
}

/**
 * The stored saga with the compensations of `rounds` re-opened by an operator: their earlier outcomes no longer
 * count, so the saga is Compensating again until each announces the new round. Null when nothing changes.
 */
export function withRoundsReopened(current: ChoreographySagaDocument | null, rounds: CompensationRounds): ChoreographySagaDocument | null {
  if (!current || current.sagaStyle !== 'choreography') return null;
  const known = compensationRounds(current);
  const merged: CompensationRounds = { ...known };
  for (const [name, round] of Object.entries(rounds) as Array<[keyof CompensationRounds, number]>) {
    merged[name] = Math.max(round, known[name] ?? 1);
  }
  if (Object.entries(merged).every(([name, round]) => known[name as keyof CompensationRounds] === round)) return null;
  return refold(current.orderId, recordedEvents(current), merged, 'the resumed saga');
}

/** The saga as `GET /api/orders/{id}/saga` shows it: the public fields only. */
export function publicSaga(stored: ChoreographySagaDocument): OrderSaga {
  const { orderId, sagaStyle, instanceId, status, steps, compensation, createdAt, updatedAt } = stored;
  return { orderId, sagaStyle, instanceId, status, steps, compensation, createdAt, updatedAt };
}
