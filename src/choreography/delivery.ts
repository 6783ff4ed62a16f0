/** The log a participant writes to; the Functions InvocationContext is one. */
export interface ParticipantLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One delivery of a Service Bus message to a participant. */
export interface Delivery {
  body: unknown;
  messageId: string;
  /** 1 on the first delivery; Service Bus adds one each time the message is abandoned. */
  deliveryCount: number;
  log: ParticipantLog;
}

/**
 * A message this participant can never handle (unreadable, invalid, or not meant for it). Throwing it on
 * every delivery lets Service Bus dead-letter the message at MaxDeliveryCount with the reason in the log,
 * without ever blocking the queue.
 */
export class UnprocessableMessage extends Error {
  override readonly name = 'UnprocessableMessage';
}
