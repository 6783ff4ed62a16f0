import type { AnySagaEvent, EventType, SagaEvent } from '../domain';
import { readEventBody } from '../messaging';
import { UnprocessableMessage, type Delivery } from './delivery';

export type Reaction<D, E extends SagaEvent = AnySagaEvent> = (deps: D, event: E, delivery: Delivery) => Promise<void>;

/** What a participant does with each event type it listens to. */
export type Reactions<D> = { [T in EventType]?: Reaction<D, SagaEvent<T>> };

/**
 * Reads the message and hands the event to the participant's reaction. A message that is unreadable,
 * invalid, or of a type this participant does not handle is rejected on every delivery, so it ends up in
 * the dead-letter queue instead of being retried forever or silently dropped.
 */
export async function react<D>(participant: string, reactions: Reactions<D>, deps: D, delivery: Delivery): Promise<void> {
  const parsed = readEventBody(delivery.body);
  if (!parsed.ok) reject(participant, delivery, parsed.reason);
  const event = parsed.event;
  const reaction = reactions[event.type] as Reaction<D> | undefined;
  if (!reaction) reject(participant, delivery, `${event.type} is not an event the ${participant} participant handles`);
  await reaction(deps, event, delivery);
}

export function reject(participant: string, delivery: Delivery, reason: string): never {
  delivery.log.error(
    `The ${participant} participant rejects message ${delivery.messageId} (delivery ${delivery.deliveryCount}): ${reason}`,
  );
  throw new UnprocessableMessage(`Message ${delivery.messageId}: ${reason}`);
}
