import { createEvent, type AnySagaEvent, type EventData, type EventType, type SagaStyle } from '../../src/domain';

const at = '2025-01-01T00:00:00.000Z';
const compensated = { outcome: 'Compensated', attempts: 1, error: null } as const;

/** Valid data for every event type, so a new type without a sample fails to compile here. */
const SAMPLE_DATA: { [T in EventType]: EventData<T> } = {
  OrderCreated: {
    customerId: 'cust-1',
    sagaStyle: 'orchestration',
    items: [{ productId: 'dog-leash', quantity: 2 }],
    totalAmount: 30,
    currency: 'USD',
  },
  InventoryReserved: { items: [{ productId: 'dog-leash', quantity: 2 }], attempts: 1 },
  InventoryReservationFailed: { reason: 'out of stock', attempts: 1 },
  PaymentCompleted: { transactionId: 'tx-1', amount: 30, attempts: 1 },
  PaymentFailed: { reason: 'declined', attempts: 1 },
  OrderFulfilled: { trackingNumber: 'TRK-1', attempts: 1 },
  FulfillmentFailed: { reason: 'unsupported country', attempts: 1 },
  FulfillmentCancelled: compensated,
  PaymentRefunded: compensated,
  InventoryReleased: compensated,
  OrderCompleted: {},
  OrderCancelled: { reason: 'payment declined' },
  OrderFailed: { reason: 'refund failed' },
};

export function sampleEvent(type: EventType, orderId = 'order-1'): AnySagaEvent {
  return createEvent(type, { orderId, occurredAt: at, data: SAMPLE_DATA[type] }) as AnySagaEvent;
}

export function orderCreated(sagaStyle: SagaStyle, orderId = 'order-1'): AnySagaEvent {
  return createEvent('OrderCreated', {
    orderId,
    correlationId: `corr-${orderId}`,
    occurredAt: at,
    data: { ...SAMPLE_DATA.OrderCreated, sagaStyle },
  });
}
