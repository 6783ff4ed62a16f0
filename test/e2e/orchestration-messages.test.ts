import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent, eventIdFor, type AnySagaEvent, type Order } from '../../src/domain';
import type { RunningHost } from '../../src/local-host/host';
import { ORDERS_QUEUE } from '../../src/messaging/queues';
import { captureLogs, waitFor } from '../local-host/helpers';
import type { SagaClient } from '../support/saga-client';
import { afterReserving, orderRequest, startApp, stockOf, type Line } from './orders';

/*
 * The `orders` queue of the orchestrated style, through the embedded broker's send and admin endpoints:
 * redelivered OrderCreated events, duplicate detection, and poison messages.
 */
const LINES: Line[] = [
  { productId: 'cat-tree', quantity: 2 },
  { productId: 'bird-cage', quantity: 1 },
];
const PRODUCTS = LINES.map((line) => line.productId);

let host: RunningHost;
let client: SagaClient;
const logs = captureLogs();

beforeAll(async () => {
  ({ host, client } = await startApp(logs.sink));
});

afterAll(async () => {
  await host?.stop();
});

/** The OrderCreated event of an order, as the app publishes it: the event id depends only on the order. */
function orderCreatedOf(order: Order): AnySagaEvent {
  return createEvent('OrderCreated', {
    orderId: order.id,
    correlationId: order.id,
    occurredAt: order.createdAt,
    data: {
      customerId: order.customerId,
      sagaStyle: 'orchestration',
      items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
      totalAmount: order.totalAmount,
      currency: order.currency,
    },
  }) as AnySagaEvent;
}

/** Log lines of the OrderCreated trigger about one delivered message. */
function handled(messageId: string): string[] {
  return logs.lines.filter((line) => line.includes(`messageId=${messageId}]`));
}

async function snapshot(orderId: string) {
  return {
    order: await client.order(orderId),
    saga: await client.saga(orderId),
    instances: await client.durableInstances(orderId),
    stock: await stockOf(client, PRODUCTS),
  };
}

