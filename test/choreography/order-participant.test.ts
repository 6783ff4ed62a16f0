import { describe, expect, it } from 'vitest';
import { UnprocessableMessage } from '../../src/choreography/delivery';
import { handleOrderEvent } from '../../src/choreography/order-participant';
import { foldChoreographySaga } from '../../src/domain/choreography-saga';
import { eventIdFor, startSaga, type AnySagaEvent, type StoredOrder } from '../../src/domain';
import { aStoredOrder } from '../data/builders';
import { InMemoryOrders, InMemorySagas, NOW, RecordingPublisher, deliveryOf, sagaRecordsOver } from './fakes';
import { ORDER_ID, SAGA_PATHS, inventoryReserved, orderCreated, paymentCompleted, sagaEvent, shuffled, withoutOrderCreated } from './saga-events';

function participant() {
  const pauses: number[] = [];
  const orders = new InMemoryOrders(aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography' }));
  const clock = { now: () => new Date(NOW) };
  const deps = {
    sagas: new InMemorySagas(),
    sagaRecords: sagaRecordsOver(orders, clock),
    publisher: new RecordingPublisher(),
    clock,
    pause: async (ms: number) => {
      pauses.push(ms);
    },
  };
  return { deps, orders, pauses, order: () => orders.byId.get(ORDER_ID), saga: () => deps.sagas.byId.get(ORDER_ID) };
}

async function deliverAll(deps: ReturnType<typeof participant>['deps'], events: readonly AnySagaEvent[]) {
  for (const event of events) await handleOrderEvent(deps, deliveryOf(event));
}

const EXPECTED_ENDINGS = {
  completed: { order: 'Completed', payment: 'Captured', outcome: 'OrderCompleted' },
  'failed at ReserveInventory': { order: 'Cancelled', payment: 'Pending', outcome: 'OrderCancelled' },
  'failed at ProcessPayment': { order: 'Cancelled', payment: 'Declined', outcome: 'OrderCancelled' },
  'failed at FulfillOrder': { order: 'Cancelled', payment: 'Refunded', outcome: 'OrderCancelled' },
  'refund failed for good': { order: 'Failed', payment: 'Captured', outcome: 'OrderFailed' },
} as const;

describe('order participant', () => {
  describe.each(Object.entries(SAGA_PATHS))('%s', (path, events) => {
    const ending = EXPECTED_ENDINGS[path as keyof typeof EXPECTED_ENDINGS];

    it.each([1, 2, 3, 4, 5])('reaches the same record, order status and outcome whatever the arrival order (seed %i)', async (seed) => {
      const { deps, order, saga } = participant();
      await deliverAll(deps, shuffled([...events, ...events.slice(0, 2)], seed));

      const { choreography: log, ...record } = saga() ?? {};
      // The saga can close before OrderCreated arrives; a final saga then takes nothing more.
      const startKnown = log?.events.some((event) => (event as AnySagaEvent).type === 'OrderCreated');
      expect(record).toEqual(foldChoreographySaga(ORDER_ID, startKnown ? events : withoutOrderCreated(events)));
      expect(order()).toMatchObject({ status: ending.order, payment: { status: ending.payment } });
      const outcomes = deps.publisher.published;
      expect(new Set(outcomes.map((event) => event.id))).toEqual(new Set([eventIdFor(ORDER_ID, ending.outcome)]));
      expect(outcomes[0]?.type).toBe(ending.outcome);
    });
  });

  it('moves the order to Processing and shows the capture while the saga runs', async () => {
    const { deps, order, saga } = participant();
    await deliverAll(deps, [orderCreated(0)]);
    expect(order()).toMatchObject({ status: 'Processing', statusReason: null, updatedAt: NOW });
    expect(saga()?.status).toBe('Running');

    await deliverAll(deps, [paymentCompleted(2)]);
    expect(order()?.payment).toEqual({ method: 'card', last4: '4242', status: 'Captured', transactionId: 'txn-1' });
    expect(deps.publisher.published).toEqual([]);
  });

  it('writes no order for an event that changes nothing the order shows; a copy of a recorded event still brings it in line', async () => {
    const { deps, orders, order } = participant();
    await deliverAll(deps, [orderCreated(0)]);
    let orderUpdates = 0;
    const update = orders.update.bind(orders);
    orders.update = (orderId, change) => {
      orderUpdates += 1;
      return update(orderId, change);
    };

    await deliverAll(deps, [inventoryReserved(1)]);
    expect(orderUpdates).toBe(0);

    // As if the order write of the first delivery had been lost: its redelivery writes it.
    orders.byId.set(ORDER_ID, { ...(order() as StoredOrder), status: 'Pending' });
    await deliverAll(deps, [orderCreated(0)]);
    expect(orderUpdates).toBe(1);
    expect(order()?.status).toBe('Processing');
  });

  it('records a redelivered event once', async () => {
    const { deps, saga } = participant();
    await deliverAll(deps, [orderCreated(0), orderCreated(0)]);
    expect(deps.sagas.writes).toBe(1);
    expect(saga()?.choreography?.events).toHaveLength(1);
  });

  it('changes nothing for an event that arrives after the saga ended', async () => {
    const { deps, order, saga } = participant();
    await deliverAll(deps, SAGA_PATHS.completed ?? []);
    const [finalSaga, finalOrder, writes] = [saga(), order(), deps.sagas.writes];

    await deliverAll(deps, [sagaEvent('PaymentFailed', 9, { reason: 'late', attempts: 1 }), orderCreated(0)]);
    expect(deps.sagas.writes).toBe(writes);
    expect(saga()).toEqual(finalSaga);
    expect(order()).toEqual(finalOrder);
    expect(new Set(deps.publisher.published.map((event) => event.id)).size).toBe(1);
  });

  it('finishes the work of a delivery that failed half-way when the message comes back', async () => {
    const { deps, orders, pauses, order } = participant();
    await deliverAll(deps, (SAGA_PATHS.completed ?? []).slice(0, 3));
    orders.faults.next(1);
    const last = (SAGA_PATHS.completed ?? [])[3] as AnySagaEvent;
    const first = deliveryOf(last, 1);
    await expect(handleOrderEvent(deps, first)).rejects.toThrow('Cosmos DB is unavailable');
    expect(pauses).toEqual([500]);
    expect(first.log.lines.some((line) => line.level === 'warn' && line.message.includes('OrderFulfilled'))).toBe(true);
    expect(order()?.status).toBe('Processing');

    await handleOrderEvent(deps, deliveryOf(last, 2));
    expect(order()?.status).toBe('Completed');
    expect(deps.publisher.types()).toEqual(['OrderCompleted']);
  });

  it('completes the order when the order-events copy of OrderCreated was lost, and ignores it if it comes late', async () => {
    const { deps, order, saga } = participant();
    await deliverAll(deps, withoutOrderCreated(SAGA_PATHS.completed ?? []));
    expect(order()).toMatchObject({ status: 'Completed', payment: { status: 'Captured' } });
    expect(saga()?.status).toBe('Completed');
    expect(deps.publisher.types()).toEqual(['OrderCompleted']);

    const [finalSaga, writes] = [saga(), deps.sagas.writes];
    await deliverAll(deps, [orderCreated(0)]);
    expect(deps.sagas.writes).toBe(writes);
    expect(saga()).toEqual(finalSaga);
  });

  it('never moves a final order back', async () => {
    const { deps, orders, order } = participant();
    orders.byId.set(ORDER_ID, aStoredOrder({ id: ORDER_ID, sagaStyle: 'choreography', status: 'Cancelled', statusReason: 'x' }));
    await deliverAll(deps, [orderCreated(0)]);
    expect(order()).toMatchObject({ status: 'Cancelled', statusReason: 'x' });
  });

  it('rejects events of an orchestrated order', async () => {
    const { deps, saga } = participant();
    const orchestrated = sagaEvent('OrderCreated', 0, {
      customerId: 'c',
      sagaStyle: 'orchestration',
      items: [{ productId: 'dog-leash', quantity: 1 }],
      totalAmount: 15,
      currency: 'USD',
    });
    await expect(handleOrderEvent(deps, deliveryOf(orchestrated))).rejects.toThrow(UnprocessableMessage);
    expect(saga()).toBeUndefined();

    deps.sagas.byId.set(ORDER_ID, startSaga({ orderId: ORDER_ID, sagaStyle: 'orchestration', instanceId: ORDER_ID, now: NOW }));
    await expect(handleOrderEvent(deps, deliveryOf(paymentCompleted(2)))).rejects.toThrow('runs as orchestration');
    expect(deps.sagas.byId.get(ORDER_ID)?.sagaStyle).toBe('orchestration');
  });

  it('does not take the outcome events it publishes itself', async () => {
    const { deps } = participant();
    await expect(handleOrderEvent(deps, deliveryOf(sagaEvent('OrderCompleted', 9, {})))).rejects.toThrow(
      'not an event the order participant handles',
    );
  });
});
