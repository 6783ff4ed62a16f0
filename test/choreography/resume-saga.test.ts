import { describe, expect, it } from 'vitest';
import { eventIdFor, type AnySagaEvent } from '../../src/domain';
import { aStoredOrder } from '../data/builders';
import { ORDER_ID } from './saga-events';
import { choreographyWorld } from './world';

const AQ = { name: 'Ada', line1: '1 Ice Rd', city: 'McMurdo', postalCode: '1', country: 'AQ' };

describe('resuming a stuck choreographed saga', () => {
  it('re-drives OrderCreated that reached order-events but never inventory-events', async () => {
    const world = choreographyWorld();
    world.bus.failSend = (queue, event) => queue === 'inventory-events' && event.type === 'OrderCreated' && !world.bus.attempts.some((a) => a.queue === queue);
    await expect(world.place()).rejects.toThrow('inventory-events');
    await world.run();
    expect(world.order().status).toBe('Processing');
    expect(world.saga()?.status).toBe('Running');

    const outcome = await world.resume('stuck');
    expect(outcome).toEqual({
      action: 'redriven',
      detail: `order ${ORDER_ID}: sent OrderCreated again under new message ids; waiting on ReserveInventory`,
    });
    const resent = world.bus.attempts.filter((attempt) => attempt.queue === 'inventory-events' && attempt.outcome === 'sent');
    expect(resent).toHaveLength(1);
    expect(resent[0]?.messageId).not.toBe(eventIdFor(ORDER_ID, 'OrderCreated'));
    expect(JSON.parse(resent[0]?.body ?? '{}')).toEqual(world.bus.received('order-events')[0]);

    await world.run();
    expect(world.order().status).toBe('Completed');
    expect(world.violations()).toEqual([]);
  });

  it('re-drives an event dead-lettered on order-events under a new message id, which duplicate detection would otherwise drop', async () => {
    const world = choreographyWorld();
    // The order participant's database is down for every delivery of OrderFulfilled.
    world.bus.beforeDelivery = (queue, event) => {
      if (queue !== 'order-events' || event.type !== 'OrderFulfilled') return;
      world.sagas.faults.next(1);
      return () => world.sagas.faults.next(0);
    };
    await world.place();
    await world.run();
    expect(world.bus.deadLetters.get('order-events')?.map((entry) => entry.message.subject)).toEqual(['OrderFulfilled']);
    expect(world.order().status).toBe('Processing');

    world.bus.beforeDelivery = () => {};
    const fulfilled = world.decisions.byId.get(`${ORDER_ID}:FulfillOrder`)?.announcement as AnySagaEvent;
    await world.bus.publish([fulfilled]);
    expect(world.bus.attempts.at(-1)?.outcome).toBe('dropped as a duplicate');

    const outcome = await world.resume('stuck');
    expect(outcome.action).toBe('redriven');
    expect(outcome.detail).toContain('sent OrderFulfilled again');
    await world.run();
    expect(world.order().status).toBe('Completed');
    expect(world.saga()?.status).toBe('Completed');
    expect(world.violations()).toEqual([]);
  });

  it('re-drives a compensating event whose sends failed on every delivery, and the saga ends Compensated', async () => {
    const world = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', shippingAddress: AQ }));
    let outage = true;
    world.bus.failSend = (_queue, event) => outage && event.type === 'PaymentRefunded';
    await world.place();
    await world.run();
    expect(world.bus.deadLetters.get('payment-events')?.map((entry) => entry.message.subject)).toEqual(['FulfillmentCancelled']);
    expect(world.order().status).toBe('Processing');
    expect(world.saga()?.status).toBe('Compensating');

    outage = false;
    const outcome = await world.resume('stuck');
    expect(outcome.detail).toBe(`order ${ORDER_ID}: sent PaymentRefunded again under new message ids; waiting on ReleaseInventory`);
    await world.run();
    expect(world.order().status).toBe('Cancelled');
    expect(world.saga()?.status).toBe('Compensated');
    expect(world.effects.calls.filter((call) => call === 'refund')).toHaveLength(1);
    expect(world.violations()).toEqual([]);
  });

  it('finishes the order when the saga record is final but the order update was lost', async () => {
    const world = choreographyWorld();
    world.bus.beforeDelivery = (queue, event) => {
      if (queue !== 'order-events' || event.type !== 'OrderFulfilled') return;
      // The saga record is written; every update of the order then fails.
      world.orders.faults.always();
      return () => world.orders.faults.next(0);
    };
    await world.place();
    await world.run();
    expect(world.saga()?.status).toBe('Completed');
    expect(world.order().status).toBe('Processing');

    world.bus.beforeDelivery = () => {};
    expect((await world.resume('stuck')).detail).toContain('sent OrderFulfilled again');
    await world.run();
    expect(world.order().status).toBe('Completed');
  });

  it('does nothing for an order that is not Processing, and refuses what it cannot resume', async () => {
    const world = choreographyWorld();
    expect(await world.resume('stuck')).toEqual({ action: 'none', detail: `order ${ORDER_ID} is Pending, not Processing: nothing is stuck` });
    await world.place();
    await world.run();
    expect(await world.resume('stuck')).toEqual({ action: 'none', detail: `order ${ORDER_ID} is Completed, not Processing: nothing is stuck` });
    expect(await world.resume('operator')).toEqual({
      action: 'refused',
      detail: `order ${ORDER_ID} is Completed and its saga is Completed: only a CompensationFailed saga can be resumed`,
    });

    const orchestrated = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'orchestration' }));
    expect(await orchestrated.resume('stuck')).toEqual({ action: 'refused', detail: `order ${ORDER_ID} runs as orchestration, not choreography` });
  });

  it('reports nothing missing for a saga whose participant is still working', async () => {
    const world = choreographyWorld();
    await world.place();
    // Deliver OrderCreated to order-events only: the inventory participant has not decided yet, its trigger is queued.
    const inventory = world.bus.queues.get('inventory-events') ?? [];
    world.bus.queues.set('inventory-events', []);
    await world.run();
    world.bus.queues.set('inventory-events', inventory);
    const outcome = await world.resume('stuck');
    // Nothing tells a lost trigger from a slow one: OrderCreated is sent again, and the copies change nothing.
    expect(outcome.detail).toContain('sent OrderCreated again');
    await world.run();
    expect(world.effects.calls.filter((call) => call === 'reserve')).toHaveLength(1);
    expect(world.order().status).toBe('Completed');
    expect(world.violations()).toEqual([]);
  });
});

