/**
 * A Service Bus message as the Functions host hands it to the Node worker: the body as `json` when it is a
 * JSON document (otherwise `string`, or `bytes` for binary), and the message properties as trigger metadata.
 */
import { TextDecoder } from 'node:util';
import type { InvocationRequest, RpcTypedData } from '../contracts';
import type { DeliveredMessage } from './message';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function bodyToTypedData(body: DeliveredMessage['body']): RpcTypedData {
  if (body === null || body === undefined) return { string: '' };
  if (typeof body === 'string') return isJson(body) ? { json: body } : { string: body };
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return { bytes: new Uint8Array(body) };
    }
    return isJson(text) ? { json: text } : { string: text };
  }
  return { json: JSON.stringify(body) };
}

function isJson(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function str(value: string | undefined): RpcTypedData | undefined {
  return value === undefined ? undefined : { string: value };
}

export function messageMetadata(message: DeliveredMessage): Record<string, RpcTypedData> {
  const meta: Record<string, RpcTypedData | undefined> = {
    messageId: str(message.messageId),
    deliveryCount: { int: message.deliveryCount },
    enqueuedTimeUtc: str(message.enqueuedTimeUtc?.toISOString()),
    expiresAtUtc: str(message.expiresAtUtc?.toISOString()),
    correlationId: str(message.correlationId),
    contentType: str(message.contentType),
    subject: str(message.subject),
    // Older extensions call the subject Label; apps written against either name keep working.
    label: str(message.subject),
    sessionId: str(message.sessionId),
    replyTo: str(message.replyTo),
    to: str(message.to),
    lockToken: str(message.lockToken),
    sequenceNumber: message.sequenceNumber === undefined ? undefined : { int: message.sequenceNumber },
    applicationProperties: { json: JSON.stringify(message.applicationProperties ?? {}) },
    userProperties: { json: JSON.stringify(message.applicationProperties ?? {}) },
  };
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined)) as Record<string, RpcTypedData>;
}

export function toInvocationRequest(message: DeliveredMessage): InvocationRequest {
  return { triggerData: bodyToTypedData(message.body), triggerMetadata: messageMetadata(message) };
}

/** `cardinality: 'many'`: the bodies as one JSON array, and each metadata field as an `…Array`. */
export function toBatchInvocationRequest(messages: DeliveredMessage[]): InvocationRequest {
  const bodies = messages.map((m) => {
    const data = bodyToTypedData(m.body);
    if (data.json !== undefined && data.json !== null) return JSON.parse(data.json) as unknown;
    if (data.string !== undefined) return data.string;
    return Buffer.from(data.bytes ?? new Uint8Array()).toString('base64');
  });
  const arrays: Record<string, unknown[]> = {};
  for (const m of messages) {
    for (const [key, value] of Object.entries(messageMetadata(m))) {
      const plain = value.int ?? value.string ?? (value.json ? (JSON.parse(value.json) as unknown) : null);
      (arrays[`${key}Array`] ??= []).push(plain);
    }
  }
  const triggerMetadata: Record<string, RpcTypedData> = {};
  for (const [key, values] of Object.entries(arrays)) triggerMetadata[key] = { json: JSON.stringify(values) };
  return { triggerData: { json: JSON.stringify(bodies) }, triggerMetadata };
}
