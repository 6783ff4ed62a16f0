import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, type AnySagaEvent, type EventData, type EventType } from '../../src/domain';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { CHOREOGRAPHY_QUEUES } from '../../src/messaging/queues';
import { captureLogs } from '../local-host/helpers';
import { ChoreographyClient as SagaClient } from '../support/saga-client';

/*
 * The choreography through the app's own API on the embedded host: the real functions, the in-process
 * Service Bus broker (peek-lock, delivery counts, dead-lettering) and the in-memory Cosmos DB.
 */
const LINES = [
  { productId: 'dog-leash', quantity: 2 },
  { productId: 'cat-food-2kg', quantity: 1 },
];
const SHIPPING = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

let host: RunningHost;
let client: SagaClient;
const logs = captureLogs();

beforeAll(async () => {
  host = await startHost({ appDir: path.resolve(__dirname, '../..'), port: 0, logSink: logs.sink });
  client = new SagaClient(host.url);
});

afterAll(async () => {
  await host?.stop();
});

function orderRequest(overrides: Record<string, unknown> = {}) {
  return {
    customerId: 'cust-choreo',
    items: LINES,
    payment: { method: 'card', cardNumber: '4242424242424242' },
    shippingAddress: SHIPPING,
    ...overrides,
  };
}

async function stock() {
  return Promise.all(LINES.map(async ({ productId }) => {
    const { available, reserved } = await client.product(productId);
    return { productId, available, reserved };
  }));
}

/** An event as a participant would have published it: ids depend only on order and type. */
function republished<T extends EventType>(type: T, orderId: string, data: EventData<T>): AnySagaEvent {
  return createEvent(type, { orderId, occurredAt: new Date().toISOString(), data }) as AnySagaEvent;
}

