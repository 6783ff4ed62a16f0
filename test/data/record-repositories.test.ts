import { describe, expect, it } from 'vitest';
import { ChoreographySagaDocumentSchema } from '../../src/choreography/saga-event-log';
import { createSagaDocumentRepository } from '../../src/data/saga-repository';
import { finishSaga, recordStepAttempt, recordStepSucceeded, type OrderSaga } from '../../src/domain';
import { RecordNotFound, type PaymentRecord, type ShipmentRecord } from '../../src/services/ports';
import { aSaga, uniqueId } from './builders';
import { useCosmosFixture } from './cosmos-fixture';

const cosmos = useCosmosFixture();

function aPayment(overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    orderId: uniqueId('ord'),
    amount: 10,
    currency: 'USD',
    status: 'Captured',
    transactionId: 'txn-1',
    reason: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

describe('order-keyed records (payments, shipments)', () => {
  it('creates a record once and returns the first one on a second attempt', async () => {
    const { payments } = cosmos.current.repositories;
    const first = aPayment();
    expect(await payments.createOnce(first)).toEqual({ created: true, record: first });
    const second = await payments.createOnce({ ...first, status: 'Declined', transactionId: null, reason: 'late' });
    expect(second).toEqual({ created: false, record: first });
    expect(await payments.get(first.orderId)).toEqual(first);
  });

  it('stores one record per order in the order partition, without Cosmos system properties', async () => {
    const { containers, repositories } = cosmos.current;
    const shipment: ShipmentRecord = {
      orderId: uniqueId('ord'),
      status: 'Shipped',
      trackingNumber: 'TRK1',
      country: 'US',
      createdAt: '2025-01-01T00:00:00.000Z',
      updatedAt: '2025-01-01T00:00:00.000Z',
    };
    await repositories.shipments.createOnce(shipment);
    const { resource } = await containers.shipments.item(shipment.orderId, shipment.orderId).read<ShipmentRecord & { id: string }>();
    expect(resource?.id).toBe(shipment.orderId);
    expect(await repositories.shipments.get(shipment.orderId)).toEqual(shipment);
  });

  it('updates conditionally and refuses to update what does not exist', async () => {
    const { payments } = cosmos.current.repositories;
    const payment = aPayment();
    await payments.createOnce(payment);
    const refunded = await payments.update(payment.orderId, (current) => ({ ...current, status: 'Refunded' }));
    expect(refunded).toEqual({ ...payment, status: 'Refunded' });
    expect(await payments.get(payment.orderId)).toEqual(refunded);
    expect(await payments.update(payment.orderId, () => null)).toEqual(refunded);
    await expect(payments.update('ord-missing', (current) => current)).rejects.toBeInstanceOf(RecordNotFound);
    expect(await payments.get('ord-missing')).toBeNull();
  });
});

describe('saga records', () => {
  it('saves and reads the whole record; replaying the same snapshot changes nothing', async () => {
    const { sagas } = cosmos.current.repositories;
    const saga = aSaga(uniqueId('ord'));
    await sagas.save(saga);
    await sagas.save(saga);
    expect(await sagas.get(saga.orderId)).toEqual(saga);
    expect(await sagas.get('ord-missing')).toBeNull();
  });

  it('drops a snapshot older than the stored one', async () => {
    const { sagas } = cosmos.current.repositories;
    const started = aSaga(uniqueId('ord'), '2025-01-01T10:00:00.000Z');
    const later = recordStepAttempt(started, 'ReserveInventory', 1, '2025-01-01T10:00:05.000Z');
    await sagas.save(later);
    await sagas.save(started);
    expect(await sagas.get(started.orderId)).toEqual(later);
  });

  it('never moves a finished saga back to running', async () => {
    const { sagas } = cosmos.current.repositories;
    const started = aSaga(uniqueId('ord'), '2025-01-01T10:00:00.000Z');
    const finished = finishSaga(started, '2025-01-01T10:00:00.000Z');
    await sagas.save(finished);
    await sagas.save(recordStepAttempt(started, 'ReserveInventory', 1, '2025-01-01T10:00:00.000Z'));
    expect((await sagas.get(started.orderId))?.status).toBe('Completed');
  });

  it('creates on first update and loses no change when handlers race', async () => {
    const { sagas } = cosmos.current.repositories;
    const orderId = uniqueId('ord');
    const steps = ['ReserveInventory', 'ProcessPayment', 'FulfillOrder'] as const;
    await Promise.all(
      steps.map((step) =>
        sagas.update(orderId, (current: OrderSaga | null) =>
          recordStepSucceeded(current ?? aSaga(orderId), step, '2025-01-01T10:00:01.000Z'),
        ),
      ),
    );
    const saga = await sagas.get(orderId);
    expect(saga?.steps.map((step) => step.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('leaves a missing saga missing when the change declines', async () => {
    const { sagas } = cosmos.current.repositories;
    expect(await sagas.update('ord-none', () => null)).toBeNull();
    expect(await sagas.get('ord-none')).toBeNull();
  });

  it('keeps the fields a document schema adds, and the OrderSaga repository never hands them out', async () => {
    const { containers, repositories } = cosmos.current;
    const withLog = createSagaDocumentRepository(containers.sagas, ChoreographySagaDocumentSchema);
    const orderId = uniqueId('ord');
    const saga = aSaga(orderId);
    const choreography = { events: [{ id: 'evt-1' }] };
    await withLog.update(orderId, () => ({ ...saga, choreography }));
    const updated = await withLog.update(orderId, (current) => current && { ...current, updatedAt: '2025-01-01T10:00:05.000Z' });

    const expected = { ...saga, choreography, updatedAt: '2025-01-01T10:00:05.000Z' };
    expect(updated).toEqual(expected);
    expect(await withLog.get(orderId)).toEqual(expected);
    expect(await repositories.sagas.get(orderId)).toEqual({ ...saga, updatedAt: '2025-01-01T10:00:05.000Z' });
  });
});
