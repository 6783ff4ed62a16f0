import { parseEvent, type AnySagaEvent, type EventParseResult, type SagaStyle } from '../domain';
import { messageTraceProperties } from '../telemetry/message-trace';

/** The JSON body every message carries (api-contract.md, "Messages"). */
export type EventEnvelope = Pick<AnySagaEvent, 'type' | 'id' | 'orderId' | 'occurredAt' | 'correlationId' | 'data'>;

/**
 * A message as both brokers take it. Structurally a `ServiceBusMessage`, but free of the SDK so the
 * embedded broker's publisher can share it.
 */
export interface OutgoingMessage {
  body: EventEnvelope;
  /** The event id, so that duplicate detection drops a re-published event (a deliberate resend: see messageIdOf). */
  messageId: string;
  /** The event type, so a consumer (or a person in a DLQ viewer) can tell messages apart unparsed. */
  subject: string;
  correlationId: string;
  contentType: 'application/json';
  applicationProperties: Record<string, string>;
}

/** The saga style, when the event says it: only OrderCreated does. */
export function sagaStyleOf(event: AnySagaEvent): SagaStyle | undefined {
  return event.type === 'OrderCreated' ? event.data.sagaStyle : undefined;
}

export function toEnvelope(event: AnySagaEvent): EventEnvelope {
  // Copied field by field so that nothing a caller attached to the object leaks onto the wire.
  const { type, id, orderId, occurredAt, correlationId, data } = event;
  return { type, id, orderId, occurredAt, correlationId, data } as EventEnvelope;
}

/** The message id of an event: the event id, or for a resend a new id derived from it. */
export function messageIdOf(event: AnySagaEvent, resend?: string): string {
  return resend === undefined ? event.id : `${event.id}~resent-${resend}`;
}

export function toMessage(event: AnySagaEvent, resend?: string): OutgoingMessage {
  const applicationProperties: Record<string, string> = { orderId: event.orderId, eventType: event.type };
  const sagaStyle = sagaStyleOf(event);
  if (sagaStyle) applicationProperties.sagaStyle = sagaStyle;
  Object.assign(applicationProperties, messageTraceProperties());
  return {
    body: toEnvelope(event),
    messageId: messageIdOf(event, resend),
    subject: event.type,
    correlationId: event.correlationId,
    contentType: 'application/json',
    applicationProperties,
  };
}

/**
 * Reads an event from a received body, whichever way the trigger delivered it (parsed JSON, a string,
 * or bytes), so a consumer can dead-letter anything unreadable with the reason.
 */
export function readEventBody(body: unknown): EventParseResult {
  let value = body;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) value = Buffer.from(value).toString('utf8');
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      return { ok: false, reason: `Message body is not JSON: ${(error as Error).message}` };
    }
  }
  return parseEvent(value);
}
