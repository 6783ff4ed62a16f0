import { CreateOrderRequestSchema, type CreateOrderRequest } from '../../src/domain';

export type RawOrderRequest = Record<string, unknown>;

export function rawOrderRequest(overrides: RawOrderRequest = {}): RawOrderRequest {
  return {
    customerId: 'cust-42',
    items: [
      { productId: 'dog-food-5kg', quantity: 2 },
      { productId: 'cat-food-2kg', quantity: 1 },
    ],
    payment: { method: 'card', cardNumber: '4242424242424242' },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    ...overrides,
  };
}

export function anOrderRequest(overrides: RawOrderRequest = {}): CreateOrderRequest {
  return CreateOrderRequestSchema.parse(rawOrderRequest(overrides));
}
