import { describe, expect, it } from 'vitest';
import { createEvent, eventIdFor, parseEvent } from '../../src/domain';

const orderCreated = () =>
  createEvent('OrderCreated', {
    orderId: 'ord-1',
    occurredAt: '2025-01-01T00:00:00.000Z',
    data: { customerId: 'cust-1', sagaStyle: 'orchestration', items: [{ productId: 'dog-leash', quantity: 1 }], totalAmount: 15, currency: 'USD' },
  });

describe('events', () => {
  it('derives the event id from the order and the type, so a re-publish is a duplicate', () => {
    expect(orderCreated().id).toBe(orderCreated().id);
    expect(eventIdFor('ord-1', 'OrderCreated')).not.toBe(eventIdFor('ord-1', 'OrderCompleted'));
    expect(eventIdFor('ord-1', 'OrderCreated')).not.toBe(eventIdFor('ord-2', 'OrderCreated'));
    expect(orderCreated().correlationId).toBe('ord-1');
  });

  it('parses a valid event that went through JSON', () => {
    const event = orderCreated();
    expect(parseEvent(JSON.parse(JSON.stringify(event)))).toEqual({ ok: true, event });
  });

  it.each([
    ['a non-object', 'hello', /envelope/],
    ['an unknown type', { ...orderCreated(), type: 'OrderTeleported' }, /envelope.*type/],
    ['a missing order id', { ...orderCreated(), orderId: '' }, /envelope.*orderId/],
    ['a bad timestamp', { ...orderCreated(), occurredAt: 'yesterday' }, /envelope.*occurredAt/],
    ['data of the wrong shape', { ...orderCreated(), data: { customerId: 'c' } }, /Invalid OrderCreated data/],
    ['an empty item list', { ...orderCreated(), data: { ...orderCreated().data, items: [] } }, /data: items/],
  ])('rejects %s with a reason', (_why, body, reason) => {
    const result = parseEvent(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('validates compensating events', () => {
    const released = createEvent('InventoryReleased', {
      orderId: 'ord-1',
      occurredAt: '2025-01-01T00:00:00.000Z',
      data: { outcome: 'NothingToCompensate', attempts: 1, error: null },
    });
    expect(parseEvent(JSON.parse(JSON.stringify(released))).ok).toBe(true);
    expect(parseEvent({ ...released, data: { outcome: 'Maybe', attempts: 1, error: null } }).ok).toBe(false);
  });
});
