import { expect } from 'vitest';
import type { Order, OrderSaga, Product, SagaStyle } from '../../src/domain';
import type { SagaClient } from '../support/saga-client';
import { orderRequest } from './orders';

export const RACED_PRODUCT = 'premium-aquarium';
export const RACED_STOCK = 10;
export const RACERS = 50;

interface StockSample {
  status: number;
  available: number;
  reserved: number;
}

/** Reads the product over and over until `stop` resolves, so a moment of negative or lost stock is seen. */
async function sampleStock(client: SagaClient, stop: Promise<unknown>): Promise<StockSample[]> {
  const samples: StockSample[] = [];
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  while (!done) {
    const { status, body } = await client.get<Product>(`/api/products/${RACED_PRODUCT}`);
    samples.push({ status, available: body.available, reserved: body.reserved });
  }
  return samples;
}

/**
 * Posts RACERS one-unit orders for the product that has RACED_STOCK units, all at once, and checks that
 * exactly RACED_STOCK of them complete and every other one is cancelled at ReserveInventory.
 */
export async function raceForTheLastUnits(client: SagaClient, sagaStyle: SagaStyle): Promise<void> {
  expect(await client.product(RACED_PRODUCT)).toMatchObject({ available: RACED_STOCK, reserved: 0 });

  const posting = Promise.all(
    Array.from({ length: RACERS }, (_, index) =>
      client.placeOrder(orderRequest([{ productId: RACED_PRODUCT, quantity: 1 }], { customerId: `racer-${index}`, sagaStyle })),
    ),
  );
  const finishing = posting.then((accepted) => Promise.all(accepted.map((order) => client.finalOrder(order.id, 45_000))));
  const [accepted, orders, samples] = await Promise.all([posting, finishing, sampleStock(client, finishing.catch(() => undefined))]);

  expect(new Set(accepted.map((order) => order.id)).size).toBe(RACERS);
  expect(accepted.every((order) => order.status === 'Pending' && order.sagaStyle === sagaStyle)).toBe(true);

  const byStatus = (status: Order['status']) => orders.filter((order) => order.status === status);
  expect(orders.map((order) => order.status).sort()).toEqual([
    ...Array<string>(RACERS - RACED_STOCK).fill('Cancelled'),
    ...Array<string>(RACED_STOCK).fill('Completed'),
  ]);
  for (const order of byStatus('Cancelled')) {
    expect(order.statusReason).toMatch(new RegExp(`Insufficient stock for product ${RACED_PRODUCT}`));
    expect(order.payment.status).toBe('Pending');
  }
  for (const order of byStatus('Completed')) expect(order.payment.status).toBe('Captured');

  const sagas = await Promise.all(orders.map((order) => client.saga(order.id)));
  const outcome = (saga: OrderSaga) =>
    saga.status === 'Completed'
      ? 'Completed'
      : `${saga.status} at ${saga.compensation?.failedStep}: ${saga.compensation?.steps.map((step) => `${step.name}:${step.status}`).join(',')}`;
  const tally = new Map<string, number>();
  for (const saga of sagas) tally.set(outcome(saga), (tally.get(outcome(saga)) ?? 0) + 1);
  expect(Object.fromEntries(tally)).toEqual({
    Completed: RACED_STOCK,
    'Compensated at ReserveInventory: ReleaseInventory:NothingToCompensate': RACERS - RACED_STOCK,
  });
  for (const saga of sagas) expect(saga.sagaStyle).toBe(sagaStyle);

  expect(await client.product(RACED_PRODUCT)).toMatchObject({ available: 0, reserved: RACED_STOCK });
  expect(samples.length).toBeGreaterThan(0);
  for (const sample of samples) {
    expect(sample.status).toBe(200);
    expect(sample.available).toBeGreaterThanOrEqual(0);
    expect(sample.available + sample.reserved).toBe(RACED_STOCK);
  }
}