describe('an operator resuming a CompensationFailed saga', () => {
  async function failedRefund() {
    const world = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', shippingAddress: AQ }));
    world.effects.faults.refund.always();
    await world.place();
    await world.run();
    expect(world.saga()?.status).toBe('CompensationFailed');
    expect(world.order()).toMatchObject({ status: 'Failed' });
    expect(world.effects.payments.get(ORDER_ID)).toBe('Captured');
    return world;
  }

  it('re-runs the compensation that failed, and the saga ends Compensated with the order Cancelled once the fault is gone', async () => {
    const world = await failedRefund();
    expect((await world.resume('stuck')).action).toBe('none');

    world.effects.faults.refund.next(0);
    const outcome = await world.resume('operator');
    expect(outcome).toEqual({
      action: 'redriven',
      detail: `order ${ORDER_ID}: reopened RefundPayment (round 2); sent FulfillmentCancelled again under new message ids; waiting on RefundPayment`,
    });
    expect(world.order().status).toBe('Processing');
    expect(world.saga()?.status).toBe('Compensating');

    await world.run();
    expect(world.order()).toMatchObject({ status: 'Cancelled', payment: { status: 'Refunded' } });
    expect(world.saga()?.status).toBe('Compensated');
    expect(world.saga()?.compensation?.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'CancelFulfillment:NothingToCompensate',
      'RefundPayment:Compensated',
      'ReleaseInventory:Compensated',
    ]);
    expect(world.effects.payments.get(ORDER_ID)).toBe('Refunded');
    const refunds = world.bus.received('order-events').filter((event) => event.type === 'PaymentRefunded');
    expect(refunds.map((event) => event.id)).toEqual([eventIdFor(ORDER_ID, 'PaymentRefunded'), eventIdFor(ORDER_ID, 'PaymentRefunded', 2)]);
    expect(world.violations()).toEqual([]);
  });

  it('ends CompensationFailed again, with the order Failed, when the fault is still there', async () => {
    const world = await failedRefund();
    await world.resume('operator');
    await world.run();
    expect(world.saga()?.status).toBe('CompensationFailed');
    expect(world.order().status).toBe('Failed');
    expect(world.saga()?.compensation?.steps[1]).toMatchObject({ name: 'RefundPayment', status: 'Failed', attempts: 5 });

    world.effects.faults.refund.next(0);
    expect((await world.resume('operator')).detail).toContain('reopened RefundPayment (round 3)');
    await world.run();
    expect(world.order().status).toBe('Cancelled');
    expect(world.violations()).toEqual([]);
  });

  it('re-drives again without opening another round when asked twice before the chain ran', async () => {
    const world = await failedRefund();
    world.effects.faults.refund.next(0);
    await world.resume('operator');
    const again = await world.resume('operator');
    expect(again.detail).toBe(
      `order ${ORDER_ID}: reopened RefundPayment (round 2); sent FulfillmentCancelled again under new message ids; waiting on RefundPayment`,
    );
    await world.run();
    expect(world.decisions.byId.get(`${ORDER_ID}:RefundPayment`)?.round).toBe(2);
    expect(world.order().status).toBe('Cancelled');
    expect(world.effects.calls.filter((call) => call === 'refund').length).toBeGreaterThan(5);
    expect(world.violations()).toEqual([]);
  });
});

describe('a resume interrupted half-way', () => {
  it('is finished by the sweeper when the rounds were opened but the saga record was not updated', async () => {
    const world = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', shippingAddress: AQ }));
    world.effects.faults.refund.always();
    await world.place();
    await world.run();
    world.effects.faults.refund.next(0);
    // The operator's resume opened round 2 and moved the order, then stopped before the saga record changed.
    await world.decisions.reopen(ORDER_ID, 'RefundPayment', 1);
    await world.orders.update(ORDER_ID, (order) => ({ ...order, status: 'Processing', statusReason: null }));
    expect(world.saga()?.status).toBe('CompensationFailed');

    expect((await world.resume('stuck')).detail).toContain('reopened RefundPayment (round 2)');
    await world.run();
    expect(world.order().status).toBe('Cancelled');
    expect(world.violations()).toEqual([]);
  });

  it('is finished by the operator asking again when the order was not moved back', async () => {
    const world = choreographyWorld(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', shippingAddress: AQ }));
    world.effects.faults.refund.always();
    await world.place();
    await world.run();
    world.effects.faults.refund.next(0);
    const update = world.orders.update.bind(world.orders);
    world.orders.update = async () => {
      world.orders.update = update;
      throw new Error('Cosmos DB is unavailable (503)');
    };
    await expect(world.resume('operator')).rejects.toThrow('Cosmos DB is unavailable');
    expect(world.saga()?.status).toBe('Compensating');
    expect(world.order().status).toBe('Failed');

    expect((await world.resume('operator')).action).toBe('redriven');
    await world.run();
    expect(world.order().status).toBe('Cancelled');
    expect(world.violations()).toEqual([]);
  });
});
