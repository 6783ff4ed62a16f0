import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeOutcome } from '../../src/choreography/resume-saga';
import {
  finishSaga,
  recordCompensation,
  recordStepFailed,
  recordStepSucceeded,
  startSaga,
  toSagaOrder,
  type OrderSaga,
  type SagaStyle,
  type StoredOrder,
} from '../../src/domain';
import { resumeOrderSagaHandler } from '../../src/functions/resume-order-saga';
import { FakeDurableClient } from './support/fake-durable-client';
import { captureLogs, httpRequest, invocationContext, readResponse } from './support/http';
import { orderRequest } from './support/order-requests';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';

const T0 = '2025-01-01T00:00:00.000Z';
const NOW = new Date('2025-01-02T00:00:00.000Z');

let app: AppUnderTest;
beforeAll(async () => {
  app = await startAppUnderTest();
});
afterAll(async () => {
  await app?.close();
});

async function anOrder(sagaStyle: SagaStyle, change: Partial<StoredOrder>, saga?: (orderId: string) => OrderSaga): Promise<StoredOrder> {
  const placed = await app.services.orders.placeOrder(orderRequest({ sagaStyle }) as never, { correlationId: 'c' });
  if (placed.kind !== 'accepted') throw new Error(placed.kind);
  if (saga) await app.services.repositories.sagas.save(saga(placed.order.id));
  return app.services.repositories.orders.update(placed.order.id, (order) => ({ ...order, ...change }));
}

/** FulfillOrder failed, then RefundPayment failed on every attempt. */
function compensationFailed(orderId: string): OrderSaga {
  let saga = startSaga({ orderId, sagaStyle: 'orchestration', instanceId: orderId, now: T0 });
  saga = recordStepSucceeded(recordStepSucceeded(saga, 'ReserveInventory', T0), 'ProcessPayment', T0);
  saga = recordStepFailed(saga, 'FulfillOrder', 'Simulated fulfillment failure', T0);
  saga = recordCompensation(saga, { name: 'CancelFulfillment', status: 'Compensated', attempts: 1, error: null }, T0);
  saga = recordCompensation(saga, { name: 'RefundPayment', status: 'Failed', attempts: 5, error: 'Simulated refund failure' }, T0);
  saga = recordCompensation(saga, { name: 'ReleaseInventory', status: 'Compensated', attempts: 1, error: null }, T0);
  return finishSaga(saga, T0);
}

function call(client: FakeDurableClient, orderId: string, resumed: Array<[string, string]> = [], outcome?: ResumeOutcome) {
  const logs = captureLogs();
  const handler = resumeOrderSagaHandler(
    async () => app.services,
    () => client,
    async (_services, id, trigger) => {
      resumed.push([id, trigger]);
      return outcome ?? { action: 'refused', detail: 'nothing to re-drive' };
    },
    () => NOW,
  );
  const request = httpRequest({ method: 'POST', path: `/api/orders/${orderId}/saga/resume`, params: { id: orderId } });
  return handler(request, invocationContext('resumeOrderSaga', logs)).then(readResponse);
}

describe('POST /api/orders/{id}/saga/resume', () => {
  it('answers 404 for an unknown order', async () => {
    const response = await call(new FakeDurableClient(), 'ord-unknown');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it.each(['Failed', 'Terminated'])('restarts an orchestration whose instance ended %s (202)', async (status) => {
    const order = await anOrder('orchestration', { status: 'Processing' });
    const client = new FakeDurableClient();
    client.statuses.set(order.id, status);
    const response = await call(client, order.id);
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/api/orders/${order.id}/saga`);
    expect(response.json).toMatchObject({ orderId: order.id, action: 'restarted' });
    expect(client.started).toEqual([{ instanceId: order.id, input: { version: 3, order: toSagaOrder(order, order.id) } }]);
  });

  it('reopens a CompensationFailed saga and starts a run that retries the failed compensations (202)', async () => {
    const order = await anOrder(
      'orchestration',
      { status: 'Failed', statusReason: 'compensation failed', payment: { method: 'card', last4: '4242', status: 'Captured', transactionId: 'txn-7' } },
      compensationFailed,
    );
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Completed');
    const response = await call(client, order.id);

    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ action: 'compensations-resumed', detail: `Retrying RefundPayment for order ${order.id}.` });
    const saga = await app.services.repositories.sagas.get(order.id);
    expect(saga).toMatchObject({ status: 'Compensating', updatedAt: NOW.toISOString(), compensation: { completedAt: null } });
    const stored = await app.services.repositories.orders.get(order.id);
    expect(stored).toMatchObject({ status: 'Processing' });
    expect(stored?.statusReason).toContain('an operator resumed the compensations that failed (RefundPayment)');
    expect(client.started).toEqual([
      {
        instanceId: order.id,
        input: {
          version: 3,
          order: toSagaOrder(stored as StoredOrder, order.id),
          continueFrom: { saga, payment: { status: 'Captured', transactionId: 'txn-7' } },
        },
      },
    ]);
  });

  it('answers 409 while the saga runs', async () => {
    const order = await anOrder('orchestration', { status: 'Processing' });
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Running');
    const response = await call(client, order.id);
    expect(response.status).toBe(409);
    expect((response.json as { detail: string }).detail).toContain('is running');
    expect(client.started).toEqual([]);
  });

  it('answers 409 for a saga that finished without a failed compensation', async () => {
    const order = await anOrder('orchestration', { status: 'Completed' });
    const client = new FakeDurableClient();
    client.statuses.set(order.id, 'Completed');
    const response = await call(client, order.id);
    expect(response.status).toBe(409);
    expect((response.json as { detail: string }).detail).toContain('the order is Completed');
    expect(client.started).toEqual([]);
  });

  it('hands a choreographed saga to the choreography: 202 when it re-drove an event, 409 otherwise', async () => {
    const order = await anOrder('choreography', { status: 'Failed' });
    const resumed: Array<[string, string]> = [];
    const redriven = await call(new FakeDurableClient(), order.id, resumed, { action: 'redriven', detail: 'sent PaymentRefunded again' });
    expect(redriven.status).toBe(202);
    expect(redriven.json).toMatchObject({ action: 'redriven', detail: 'sent PaymentRefunded again' });
    const refused = await call(new FakeDurableClient(), order.id, resumed, { action: 'refused', detail: 'the saga is Completed' });
    expect(refused.status).toBe(409);
    expect(resumed).toEqual([
      [order.id, 'operator'],
      [order.id, 'operator'],
    ]);
  });
});
