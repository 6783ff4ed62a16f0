import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../../src/domain';
import { ALL_QUEUES, EVENT_ROUTES, planDeliveries, queuesFor } from '../../src/messaging';
import { orderCreated, sampleEvent } from './events';

describe('queuesFor', () => {
  it('has a route for every event type', () => {
    expect(Object.keys(EVENT_ROUTES).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('sends orchestration orders to the orchestrator\'s queue only', () => {
    expect(queuesFor(orderCreated('orchestration'))).toEqual(['orders']);
  });

  it('sends choreography orders to inventory and to the order tracker', () => {
    expect(queuesFor(orderCreated('choreography'))).toEqual(['inventory-events', 'order-events']);
  });

  it.each<[EventType, string[]]>([
    ['InventoryReserved', ['payment-events', 'order-events']],
    ['InventoryReservationFailed', ['inventory-events', 'order-events']],
    ['PaymentCompleted', ['fulfillment-events', 'order-events']],
    ['PaymentFailed', ['payment-events', 'order-events']],
    ['OrderFulfilled', ['order-events']],
    ['FulfillmentFailed', ['fulfillment-events', 'order-events']],
    ['FulfillmentCancelled', ['payment-events', 'order-events']],
    ['PaymentRefunded', ['inventory-events', 'order-events']],
    ['InventoryReleased', ['order-events']],
    ['OrderCompleted', []],
    ['OrderCancelled', []],
    ['OrderFailed', []],
  ])('routes %s to %j', (type, queues) => {
    expect(queuesFor(sampleEvent(type))).toEqual(queues);
  });

  it('only ever names declared queues', () => {
    const every = EVENT_TYPES.flatMap((type) =>
      type === 'OrderCreated'
        ? [...queuesFor(orderCreated('orchestration')), ...queuesFor(orderCreated('choreography'))]
        : [...queuesFor(sampleEvent(type))],
    );
    expect(every.filter((queue) => !(ALL_QUEUES as readonly string[]).includes(queue))).toEqual([]);
  });
});

describe('planDeliveries', () => {
  it('groups messages by queue and keeps the publishing order within each', () => {
    const plan = planDeliveries([
      sampleEvent('InventoryReserved', 'a'),
      sampleEvent('PaymentCompleted', 'a'),
      sampleEvent('OrderCompleted', 'a'),
      sampleEvent('InventoryReserved', 'b'),
    ]);
    const summary = Object.fromEntries(
      [...plan].map(([queue, messages]) => [queue, messages.map((m) => `${m.applicationProperties.orderId}:${m.subject}`)]),
    );
    expect(summary).toEqual({
      'payment-events': ['a:InventoryReserved', 'b:InventoryReserved'],
      'order-events': ['a:InventoryReserved', 'a:PaymentCompleted', 'b:InventoryReserved'],
      'fulfillment-events': ['a:PaymentCompleted'],
    });
  });

  it('plans nothing for events nobody listens to', () => {
    expect(planDeliveries([sampleEvent('OrderCancelled')]).size).toBe(0);
  });
});
