import { describe, expect, it } from 'vitest';
import { CreateOrderRequestSchema, passesLuhn } from '../../src/domain';

const valid = {
  customerId: 'cust-1',
  items: [{ productId: 'dog-leash', quantity: 1 }],
  payment: { method: 'card', cardNumber: '4242 4242 4242 4242' },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' },
};

describe('passesLuhn', () => {
  it.each(['4242424242424242', '4000000000000002', '5555555555554444', '378282246310005', '79927398713'])('accepts %s', (digits) => {
    expect(passesLuhn(digits)).toBe(true);
  });

  it.each(['4242424242424241', '4000000000000003', '79927398710', '1234567812345678'])('rejects %s', (digits) => {
    expect(passesLuhn(digits)).toBe(false);
  });
});

describe('CreateOrderRequestSchema', () => {
  it('normalises the card number and defaults the saga style', () => {
    const parsed = CreateOrderRequestSchema.parse(valid);
    expect(parsed.payment.cardNumber).toBe('4242424242424242');
    expect(parsed.sagaStyle).toBe('orchestration');
  });

  it.each([
    ['a card number failing Luhn', { payment: { method: 'card', cardNumber: '4242424242424241' } }, 'payment.cardNumber'],
    ['a duplicate product line', { items: [{ productId: 'a', quantity: 1 }, { productId: 'a', quantity: 2 }] }, 'items.1.productId'],
    ['no lines', { items: [] }, 'items'],
    ['a quantity above 100', { items: [{ productId: 'a', quantity: 101 }] }, 'items.0.quantity'],
    ['a lower-case country', { shippingAddress: { ...valid.shippingAddress, country: 'us' } }, 'shippingAddress.country'],
    ['an unknown failure simulation', { simulateFailure: 'everything' }, 'simulateFailure'],
    ['a client-supplied price', { items: [{ productId: 'a', quantity: 1, unitPrice: 0.01 }] }, 'items.0'],
  ])('rejects %s', (_why, override, path) => {
    const result = CreateOrderRequestSchema.safeParse({ ...valid, ...override });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});
