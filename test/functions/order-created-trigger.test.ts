import type { DurableOrchestrationStatus } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { startSaga, toSagaOrder, type OrderSaga, type StoredOrder } from '../../src/domain';
import { orderCreatedHandler, UnprocessableMessage } from '../../src/functions/order-created-trigger';
import type { SagaStarterClient } from '../../src/orchestration/saga-starter';
import { orderCreatedEvent } from '../../src/services/order-service';
import { captureLogs, invocationContext } from './support/http';

const order: StoredOrder = {
  id: 'ord-1',
  customerId: 'cust-1',
  sagaStyle: 'orchestration',
  items: [{ productId: 'dog-leash', productName: 'Dog leash', quantity: 1, unitPrice: 15 }],
  totalAmount: 15,
  currency: 'USD',
  payment: { method: 'card', last4: '4242', status: 'Pending', transactionId: null },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
  status: 'Pending',
  statusReason: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  paymentReference: 'pmr-1',
  simulateFailure: null,
  idempotencyKeyHash: null,
  requestHash: 'hash',
};

class FakeDurableClient implements SagaStarterClient {
  readonly started: Array<{ name: string; instanceId?: string; input?: unknown }> = [];
  /** Instance id → runtime status. */
  readonly existing = new Map<string, string>();
  startError: Error | null = null;
  statusError: Error | null = null;
  statusCalls = 0;

  async getStatus(instanceId: string): Promise<DurableOrchestrationStatus> {
    this.statusCalls += 1;
    if (this.statusError) throw this.statusError;
    const runtimeStatus = this.existing.get(instanceId);
    if (runtimeStatus === undefined) {
      throw new Error(`DurableClient error: Durable Functions extension replied with HTTP 404 response. ${instanceId}`);
    }
    return { instanceId, runtimeStatus } as unknown as DurableOrchestrationStatus;
  }

  /** As the extension answers: 409 over a live instance; a finished one is replaced. */
  async startNew(name: string, options?: { instanceId?: string; input?: unknown }): Promise<string> {
    if (this.startError) throw this.startError;
    if (['Running', 'Pending', 'Suspended'].includes(this.existing.get(options?.instanceId ?? '') ?? '')) {
      throw new Error('The operation failed with an unexpected status code: 409. Details: "An instance already exists"');
    }
    this.started.push({ name, ...options });
    return options?.instanceId ?? 'generated';
  }
}

function setup(stored: StoredOrder | null = order, options: { saga?: OrderSaga; deliveryCount?: number } = {}) {
  const client = new FakeDurableClient();
  const logs = captureLogs();
  const pauses: number[] = [];
  const handler = orderCreatedHandler(
    async () => ({
      repositories: {
        orders: { get: async (id: string) => (stored && stored.id === id ? stored : null) },
        sagas: { get: async (id: string) => (options.saga?.orderId === id ? options.saga : null) },
      },
    }),
    () => client,
    async (ms) => {
      pauses.push(ms);
    },
  );
  const context = invocationContext('orderCreatedTrigger', logs);
  context.triggerMetadata = { messageId: 'msg-7', deliveryCount: options.deliveryCount ?? 1 };
  return { client, logs, pauses, run: (message: unknown) => handler(message, context) };
}

const sagaOrder = (overrides: Partial<StoredOrder> = {}) => toSagaOrder({ ...order, ...overrides }, 'ord-1');