describe('choreography on the embedded host', () => {
  it('completes an order: every step succeeds, stock is held and the payment captured', async () => {
    const before = await stock();
    const accepted = await client.placeOrder(orderRequest());
    expect(accepted).toMatchObject({ status: 'Pending', sagaStyle: 'choreography' });

    const order = await client.finalOrder(accepted.id);
    expect(order).toMatchObject({ status: 'Completed', statusReason: null, payment: { status: 'Captured' } });
    expect(order.payment.transactionId).toEqual(expect.any(String));

    const saga = await client.saga(accepted.id);
    expect(saga).toMatchObject({ orderId: accepted.id, sagaStyle: 'choreography', instanceId: null, status: 'Completed', compensation: null });
    expect(saga.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'ReserveInventory:Succeeded:1',
      'ProcessPayment:Succeeded:1',
      'FulfillOrder:Succeeded:1',
    ]);
    expect(Object.keys(saga)).not.toContain('choreography');

    const after = await stock();
    expect(after).toEqual(
      before.map((line, index) => {
        const quantity = LINES[index]?.quantity ?? 0;
        return { ...line, available: line.available - quantity, reserved: line.reserved + quantity };
      }),
    );
  });

  it.each([
    ['ReserveInventory', { simulateFailure: 'inventory' }, ['ReleaseInventory'], 'Pending'],
    ['ProcessPayment', { simulateFailure: 'payment' }, ['RefundPayment', 'ReleaseInventory'], 'Declined'],
    ['ProcessPayment', { payment: { method: 'card', cardNumber: '4000000000000002' } }, ['RefundPayment', 'ReleaseInventory'], 'Declined'],
    ['FulfillOrder', { simulateFailure: 'fulfillment' }, ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory'], 'Refunded'],
    ['FulfillOrder', { shippingAddress: { ...SHIPPING, country: 'AQ' } }, ['CancelFulfillment', 'RefundPayment', 'ReleaseInventory'], 'Refunded'],
  ])('cancels an order failing at %s (%j): compensations in contract order, stock and payment restored', async (failedStep, overrides, plan, payment) => {
    const before = await stock();
    const accepted = await client.placeOrder(orderRequest(overrides));

    const order = await client.finalOrder(accepted.id);
    expect(order).toMatchObject({ status: 'Cancelled', payment: { status: payment } });
    const saga = await client.saga(accepted.id);
    expect(saga.status).toBe('Compensated');
    expect(saga.compensation).toMatchObject({ failedStep, reason: order.statusReason });
    expect(saga.steps.find((step) => step.name === failedStep)).toMatchObject({ status: 'Failed', error: order.statusReason });
    const compensations = saga.compensation?.steps ?? [];
    expect(compensations.map((step) => step.name)).toEqual(plan);
    expect(compensations.every((step) => step.status !== 'Failed')).toBe(true);
    const finishedAt = compensations.map((step) => Date.parse(step.completedAt ?? ''));
    expect(finishedAt).toEqual([...finishedAt].sort((a, b) => a - b));

    expect(await stock()).toEqual(before);
  });

  it('fails an order whose refund cannot complete: inventory is still released, the order needs an operator', async () => {
    const before = await stock();
    const accepted = await client.placeOrder(orderRequest({ simulateFailure: 'refund' }));

    const order = await client.finalOrder(accepted.id);
    expect(order.status).toBe('Failed');
    expect(order.statusReason).toMatch(/compensation failed for RefundPayment: needs an operator/);
    expect(order.payment.status).toBe('Captured');
    const saga = await client.saga(accepted.id);
    expect(saga.status).toBe('CompensationFailed');
    expect(saga.compensation?.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'CancelFulfillment:NothingToCompensate:1',
      'RefundPayment:Failed:5',
      'ReleaseInventory:Compensated:1',
    ]);
    expect(await stock()).toEqual(before);
  });

  it('changes nothing when events are delivered again', async () => {
    const completed = (await client.finalOrder((await client.placeOrder(orderRequest())).id)).id;
    const cancelled = (await client.finalOrder((await client.placeOrder(orderRequest({ simulateFailure: 'payment' }))).id)).id;
    const snapshot = async () => ({
      stock: await stock(),
      orders: await Promise.all([completed, cancelled].map((id) => client.order(id))),
      sagas: await Promise.all([completed, cancelled].map((id) => client.saga(id))),
    });
    const before = await snapshot();

    const compensated = { outcome: 'Compensated', attempts: 1, error: null } as const;
    const again: Array<[string, AnySagaEvent]> = [
      ['inventory-events', republished('OrderCreated', completed, { customerId: 'cust-choreo', sagaStyle: 'choreography', items: LINES, totalAmount: 42.5, currency: 'USD' })],
      ['payment-events', republished('InventoryReserved', completed, { items: LINES, attempts: 1 })],
      ['fulfillment-events', republished('PaymentCompleted', completed, { transactionId: 'txn', amount: 42.5, attempts: 1 })],
      ['order-events', republished('OrderFulfilled', completed, { trackingNumber: 'TRK', attempts: 1 })],
      ['payment-events', republished('PaymentFailed', cancelled, { reason: 'declined', attempts: 1 })],
      ['inventory-events', republished('PaymentRefunded', cancelled, compensated)],
      ['order-events', republished('InventoryReleased', cancelled, compensated)],
    ];
    for (const [queue, event] of again) await client.send(queue, event, `again-${event.id}`);
    await client.quiet(CHOREOGRAPHY_QUEUES);

    expect(await snapshot()).toEqual(before);
    // Each participant did handle its copy; what it announced again was dropped as a duplicate.
    for (const step of [`ReserveInventory of order ${completed}`, `FulfillOrder of order ${completed}`, `ReleaseInventory of order ${cancelled}`]) {
      expect(logs.lines.filter((line) => line.includes(step))).toHaveLength(2);
    }
  });

  it('dead-letters a poison event on order-events after MaxDeliveryCount, and later orders still complete', async () => {
    await client.send('order-events', '{"type": "InventoryReserved", "orderId": ', 'poison-unparsable');
    await client.send('order-events', JSON.stringify({ type: 'PaymentCompleted', id: 'x', orderId: 'o' }), 'poison-invalid');

    const accepted = await client.placeOrder(orderRequest());
    expect((await client.finalOrder(accepted.id)).status).toBe('Completed');

    await client.quiet(['order-events']);
    const deadLetters = await client.deadLetters('order-events');
    expect(deadLetters.map(({ messageId, deliveryCount, deadLetterReason }) => ({ messageId, deliveryCount, deadLetterReason }))).toEqual([
      { messageId: 'poison-unparsable', deliveryCount: 5, deadLetterReason: 'MaxDeliveryCountExceeded' },
      { messageId: 'poison-invalid', deliveryCount: 5, deadLetterReason: 'MaxDeliveryCountExceeded' },
    ]);
    expect(logs.text()).toMatch(/rejects message poison-unparsable .*Message body is not JSON/);
    expect(logs.text()).toMatch(/rejects message poison-invalid .*Invalid event envelope/);
  });
});
