import { describe, expect, it } from 'vitest';
import { eventIdFor, type AnySagaEvent } from '../../src/domain';
import { aStoredOrder } from '../data/builders';
import { ORDER_ID } from './saga-events';
import { choreographyWorld } from './world';

/*
 * A step's outcome is announced from its decision record, never from the attempt at hand: a step is never
 * announced both ways, every copy of an event is the same, and a duplicate does nothing.
 */
describe('a step is announced from durable state', () => {
  it('announces InventoryReserved, not a failure, when the order-events send failed twice and delivery 3 hits a 429 on the read', async () => {
    const world = choreographyWorld();
    let lost = 0;
    world.bus.failSend = (queue, event) => queue === 'order-events' && event.type === 'InventoryReserved' && (lost += 1) <= 2;
    world.bus.beforeDelivery = (queue, event, deliveryCount) => {
      if (queue !== 'inventory-events' || event.type !== 'OrderCreated' || deliveryCount !== 3) return;
      world.orders.faults.next(1);
      return () => world.orders.faults.next(0);
    };

    await world.place();
    await world.run();

    expect(world.order().status).toBe('Completed');
    expect(world.violations()).toEqual([]);
    expect(world.bus.announcedTypes()).not.toContain('InventoryReservationFailed');
    expect(world.effects.calls.filter((call) => call === 'reserve')).toHaveLength(1);
    const [toPayment] = world.bus.received('payment-events');
    expect(world.bus.received('order-events').find((event) => event.type === 'InventoryReserved')).toEqual(toPayment);
    expect(world.saga()?.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'ReserveInventory:Succeeded:1',
      'ProcessPayment:Succeeded:1',
      'FulfillOrder:Succeeded:1',
    ]);
  });

  it('keeps the earlier success when the decision record itself cannot be read on the last delivery', async () => {
    const world = choreographyWorld();
    let lost = 0;
    world.bus.failSend = (queue, event) => queue === 'order-events' && event.type === 'InventoryReserved' && (lost += 1) <= 2;
    world.bus.beforeDelivery = (queue, event, deliveryCount) => {
      if (queue !== 'inventory-events' || event.type !== 'OrderCreated' || deliveryCount !== 3) return;
      world.decisions.faults.next(1);
      return () => world.decisions.faults.next(0);
    };

    await world.place();
    await world.run();

    expect(world.order().status).toBe('Completed');
    expect(world.violations()).toEqual([]);
  });

  it('fails a step for good only through its decision record, and never applies it afterwards', async () => {
    const world = choreographyWorld();
    world.effects.faults.charge.next(3);
    // A late copy of the trigger reaches payment right after the failure was decided, before the refund runs.
    let copied = false;
    world.bus.failSend = (queue, event) => {
      if (queue === 'payment-events' && event.type === 'PaymentFailed' && !copied) {
        copied = true;
        const trigger = world.bus.received('payment-events').find((received) => received.type === 'InventoryReserved') as AnySagaEvent;
        world.bus.deliverCopyFirst('payment-events', trigger, 'late-copy');
      }
      return false;
    };

    await world.place();
    await world.run();

    expect(copied).toBe(true);
    expect(world.order().status).toBe('Cancelled');
    expect(world.violations()).toEqual([]);
    expect(world.effects.payments.get(ORDER_ID)).toBe('Declined');
    expect(world.effects.calls.filter((call) => call === 'charge')).toHaveLength(3);
    expect(world.bus.announcedTypes()).not.toContain('PaymentCompleted');
  });

  it('records a failure that won the decision and announces it once decided, whatever the deliveries after', async () => {
    const world = choreographyWorld();
    world.effects.faults.reserve.next(3);
    await world.place();
    await world.run();
    expect(world.order().status).toBe('Cancelled');
    expect(world.decisions.byId.get(`${ORDER_ID}:ReserveInventory`)?.announcement).toMatchObject({
      type: 'InventoryReservationFailed',
      data: { reason: 'ReserveInventory failed after 3 attempts: Cosmos DB is unavailable (503)', attempts: 3 },
    });
    expect(world.violations()).toEqual([]);
  });
});

describe('every copy of an event carries the same payload', () => {
  it('re-announces compensating events byte for byte after redeliveries (time included)', async () => {
    const world = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', shippingAddress: { name: 'Ada', line1: '1 Ice Rd', city: 'McMurdo', postalCode: '1', country: 'AQ' } }));
    const flaky = new Map<string, number>();
    world.bus.failSend = (queue, event) => {
      const key = `${queue}|${event.type}`;
      flaky.set(key, (flaky.get(key) ?? 0) + 1);
      // Each compensating event loses its first send to order-events and then to the next participant.
      return ['FulfillmentCancelled', 'PaymentRefunded', 'InventoryReleased'].includes(event.type) && (flaky.get(key) ?? 0) <= 1;
    };

    await world.place();
    await world.run();

    expect(world.order().status).toBe('Cancelled');
    expect(world.bus.attempts.filter((attempt) => attempt.outcome === 'failed').length).toBeGreaterThan(2);
    expect(world.bus.messageIdsWithDifferentBodies()).toEqual([]);
    expect(world.violations()).toEqual([]);
    expect(world.saga()?.compensation?.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'CancelFulfillment:NothingToCompensate:1',
      'RefundPayment:Compensated:1',
      'ReleaseInventory:Compensated:1',
    ]);
  });
});

describe('a partial fan-out', () => {
  it('gives the participant that got the event twice nothing to do twice, and the saga record stays right', async () => {
    const world = choreographyWorld();
    // Outside the duplicate-detection window: the copy re-sent after the order-events failure is delivered again.
    world.bus.duplicateDetection = false;
    let lost = 0;
    world.bus.failSend = (queue, event) => queue === 'order-events' && event.type === 'InventoryReserved' && (lost += 1) <= 1;

    await world.place();
    await world.run();

    expect(world.bus.received('payment-events').filter((event) => event.type === 'InventoryReserved')).toHaveLength(2);
    expect(world.effects.calls.filter((call) => call === 'charge')).toHaveLength(1);
    expect(world.bus.received('fulfillment-events').every((event) => event.id === eventIdFor(ORDER_ID, 'PaymentCompleted'))).toBe(true);
    expect(world.bus.messageIdsWithDifferentBodies()).toEqual([]);
    expect(world.order().status).toBe('Completed');
    expect(world.saga()?.choreography?.events).toHaveLength(4);
    expect(world.saga()?.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'ReserveInventory:Succeeded:1',
      'ProcessPayment:Succeeded:1',
      'FulfillOrder:Succeeded:1',
    ]);
    expect(world.violations()).toEqual([]);
  });
});
