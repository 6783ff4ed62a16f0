import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { connectCosmos, type Repositories } from '../../src/data';
import { createEvent, eventIdFor, type AnySagaEvent, type Order } from '../../src/domain';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { ORDERS_QUEUE } from '../../src/messaging/queues';
import { RETRY_POLICIES_V1 } from '../../src/orchestration/retry-policies';
import { PaymentService } from '../../src/services/payment-service';
import { OrderService } from '../../src/services/order-service';
import { systemClock, type EventPublisher } from '../../src/services/ports';
import { captureLogs, waitFor } from '../local-host/helpers';
import { SagaClient } from '../support/saga-client';
import { APP_DIR, orderRequest, stockOf, type Line } from './orders';

/*
 * The ways out of a stuck orchestrated saga, end to end on the embedded host with a sweeper every second
 * and short thresholds: an instance terminated mid-saga is restarted by the sweeper and continues its saga
 * record; a CompensationFailed saga is resumed by the operator action once its fault is gone; an order
 * whose OrderCreated went to the broker under its event id and never started a saga is republished under a
 * new message id, which duplicate detection lets through.
 */
const LINES: Line[] = [{ productId: 'cat-tree', quantity: 1 }];
const DURABLE = '/runtime/webhooks/durabletask/instances';

let host: RunningHost;
let client: SagaClient;
let repositories: Repositories;
/** The app's order service against the host's database, as a second app instance whose broker is silent. */
let silentOrders: OrderService;
const logs = captureLogs();

/** A broker that takes the message and never answers. */
const silentBroker: EventPublisher = { publish: () => new Promise<void>(() => undefined) };

