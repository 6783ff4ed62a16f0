import { describe, expect, it } from 'vitest';
import {
  DEMO_CATALOG,
  finishSaga,
  recordCompensation,
  recordStepFailed,
  recordStepSucceeded,
  type OrderSaga,
} from '../../src/domain';
import { foldChoreographySaga } from '../../src/domain/choreography-saga';
import { ensureDemoCatalog } from '../../src/services/catalog-service';
import { RecordNotFound } from '../../src/services/ports';
import { SagaRecordService } from '../../src/services/saga-record-service';
import { ORDER_ID, SAGA_PATHS, at, orderCreated } from '../choreography/saga-events';
import { aSaga, aStoredOrder } from '../data/builders';
import { useCosmosFixture } from '../data/cosmos-fixture';
import { ManualClock } from './fakes';

const cosmos = useCosmosFixture();

async function setUp() {
  const { orders, sagas } = cosmos.current.repositories;
  const clock = new ManualClock(new Date('2025-04-01T09:00:00.000Z'));
  const order = aStoredOrder();
  await orders.create(order);
  return { service: new SagaRecordService({ sagas, orders, clock }), order, orders, clock };
}

describe('SagaRecordService', () => {
  it('writes the saga record and moves the order to Processing', async () => {
    const { service, order, orders } = await setUp();
    const saga = aSaga(order.id);
    await service.save(saga);
    expect(await service.get(order.id)).toEqual(saga);
    expect(await orders.get(order.id)).toMatchObject({
      status: 'Processing',
      statusReason: null,
      updatedAt: '2025-04-01T09:00:00.000Z',
      payment: { status: 'Pending', transactionId: null },
    });
  });

  it('copies payment progress onto the order and completes it', async () => {
    const { service, order, orders } = await setUp();
    let saga: OrderSaga = aSaga(order.id);
    for (const step of ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'] as const) {
      saga = recordStepSucceeded(saga, step, '2025-04-01T09:00:01.000Z');
    }
    await service.save(finishSaga(saga, '2025-04-01T09:00:02.000Z'), { status: 'Captured', transactionId: 'txn-9' });
    expect(await orders.get(order.id)).toMatchObject({
      status: 'Completed',
      payment: { method: 'card', last4: '4242', status: 'Captured', transactionId: 'txn-9' },
    });
  });

  it('cancels the order with the failure reason when every compensation succeeded', async () => {
    const { service, order, orders } = await setUp();
    let saga = recordStepFailed(aSaga(order.id), 'ReserveInventory', 'Out of stock', '2025-04-01T09:00:01.000Z');
    saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'NothingToCompensate', attempts: 1, error: null }, '2025-04-01T09:00:02.000Z');
    await service.save(finishSaga(saga, '2025-04-01T09:00:03.000Z'));
    expect(await orders.get(order.id)).toMatchObject({ status: 'Cancelled', statusReason: 'Out of stock' });
  });

  it('fails the order, naming the compensation that needs an operator', async () => {
    const { service, order, orders } = await setUp();
    let saga = recordStepFailed(aSaga(order.id), 'FulfillOrder', 'Simulated fulfilment failure', '2025-04-01T09:00:01.000Z');
    saga = recordCompensation(saga, { name: 'RefundPayment', status: 'Failed', attempts: 5, error: 'boom' }, '2025-04-01T09:00:02.000Z');
    await service.save(finishSaga(saga, '2025-04-01T09:00:03.000Z'));
    const stored = await orders.get(order.id);
    expect(stored?.status).toBe('Failed');
    expect(stored?.statusReason).toContain('RefundPayment');
  });

  it('never moves an order out of a final status', async () => {
    const { service, order, orders, clock } = await setUp();
    const done = finishSaga(aSaga(order.id), '2025-04-01T09:00:05.000Z');
    await service.save(done, { status: 'Captured', transactionId: 'txn-1' });
    const completed = await orders.get(order.id);
    clock.advance(60);
    await service.save(aSaga(order.id, '2025-04-01T09:00:09.000Z'), { status: 'Refunded', transactionId: 'txn-1' });
    expect(await orders.get(order.id)).toEqual(completed);
  });

  it('does not touch the order when nothing it shows has changed', async () => {
    const { service, order, orders, clock } = await setUp();
    const saga = aSaga(order.id);
    await service.save(saga);
    const first = await orders.get(order.id);
    clock.advance(10);
    await service.save(recordStepSucceeded(saga, 'ReserveInventory', '2025-04-01T09:00:01.000Z'));
    expect(await orders.get(order.id)).toEqual(first);
  });

  it('answers null for a saga that has not started, and refuses a saga without an order', async () => {
    const { service } = await setUp();
    expect(await service.get('ord-not-started')).toBeNull();
    await expect(service.save(aSaga('ord-without-order'))).rejects.toBeInstanceOf(RecordNotFound);
  });
});

describe('SagaRecordService.applyToOrder', () => {
  function serviceAt(now: string) {
    const { orders, sagas } = cosmos.current.repositories;
    return { service: new SagaRecordService({ sagas, orders, clock: new ManualClock(new Date(now)) }), orders, sagas };
  }

  it('takes the status, reason and payment the saga implies, and leaves the saga record alone', async () => {
    const { service, orders, sagas } = serviceAt(at(99));
    const order = aStoredOrder({ id: ORDER_ID, status: 'Processing' });
    await orders.create(order);
    const saga = foldChoreographySaga(ORDER_ID, SAGA_PATHS['failed at FulfillOrder'] ?? []) as OrderSaga;
    await service.applyToOrder(saga, { status: 'Refunded', transactionId: 'txn-1' });
    expect(await orders.get(ORDER_ID)).toEqual({
      ...order,
      status: 'Cancelled',
      statusReason: 'Shipping to country "AQ" is not supported',
      payment: { ...order.payment, status: 'Refunded', transactionId: 'txn-1' },
      updatedAt: at(99),
    });
    expect(await sagas.get(ORDER_ID)).toBeNull();
  });

  it('leaves an order that already shows the saga, or that is final, as it is', async () => {
    const { service, orders } = serviceAt(at(99));
    const running = foldChoreographySaga(ORDER_ID, [orderCreated(0)]) as OrderSaga;
    for (const order of [aStoredOrder({ status: 'Processing' }), aStoredOrder({ status: 'Completed' })]) {
      await orders.create(order);
      await service.applyToOrder({ ...running, orderId: order.id });
      expect(await orders.get(order.id)).toEqual(order);
    }
  });
});

describe('ensureDemoCatalog', () => {
  it('creates the demo catalog once and leaves stock alone afterwards', async () => {
    const { products } = cosmos.current.repositories;
    const ids = DEMO_CATALOG.map((entry) => entry.id).sort();
    expect(await ensureDemoCatalog(products)).toEqual({ created: ids, existing: [] });
    await products.reserve('cat-tree', 'ord-x', 2);
    expect(await ensureDemoCatalog(products)).toEqual({ created: [], existing: ids });
    expect(await products.get('cat-tree')).toMatchObject({ available: 48, reserved: 2, price: 89.9, currency: 'USD' });
    expect(await products.get('rare-parrot-perch')).toMatchObject({ available: 0, reserved: 0 });
  });
});
