import { createEvent, type AnySagaEvent, type CompensationStatus, type EventData, type EventType } from '../../src/domain';

export const ORDER_ID = 'order-choreo-1';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** The time `second` seconds into the test saga. */
export function at(second: number): string {
  return new Date(T0 + second * 1000).toISOString();
}

export function sagaEvent<T extends EventType>(type: T, second: number, data: EventData<T>, orderId = ORDER_ID): AnySagaEvent {
  return createEvent(type, { orderId, occurredAt: at(second), data }) as AnySagaEvent;
}

const compensated = (outcome: CompensationStatus, attempts = 1, error: string | null = null) => ({ outcome, attempts, error });

export const orderCreated = (second = 0) =>
  sagaEvent('OrderCreated', second, {
    customerId: 'cust-1',
    sagaStyle: 'choreography',
    items: [{ productId: 'dog-leash', quantity: 2 }],
    totalAmount: 30,
    currency: 'USD',
  });
export const inventoryReserved = (second: number, attempts = 1) =>
  sagaEvent('InventoryReserved', second, { items: [{ productId: 'dog-leash', quantity: 2 }], attempts });
export const inventoryReservationFailed = (second: number, reason = 'Out of stock') =>
  sagaEvent('InventoryReservationFailed', second, { reason, attempts: 1 });
export const paymentCompleted = (second: number, attempts = 1) =>
  sagaEvent('PaymentCompleted', second, { transactionId: 'txn-1', amount: 30, attempts });
export const paymentFailed = (second: number, reason = 'Card declined by the issuer') =>
  sagaEvent('PaymentFailed', second, { reason, attempts: 1 });
export const orderFulfilled = (second: number, attempts = 1) =>
  sagaEvent('OrderFulfilled', second, { trackingNumber: 'TRK-1', attempts });
export const fulfillmentFailed = (second: number, reason = 'Shipping to country "AQ" is not supported') =>
  sagaEvent('FulfillmentFailed', second, { reason, attempts: 1 });
export const fulfillmentCancelled = (second: number, outcome: CompensationStatus = 'NothingToCompensate', attempts = 1, error: string | null = null) =>
  sagaEvent('FulfillmentCancelled', second, compensated(outcome, attempts, error));
export const paymentRefunded = (second: number, outcome: CompensationStatus = 'Compensated', attempts = 1, error: string | null = null) =>
  sagaEvent('PaymentRefunded', second, compensated(outcome, attempts, error));
export const inventoryReleased = (second: number, outcome: CompensationStatus = 'Compensated', attempts = 1, error: string | null = null) =>
  sagaEvent('InventoryReleased', second, compensated(outcome, attempts, error));

/** Every way the saga can run, as the events the order participant records, in causal order. */
export const SAGA_PATHS: Record<string, AnySagaEvent[]> = {
  completed: [orderCreated(0), inventoryReserved(1), paymentCompleted(2), orderFulfilled(3)],
  'failed at ReserveInventory': [orderCreated(0), inventoryReservationFailed(1), inventoryReleased(2, 'NothingToCompensate')],
  'failed at ProcessPayment': [
    orderCreated(0),
    inventoryReserved(1),
    paymentFailed(2),
    paymentRefunded(3, 'NothingToCompensate'),
    inventoryReleased(4),
  ],
  'failed at FulfillOrder': [
    orderCreated(0),
    inventoryReserved(1),
    paymentCompleted(2),
    fulfillmentFailed(3),
    fulfillmentCancelled(4),
    paymentRefunded(5),
    inventoryReleased(6),
  ],
  'refund failed for good': [
    orderCreated(0),
    inventoryReserved(1),
    paymentCompleted(2),
    fulfillmentFailed(3, 'Simulated fulfilment failure'),
    fulfillmentCancelled(4),
    paymentRefunded(5, 'Failed', 5, 'RefundPayment failed after 5 attempts: simulated refund fault'),
    inventoryReleased(6),
  ],
};

/** The events of a saga whose OrderCreated never reached the order participant. */
export function withoutOrderCreated(events: readonly AnySagaEvent[]): AnySagaEvent[] {
  return events.filter((event) => event.type !== 'OrderCreated');
}

export function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let index = 0; index < items.length; index += 1) {
    const rest = [...items.slice(0, index), ...items.slice(index + 1)];
    for (const tail of permutations(rest)) yield [items[index] as T, ...tail];
  }
}

/** A deterministic shuffle, so a failing order can be reproduced from its seed. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}