describe('orderCreatedTrigger', () => {
  it('starts the orchestration under the order id with the saga order as input', async () => {
    const { client, run } = setup();
    await run(orderCreatedEvent(order));
    expect(client.started).toEqual([{ name: 'orderSagaOrchestrator', instanceId: 'ord-1', input: { version: 3, order: sagaOrder() } }]);
  });

  it('reads a body that arrives as bytes or text', async () => {
    const bytes = setup();
    await bytes.run(Buffer.from(JSON.stringify(orderCreatedEvent(order))));
    const text = setup();
    await text.run(JSON.stringify(orderCreatedEvent(order)));
    expect(bytes.client.started).toHaveLength(1);
    expect(text.client.started).toHaveLength(1);
  });

  it('starts the saga of a Pending order with no instance yet', async () => {
    const { client, run } = setup();
    await run(orderCreatedEvent(order));
    expect(client.statusCalls).toBe(1);
    expect(client.started).toHaveLength(1);
  });

  it('leaves a Completed instance alone even when the order it read still said Pending (a copy racing the first run)', async () => {
    const { client, run } = setup();
    client.existing.set('ord-1', 'Completed');
    await run(orderCreatedEvent(order));
    expect(client.started).toEqual([]);
  });

  it.each(['Running', 'Pending', 'Suspended'])('does nothing for a Pending order whose instance is %s (a redelivery): the start is refused', async (status) => {
    const { client, logs, run } = setup();
    client.existing.set('ord-1', status);
    await run(orderCreatedEvent(order));
    expect(client.started).toEqual([]);
    expect(logs.text()).toContain('already started');
  });

  it.each(['Running', 'Pending', 'Suspended', 'Completed'])(
    'does nothing when the saga is under way and its instance is %s (a redelivery)',
    async (status) => {
      const { client, run } = setup({ ...order, status: 'Processing' });
      client.existing.set('ord-1', status);
      await run(orderCreatedEvent(order));
      expect(client.statusCalls).toBe(1);
      expect(client.started).toEqual([]);
    },
  );

  it.each(['Failed', 'Terminated'])(
    'restarts an instance that ended %s while the order is not final, continuing from the saga record',
    async (status) => {
      const processing = { ...order, status: 'Processing' as const };
      const saga = startSaga({ orderId: 'ord-1', sagaStyle: 'orchestration', instanceId: 'ord-1', now: '2025-01-01T00:00:01.000Z' });
      const { client, logs, run } = setup(processing, { saga });
      client.existing.set('ord-1', status);
      await run(orderCreatedEvent(order));
      expect(client.started).toEqual([
        {
          name: 'orderSagaOrchestrator',
          instanceId: 'ord-1',
          input: { version: 3, order: sagaOrder({ status: 'Processing' }), continueFrom: { saga, payment: null } },
        },
      ]);
      expect(logs.text()).toContain('restarted');
    },
  );

  it('backs off before handing a fault back, longer on each delivery, and not on the last one', async () => {
    const pausesByDelivery: number[][] = [];
    for (const deliveryCount of [1, 2, 3, 4, 5]) {
      const { client, pauses, run } = setup(order, { deliveryCount });
      client.startError = new Error('connect ECONNREFUSED 127.0.0.1:17071');
      await expect(run(orderCreatedEvent(order))).rejects.toThrow('ECONNREFUSED');
      pausesByDelivery.push(pauses);
    }
    expect(pausesByDelivery).toEqual([[1_000], [2_000], [4_000], [8_000], [0]]);
  });

  it('hands back a poison message at once, without backing off', async () => {
    const { pauses, run } = setup();
    await expect(run({ hello: 'world' })).rejects.toBeInstanceOf(UnprocessableMessage);
    expect(pauses).toEqual([]);
  });

  it('treats a start refused because the instance exists as already started', async () => {
    const { client, logs, run } = setup();
    client.startError = new Error('The operation failed with an unexpected status code: 409. Details: "An instance already exists"');
    await expect(run(orderCreatedEvent(order))).resolves.toBeUndefined();
    expect(logs.text()).toContain('already started');
  });

  it('lets other faults through so the message is retried', async () => {
    const starting = setup();
    starting.client.startError = new Error('The operation failed with an unexpected status code: 500. Details: ""');
    await expect(starting.run(orderCreatedEvent(order))).rejects.toThrow('500');

    const checking = setup({ ...order, status: 'Processing' });
    checking.client.statusError = new Error('connect ECONNREFUSED 127.0.0.1:17071');
    await expect(checking.run(orderCreatedEvent(order))).rejects.toThrow('ECONNREFUSED');
    expect(checking.client.started).toEqual([]);
  });

  it('completes without starting anything when the order does not exist', async () => {
    const { client, logs, run } = setup(null);
    await run(orderCreatedEvent(order));
    expect(client.started).toEqual([]);
    expect(logs.text()).toContain('does not exist');
  });

  it('leaves a finished order alone', async () => {
    const { client, run } = setup({ ...order, status: 'Completed' });
    await run(orderCreatedEvent(order));
    expect(client.started).toEqual([]);
  });

  it('completes a choreography OrderCreated without starting an orchestration', async () => {
    const { client, run } = setup({ ...order, sagaStyle: 'choreography' });
    await run(orderCreatedEvent({ ...order, sagaStyle: 'choreography' }));
    expect(client.started).toEqual([]);
  });

  it.each([
    ['not JSON at all', 'not JSON at all'],
    ['an object that is not an event', { hello: 'world' }],
    ['an OrderCreated with invalid data', { ...orderCreatedEvent(order), data: { items: [] } }],
    ['another event type', { ...orderCreatedEvent(order), type: 'OrderCompleted', data: {} }],
  ])('throws (to dead-letter after MaxDeliveryCount) for %s, logging why with the messageId', async (_label, body) => {
    const { client, logs, run } = setup();
    const failure = run(body);
    await expect(failure).rejects.toBeInstanceOf(UnprocessableMessage);
    await expect(failure).rejects.toThrow(/Message msg-7 on queue orders cannot be processed: /);
    expect(logs.text()).toMatch(/^error: Message msg-7/m);
    expect(client.started).toEqual([]);
  });
});
