export const CARD_NUMBER = '4242424242424242';

export function orderRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    customerId: 'cust-42',
    items: [{ productId: 'dog-food-5kg', quantity: 2 }],
    payment: { method: 'card', cardNumber: CARD_NUMBER },
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
    ...overrides,
  };
}
