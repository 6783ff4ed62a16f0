import { startSaga, type OrderSaga, type Product, type SagaOrder, type StoredOrder } from '../../src/domain';

let sequence = 0;
export const uniqueId = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(sequence += 1)}`;

export function aStoredOrder(overrides: Partial<StoredOrder> = {}): StoredOrder {
  const createdAt = overrides.createdAt ?? '2025-01-01T10:00:00.000Z';
  return {
    id: uniqueId('ord'),
    customerId: 'cust-1',
    sagaStyle: 'orchestration',
    items: [{ productId: 'dog-food-5kg', productName: 'Dog food 5 kg', quantity: 2, unitPrice: 24.99 }],
    totalAmount: 49.98,
    currency: 'USD',
    payment: { method: 'card', last4: '4242', status: 'Pending', transactionId: null },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    status: 'Pending',
    statusReason: null,
    createdAt,
    updatedAt: createdAt,
    paymentReference: 'pmr-test',
    simulateFailure: null,
    idempotencyKeyHash: null,
    requestHash: 'request-hash',
    ...overrides,
  };
}

export function aProduct(overrides: Partial<Product> = {}): Product {
  return {
    id: uniqueId('prod'),
    name: 'Squeaky toy',
    category: 'dogs',
    price: 5,
    currency: 'USD',
    available: 10,
    reserved: 0,
    ...overrides,
  };
}

export function aSagaOrder(overrides: Partial<SagaOrder> = {}): SagaOrder {
  const orderId = overrides.orderId ?? uniqueId('ord');
  return {
    orderId,
    correlationId: orderId,
    items: [{ productId: 'dog-food-5kg', quantity: 1 }],
    totalAmount: 24.99,
    currency: 'USD',
    paymentReference: 'pmr-test',
    shippingCountry: 'US',
    simulateFailure: null,
    ...overrides,
  };
}

export function aSaga(orderId: string, now = '2025-01-01T10:00:00.000Z'): OrderSaga {
  return startSaga({ orderId, sagaStyle: 'orchestration', instanceId: orderId, now });
}