describe('the orders queue on the embedded host', () => {
  it('starts one saga when OrderCreated of a completed order is delivered twice more, concurrently', async () => {
    const stockBefore = await stockOf(client, PRODUCTS);
    const accepted = await client.placeOrder(orderRequest(LINES));
    expect((await client.finalOrder(accepted.id)).status).toBe('Completed');
    await client.quiet([ORDERS_QUEUE]);
    const before = await snapshot(accepted.id);
    expect(before.instances).toHaveLength(1);
    expect(before.stock).not.toEqual(stockBefore);

    const event = orderCreatedOf(before.order);
    expect(event.id).toBe(eventIdFor(accepted.id, 'OrderCreated'));
    const copies = [`${event.id}-again-1`, `${event.id}-again-2`];
    const sent = await Promise.all(copies.map((messageId) => client.send(ORDERS_QUEUE, event, messageId, 'OrderCreated')));
    expect(sent.map((outcome) => outcome.duplicate)).toEqual([false, false]);

    await waitFor(() => copies.every((messageId) => handled(messageId).length === 1), 'both copies to be handled', 10_000, 20);
    await client.quiet([ORDERS_QUEUE]);
    expect(await client.entity(ORDERS_QUEUE)).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });

    const after = await snapshot(accepted.id);
    expect(after.instances).toHaveLength(1);
    expect(after.instances[0]?.createdTime).toBe(before.instances[0]?.createdTime);
    expect(after).toEqual(before);
  });

  it('starts one saga when copies of OrderCreated race the original delivery', async () => {
    const stockBefore = await stockOf(client, PRODUCTS);
    const accepted = await client.placeOrder(orderRequest(LINES));
    const event = orderCreatedOf(accepted);
    const copies = [`${event.id}-race-1`, `${event.id}-race-2`, `${event.id}-race-3`];
    await Promise.all(copies.map((messageId) => client.send(ORDERS_QUEUE, event, messageId, 'OrderCreated')));

    const order = await client.finalOrder(accepted.id);
    expect(order.status).toBe('Completed');
    await waitFor(() => [event.id, ...copies].every((messageId) => handled(messageId).length === 1), 'every delivery to be handled', 10_000, 20);
    await client.quiet([ORDERS_QUEUE]);
    expect(await client.entity(ORDERS_QUEUE)).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
    const started = [event.id, ...copies].flatMap(handled).filter((line) => line.includes('Saga orchestration started'));
    expect(started).toHaveLength(1);

    const instances = await client.durableInstances(accepted.id);
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({ instanceId: accepted.id, runtimeStatus: 'Completed' });
    const saga = await client.saga(accepted.id);
    expect(saga.status).toBe('Completed');
    expect(saga.steps.map((step) => `${step.name}:${step.status}:${step.attempts}`)).toEqual([
      'ReserveInventory:Succeeded:1',
      'ProcessPayment:Succeeded:1',
      'FulfillOrder:Succeeded:1',
    ]);
    expect(await stockOf(client, PRODUCTS)).toEqual(afterReserving(stockBefore, LINES));
  });

  it('drops OrderCreated sent again with the same messageId (duplicate detection)', async () => {
    const accepted = await client.placeOrder(orderRequest(LINES));
    const event = orderCreatedOf(accepted);
    expect((await client.finalOrder(accepted.id)).status).toBe('Completed');
    await client.quiet([ORDERS_QUEUE]);
    expect(handled(event.id)).toHaveLength(1);
    const before = await snapshot(accepted.id);

    const outcome = await client.send(ORDERS_QUEUE, event, event.id, 'OrderCreated');
    expect(outcome).toMatchObject({ messageId: event.id, duplicate: true });
    expect(outcome.sequenceNumber).toBeUndefined();
    expect(await client.activeMessages(ORDERS_QUEUE)).toEqual([]);

    // A marker sent after the copy is handled after it would have been, so waiting for it bounds the wait.
    const marker = `${event.id}-marker`;
    await client.send(ORDERS_QUEUE, event, marker, 'OrderCreated');
    await waitFor(() => handled(marker).length === 1, 'the marker to be handled', 10_000, 20);
    await client.quiet([ORDERS_QUEUE]);
    expect(handled(event.id)).toHaveLength(1);
    expect(await snapshot(accepted.id)).toEqual(before);
  });

  it('dead-letters poison messages after 5 deliveries with a reason, and later orders still complete', async () => {
    const deadBefore = (await client.entity(ORDERS_QUEUE)).deadLetter;
    await client.send(ORDERS_QUEUE, '{"type": "OrderCreated", "orderId": ', 'poison-unparsable');
    await client.send(ORDERS_QUEUE, JSON.stringify({ type: 'OrderCreated', orderId: 'ord-poison' }), 'poison-invalid');

    const accepted = await client.placeOrder(orderRequest(LINES));
    expect((await client.finalOrder(accepted.id)).status).toBe('Completed');

    const deadLetters = await waitFor(
      async () => {
        const messages = await client.deadLetters(ORDERS_QUEUE);
        return messages.length >= deadBefore + 2 ? messages : null;
      },
      'both poison messages to be dead-lettered',
      15_000,
      50,
    );
    await client.quiet([ORDERS_QUEUE]);
    expect(deadLetters.map(({ messageId, deliveryCount, deadLetterReason }) => ({ messageId, deliveryCount, deadLetterReason }))).toEqual([
      { messageId: 'poison-unparsable', deliveryCount: 5, deadLetterReason: 'MaxDeliveryCountExceeded' },
      { messageId: 'poison-invalid', deliveryCount: 5, deadLetterReason: 'MaxDeliveryCountExceeded' },
    ]);
    const [unparsable, invalid] = deadLetters;
    expect(unparsable?.body).toBe('{"type": "OrderCreated", "orderId": ');
    expect(unparsable?.deadLetterErrorDescription).toMatch(/poison-unparsable on queue orders cannot be processed: Invalid event envelope/);
    expect(invalid?.body).toEqual({ type: 'OrderCreated', orderId: 'ord-poison' });
    expect(invalid?.deadLetterErrorDescription).toMatch(/poison-invalid on queue orders cannot be processed: Invalid event envelope: .*occurredAt/);
    expect(await client.entity(ORDERS_QUEUE)).toMatchObject({ active: 0, locked: 0, deadLetter: deadBefore + 2 });

    const later = await client.placeOrder(orderRequest(LINES));
    expect((await client.finalOrder(later.id)).status).toBe('Completed');
  });
});
