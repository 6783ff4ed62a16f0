import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/domain';
import { readEventBody, toMessage } from '../../src/messaging';
import { orderCreated, sampleEvent } from './events';

describe('toMessage', () => {
  it('maps the event onto the message the contract describes', () => {
    const event = orderCreated('choreography');
    expect(toMessage(event)).toEqual({
      body: {
        type: 'OrderCreated',
        id: event.id,
        orderId: 'order-1',
        occurredAt: event.occurredAt,
        correlationId: 'corr-order-1',
        data: event.data,
      },
      messageId: event.id,
      subject: 'OrderCreated',
      correlationId: 'corr-order-1',
      contentType: 'application/json',
      applicationProperties: { orderId: 'order-1', eventType: 'OrderCreated', sagaStyle: 'choreography' },
    });
  });

  it('gives a resend its own message id and keeps the event as it was', () => {
    const event = orderCreated('orchestration');
    const resent = toMessage(event, '1733100000000');
    expect(resent.messageId).toBe(`${event.id}~resent-1733100000000`);
    expect(resent.messageId.length).toBeLessThanOrEqual(128);
    expect({ ...resent, messageId: event.id }).toEqual(toMessage(event));
  });

  it('leaves sagaStyle out when the event does not say it', () => {
    const message = toMessage(sampleEvent('PaymentCompleted'));
    expect(message.applicationProperties).toEqual({ orderId: 'order-1', eventType: 'PaymentCompleted' });
  });

  it('puts only the envelope on the wire, whatever else the object carries', () => {
    const event = { ...sampleEvent('OrderFulfilled'), etag: 'x', internal: true };
    expect(Object.keys(toMessage(event).body).sort()).toEqual(['correlationId', 'data', 'id', 'occurredAt', 'orderId', 'type']);
  });

  it('produces a body that parses back into the same event', () => {
    const event = sampleEvent('FulfillmentCancelled');
    expect(parseEvent(JSON.parse(JSON.stringify(toMessage(event).body)))).toEqual({ ok: true, event });
  });
});

describe('readEventBody', () => {
  const event = sampleEvent('InventoryReserved');

  it.each([
    ['an object', event],
    ['a string', JSON.stringify(event)],
    ['bytes', Buffer.from(JSON.stringify(event))],
  ])('reads %s', (_kind, body) => {
    expect(readEventBody(body)).toEqual({ ok: true, event });
  });

  it('gives a reason for a body that is not JSON', () => {
    const result = readEventBody('{not json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/not JSON/);
  });

  it('gives a reason for an envelope that does not validate', () => {
    const result = readEventBody({ ...event, type: 'Nope' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/type/);
  });
});