beforeAll(async () => {
  host = await startHost({
    appDir: APP_DIR,
    port: 0,
    logSink: logs.sink,
    env: {
      SAGA_SWEEP_INTERVAL_SECONDS: '1',
      STUCK_SAGA_AFTER_SECONDS: '2',
      PENDING_ORDER_REPUBLISH_AFTER_SECONDS: '5',
      ORDER_PUBLISH_TIMEOUT_MS: '300',
    },
  });
  client = new SagaClient(host.url);
  // Not through app-services: that module registers with @azure/functions, which the host's app must load first.
  const config = loadConfig(process.env);
  ({ repositories } = await connectCosmos(config.cosmos));
  silentOrders = new OrderService({
    orders: repositories.orders,
    products: repositories.products,
    publisher: silentBroker,
    cards: new PaymentService({ payments: repositories.payments, paymentMethods: repositories.paymentMethods, clock: systemClock }),
    clock: systemClock,
    allowFailureSimulation: true,
    publishTimeoutMs: config.orderPublishTimeoutMs,
  });
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

async function post(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${host.url}${path}`, { method: 'POST' });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

async function runtimeStatus(orderId: string): Promise<string | undefined> {
  return (await client.durableInstance(orderId))?.runtimeStatus;
}

/** Removes the simulated refund fault from the stored order: the payment gateway is back. */
async function refundsWorkAgain(orderId: string): Promise<void> {
  await repositories.orders.update(orderId, (order) => ({ ...order, simulateFailure: null }));
}

describe('stuck orchestrated sagas on the embedded host', () => {
  it('restarts a terminated instance, which continues its saga record; the operator then resumes the failed refund', async () => {
    const stockBefore = await stockOf(client, ['cat-tree']);
    const accepted = await client.placeOrder(orderRequest(LINES, { simulateFailure: 'refund' }));
    const orderId = accepted.id;

    // FulfillOrder fails, then RefundPayment fails on every attempt: terminate while it retries.
    await waitFor(
      async () => ((await client.durableInstance(orderId))?.customStatus as { step?: string } | undefined)?.step === 'RefundPayment',
      'the saga to be retrying RefundPayment',
      20_000,
      20,
    );
    expect((await post(`${DURABLE}/${orderId}/terminate?reason=operator-test`)).status).toBe(202);
    await waitFor(async () => (await runtimeStatus(orderId)) === 'Terminated', 'the instance to be terminated', 5_000, 20);
    const cut = await client.saga(orderId);
    expect(cut.status).toBe('Compensating');
    expect((await client.order(orderId)).status).toBe('Processing');

    // The sweeper restarts it under the same id; the refund still fails, so it ends CompensationFailed.
    const failed = await client.finalOrder(orderId, 40_000);
    expect(failed.status).toBe('Failed');
    const afterRestart = await client.saga(orderId);
    expect(afterRestart.createdAt).toBe(cut.createdAt);
    expect(afterRestart.status).toBe('CompensationFailed');
    expect(afterRestart.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'ReserveInventory:Succeeded',
      'ProcessPayment:Succeeded',
      'FulfillOrder:Failed',
    ]);
    const refund = afterRestart.compensation?.steps.find((step) => step.name === 'RefundPayment');
    expect(refund?.status).toBe('Failed');
    // A compensation is recorded once it has finished, so the attempts cut short by the termination are not counted.
    expect(refund?.attempts).toBe(RETRY_POLICIES_V1.compensation.maxNumberOfAttempts);
    expect(logs.lines.some((line) => line.includes(`[orderId=${orderId} correlationId=${orderId}] Stuck orchestration saga: restarted`))).toBe(true);
    expect(await client.durableInstances(orderId)).toHaveLength(1);

    // Once the fault is gone, the operator action retries what failed and the order ends Cancelled.
    await refundsWorkAgain(orderId);
    const resumed = await post(`/api/orders/${orderId}/saga/resume`);
    expect(resumed).toMatchObject({ status: 202, body: { orderId, action: 'compensations-resumed' } });
    const cancelled = await client.finalOrder(orderId, 30_000);
    expect(cancelled).toMatchObject({ status: 'Cancelled', payment: { status: 'Refunded' } });
    const saga = await client.saga(orderId);
    expect(saga.status).toBe('Compensated');
    expect(saga.compensation?.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'CancelFulfillment:NothingToCompensate:1', // the simulated fulfilment failure shipped nothing
      `RefundPayment:Compensated:${RETRY_POLICIES_V1.compensation.maxNumberOfAttempts + 1}`,
      'ReleaseInventory:Compensated:1',
    ]);
    expect(await stockOf(client, ['cat-tree'])).toEqual(stockBefore);

    // Nothing left to resume.
    expect((await post(`/api/orders/${orderId}/saga/resume`)).status).toBe(409);
    expect((await post('/api/orders/ord-does-not-exist/saga/resume')).status).toBe(404);
  }, 120_000);

  it('answers 202 within the publish timeout when the broker never answers; the sweeper then carries the order', async () => {
    const started = performance.now();
    const placed = await silentOrders.placeOrder(
      { ...orderRequest(LINES), sagaStyle: 'orchestration' } as never,
      { correlationId: 'silent-broker' },
    );
    const elapsed = performance.now() - started;
    if (placed.kind !== 'accepted') throw new Error(placed.kind);
    expect(placed.published).toBe(false);
    expect(elapsed).toBeLessThan(3_000);
    const orderId = placed.order.id;

    // The first OrderCreated did reach the broker under its event id, and was dead-lettered there.
    const event = createEvent('OrderCreated', {
      orderId,
      correlationId: orderId,
      occurredAt: placed.order.createdAt,
      data: { customerId: 'x', sagaStyle: 'orchestration', items: [], totalAmount: 0, currency: 'USD' },
    }) as AnySagaEvent;
    expect(event.id).toBe(eventIdFor(orderId, 'OrderCreated'));
    const deadBefore = (await client.entity(ORDERS_QUEUE)).deadLetter;
    await client.send(ORDERS_QUEUE, '{"not": "an event"}', event.id, 'OrderCreated');
    await waitFor(async () => (await client.entity(ORDERS_QUEUE)).deadLetter > deadBefore, 'the first copy to be dead-lettered', 10_000, 20);
    expect((await client.order(orderId)).status).toBe('Pending');

    const completed: Order = await client.finalOrder(orderId, 30_000);
    expect(completed.status).toBe('Completed');
    expect(logs.lines.some((line) => /Republished OrderCreated for \d+ pending order\(s\) under new message ids/.test(line))).toBe(true);
  }, 60_000);
});
