import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../src/domain';
import type { RunningHost } from '../../src/local-host/host';
import type { SagaClient } from '../support/saga-client';
import { DECLINED_CARD, ISO_TIME, SHIPPING, afterReserving, orderRequest, startApp, stockOf, type Line } from './orders';

/*
 * The orchestrated saga through the app's HTTP API on the embedded host: the real functions, the Durable
 * engine replaying the real orchestrator, the in-process Service Bus broker and the in-memory Cosmos DB.
 */
const LINES: Line[] = [
  { productId: 'dog-food-5kg', quantity: 3 },
  { productId: 'hamster-wheel', quantity: 2 },
];
const PRODUCTS = ['dog-food-5kg', 'hamster-wheel', 'rare-parrot-perch', 'premium-aquarium'];

let host: RunningHost;
let client: SagaClient;

beforeAll(async () => {
  ({ host, client } = await startApp());
});

afterAll(async () => {
  await host?.stop();
});

describe('orchestrated saga on the embedded host', () => {
  it('completes an order: 202 + Location, every step succeeds once, stock held, payment captured, instance Completed', async () => {
    const before = await stockOf(client, PRODUCTS);
    const accepted = await client.postOrder(orderRequest(LINES));

    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/api/orders/${accepted.body.id}`);
    expect(accepted.body).toMatchObject({ status: 'Pending', sagaStyle: 'orchestration', payment: { status: 'Pending', last4: '4242' } });

    const order = await client.finalOrder(accepted.body.id);
    expect(order).toMatchObject({ id: accepted.body.id, status: 'Completed', statusReason: null, payment: { status: 'Captured' } });
    expect(order.payment.transactionId).toEqual(expect.any(String));
    expect(order.payment.transactionId).not.toBe('');

    const saga = await client.saga(order.id);
    expect(saga).toMatchObject({ orderId: order.id, sagaStyle: 'orchestration', instanceId: order.id, status: 'Completed', compensation: null });
    expect(saga.steps.map(({ name, status, attempts, error }) => ({ name, status, attempts, error }))).toEqual([
      { name: 'ReserveInventory', status: 'Succeeded', attempts: 1, error: null },
      { name: 'ProcessPayment', status: 'Succeeded', attempts: 1, error: null },
      { name: 'FulfillOrder', status: 'Succeeded', attempts: 1, error: null },
    ]);
    for (const step of saga.steps) {
      expect(step.startedAt).toMatch(ISO_TIME);
      expect(step.completedAt).toMatch(ISO_TIME);
      expect(Date.parse(step.completedAt as string)).toBeGreaterThanOrEqual(Date.parse(step.startedAt as string));
    }
    const [reserve, pay, fulfil] = saga.steps.map((step) => Date.parse(step.startedAt as string));
    expect(reserve).toBeLessThanOrEqual(pay as number);
    expect(pay).toBeLessThanOrEqual(fulfil as number);

    expect(await stockOf(client, PRODUCTS)).toEqual(afterReserving(before, LINES));

    const instance = await client.durableInstance(order.id);
    expect(instance).toMatchObject({ instanceId: order.id, name: 'orderSagaOrchestrator', runtimeStatus: 'Completed', output: 'Completed' });
  });

  it.each([
    {
      cause: 'simulateFailure inventory',
      failedStep: 'ReserveInventory',
      request: orderRequest(LINES, { simulateFailure: 'inventory' }),
      reason: /simulated inventory failure/i,
      compensations: [['ReleaseInventory', 'NothingToCompensate']],
      payment: 'Pending',
    },
    {
      cause: 'out of stock (rare-parrot-perch has 0 units), all or nothing',
      failedStep: 'ReserveInventory',
      request: orderRequest([...LINES, { productId: 'rare-parrot-perch', quantity: 1 }]),
      reason: /insufficient stock for product rare-parrot-perch/i,
      compensations: [['ReleaseInventory', 'NothingToCompensate']],
      payment: 'Pending',
    },
    {
      cause: 'simulateFailure payment',
      failedStep: 'ProcessPayment',
      request: orderRequest(LINES, { simulateFailure: 'payment' }),
      reason: /simulated payment failure/i,
      compensations: [['RefundPayment', 'NothingToCompensate'], ['ReleaseInventory', 'Compensated']],
      payment: 'Declined',
    },
    {
      cause: 'declined card 4000000000000002',
      failedStep: 'ProcessPayment',
      request: orderRequest(LINES, { payment: DECLINED_CARD }),
      reason: /declined/i,
      compensations: [['RefundPayment', 'NothingToCompensate'], ['ReleaseInventory', 'Compensated']],
      payment: 'Declined',
    },
    {
      cause: 'total over 10,000 (3 premium aquariums)',
      failedStep: 'ProcessPayment',
      request: orderRequest([{ productId: 'premium-aquarium', quantity: 3 }]),
      reason: /10,?000|limit/i,
      compensations: [['RefundPayment', 'NothingToCompensate'], ['ReleaseInventory', 'Compensated']],
      payment: 'Declined',
    },
    {
      cause: 'simulateFailure fulfillment',
      failedStep: 'FulfillOrder',
      request: orderRequest(LINES, { simulateFailure: 'fulfillment' }),
      reason: /simulated fulfil+ment failure/i,
      compensations: [['CancelFulfillment', 'NothingToCompensate'], ['RefundPayment', 'Compensated'], ['ReleaseInventory', 'Compensated']],
      payment: 'Refunded',
    },
    {
      cause: 'unsupported country AQ',
      failedStep: 'FulfillOrder',
      request: orderRequest(LINES, { shippingAddress: { ...SHIPPING, country: 'AQ' } }),
      reason: /AQ/,
      compensations: [['CancelFulfillment', 'NothingToCompensate'], ['RefundPayment', 'Compensated'], ['ReleaseInventory', 'Compensated']],
      payment: 'Refunded',
    },
  ])('cancels an order failing at $failedStep ($cause): compensations in contract order, stock and payment restored', async ({ failedStep, request, reason, compensations, payment }) => {
    const before = await stockOf(client, PRODUCTS);
    const accepted = await client.placeOrder(request);

    const order = await client.finalOrder(accepted.id);
    expect(order.status).toBe('Cancelled');
    expect(order.statusReason).toMatch(reason);
    expect(order.payment.status).toBe(payment);

    const saga = await client.saga(order.id);
    expect(saga).toMatchObject({ sagaStyle: 'orchestration', instanceId: order.id, status: 'Compensated' });
    expect(saga.compensation).toMatchObject({ failedStep, reason: expect.stringMatching(reason) });
    expect(saga.compensation?.startedAt).toMatch(ISO_TIME);
    expect(saga.compensation?.completedAt).toMatch(ISO_TIME);

    const failedIndex = saga.steps.findIndex((step) => step.name === failedStep);
    expect(saga.steps.map((step) => step.name)).toEqual(['ReserveInventory', 'ProcessPayment', 'FulfillOrder']);
    expect(saga.steps[failedIndex]).toMatchObject({ status: 'Failed', attempts: 1, error: expect.stringMatching(reason) });
    expect(saga.steps[failedIndex]?.completedAt).toMatch(ISO_TIME);
    for (const step of saga.steps.slice(0, failedIndex)) expect(step).toMatchObject({ status: 'Succeeded', attempts: 1 });
    for (const step of saga.steps.slice(failedIndex + 1)) expect(step).toMatchObject({ status: 'Pending', completedAt: null });

    const steps = saga.compensation?.steps ?? [];
    expect(steps.map((step) => [step.name, step.status])).toEqual(compensations);
    for (const step of steps) expect(step).toMatchObject({ attempts: 1, error: null, completedAt: expect.stringMatching(ISO_TIME) });
    const finishedAt = steps.map((step) => Date.parse(step.completedAt ?? ''));
    expect(finishedAt).toEqual([...finishedAt].sort((a, b) => a - b));

    expect(await stockOf(client, PRODUCTS)).toEqual(before);
    expect(await client.durableInstance(order.id)).toMatchObject({ runtimeStatus: 'Completed' });
  });

  it('fails an order whose refund cannot complete: RefundPayment retried 5 times, the other compensations still run', async () => {
    const before = await stockOf(client, PRODUCTS);
    const accepted = await client.placeOrder(orderRequest(LINES, { simulateFailure: 'refund' }));

    const order = await client.finalOrder(accepted.id, 45_000);
    expect(order.status).toBe('Failed');
    expect(order.statusReason).toMatch(/RefundPayment/);
    expect(order.payment.status).toBe('Captured');

    const saga = await client.saga(order.id);
    expect(saga.status).toBe('CompensationFailed');
    expect(saga.compensation?.failedStep).toBe('FulfillOrder');
    expect(saga.compensation?.steps.map(({ name, status, attempts }) => ({ name, status, attempts }))).toEqual([
      { name: 'CancelFulfillment', status: 'NothingToCompensate', attempts: 1 },
      { name: 'RefundPayment', status: 'Failed', attempts: 5 },
      { name: 'ReleaseInventory', status: 'Compensated', attempts: 1 },
    ]);
    const refund = saga.compensation?.steps[1];
    expect(refund?.error).toEqual(expect.any(String));
    expect(refund?.completedAt).toMatch(ISO_TIME);

    expect(await stockOf(client, PRODUCTS)).toEqual(before);
  });

  describe('Idempotency-Key', () => {
    async function ordersOf(customerId: string): Promise<Order[]> {
      return (await client.get<{ items: Order[] }>(`/api/orders?customerId=${customerId}&limit=100`)).body.items;
    }

    it('answers the same key and body with the first order (202, then 200) and runs one saga', async () => {
      const customerId = 'cust-idempotent';
      const request = orderRequest(LINES, { customerId });
      const headers = { 'Idempotency-Key': `key-${Date.now()}` };
      const before = await stockOf(client, PRODUCTS);

      const first = await client.postOrder(request, headers);
      expect(first.status).toBe(202);
      const completed = await client.finalOrder(first.body.id);
      expect(completed.status).toBe('Completed');
      const instance = await client.durableInstance(first.body.id);

      const second = await client.postOrder(request, headers);
      expect(second.status).toBe(200);
      expect(second.headers.get('location')).toBe(`/api/orders/${first.body.id}`);
      expect(second.body).toMatchObject({ id: first.body.id, status: 'Completed' });

      const conflict = await client.postOrder({ ...request, items: [{ productId: 'dog-food-5kg', quantity: 1 }] }, headers);
      expect(conflict.status).toBe(409);

      await client.quiet(['orders']);
      expect((await ordersOf(customerId)).map((order) => order.id)).toEqual([first.body.id]);
      expect(await client.durableInstances(first.body.id)).toEqual([instance]);
      expect(await stockOf(client, PRODUCTS)).toEqual(afterReserving(before, LINES));
    });

    it('gives two concurrent requests with one key one order and one saga', async () => {
      const customerId = 'cust-idempotent-race';
      const request = orderRequest(LINES, { customerId });
      const headers = { 'Idempotency-Key': `race-${Date.now()}` };
      const before = await stockOf(client, PRODUCTS);

      const answers = await Promise.all([client.postOrder(request, headers), client.postOrder(request, headers)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 202]);
      const [orderId] = new Set(answers.map((answer) => answer.body.id));
      expect(answers.every((answer) => answer.body.id === orderId)).toBe(true);

      expect((await client.finalOrder(orderId as string)).status).toBe('Completed');
      await client.quiet(['orders']);
      expect((await ordersOf(customerId)).map((order) => order.id)).toEqual([orderId]);
      expect(await client.durableInstances(orderId as string)).toHaveLength(1);
      expect(await stockOf(client, PRODUCTS)).toEqual(afterReserving(before, LINES));
    });
  });
});
