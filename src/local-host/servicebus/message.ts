/** Messages as the embedded broker holds them, and the common shape a trigger dispatch needs. */

export type PropertyValue = string | number | boolean | null;

/** What a sender supplies (REST endpoint, resubmit, forwarding). */
export interface OutgoingMessage {
  body: Buffer;
  contentType?: string;
  messageId?: string;
  correlationId?: string;
  subject?: string;
  sessionId?: string;
  replyTo?: string;
  replyToSessionId?: string;
  to?: string;
  timeToLiveMs?: number;
  scheduledEnqueueTimeUtc?: Date;
  applicationProperties?: Record<string, PropertyValue>;
}

/** The fields a Service Bus trigger exposes, whether the message came from the embedded broker or Azure. */
export interface DeliveredMessage {
  body: Buffer | string | object | null;
  messageId: string;
  deliveryCount: number;
  enqueuedTimeUtc?: Date;
  expiresAtUtc?: Date;
  correlationId?: string;
  contentType?: string;
  subject?: string;
  sessionId?: string;
  replyTo?: string;
  to?: string;
  applicationProperties?: Record<string, unknown>;
  lockToken?: string;
  sequenceNumber?: number;
}

export interface BrokerMessage extends DeliveredMessage {
  body: Buffer;
  applicationProperties: Record<string, PropertyValue>;
  sequenceNumber: number;
  enqueuedTimeUtc: Date;
  expiresAtUtc: Date;
  timeToLiveMs?: number;
  replyToSessionId?: string;
  lockedUntilUtc?: Date;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  deadLetterSource?: string;
}

/** A copy that shares nothing mutable with the original (each subscription owns its copy). */
export function cloneMessage(message: BrokerMessage): BrokerMessage {
  return { ...message, applicationProperties: { ...message.applicationProperties } };
}

export function toOutgoing(message: BrokerMessage): OutgoingMessage {
  const out: OutgoingMessage = { body: message.body, messageId: message.messageId, applicationProperties: { ...message.applicationProperties } };
  for (const key of ['contentType', 'correlationId', 'subject', 'sessionId', 'replyTo', 'replyToSessionId', 'to', 'timeToLiveMs'] as const) {
    const value = message[key];
    if (value !== undefined) (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
