import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  hashIdempotencyKey,
  hashOrderRequest,
  newOrderId,
  orderIdForIdempotencyKey,
} from '../../src/services/order-identity';
import { anOrderRequest } from './requests';

describe('order identity', () => {
  it('writes JSON with sorted keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('maps an Idempotency-Key to one order id per customer, and different keys to different ids', () => {
    expect(orderIdForIdempotencyKey('cust-1', 'k1')).toMatch(/^ord-[0-9a-f]{24}$/);
    expect(orderIdForIdempotencyKey('cust-1', 'k1')).toBe(orderIdForIdempotencyKey('cust-1', 'k1'));
    expect(orderIdForIdempotencyKey('cust-1', 'k1')).not.toBe(orderIdForIdempotencyKey('cust-1', 'k2'));
    expect(orderIdForIdempotencyKey('cust-1', 'k1')).not.toBe(orderIdForIdempotencyKey('cust-2', 'k1'));
    // No concatenation ambiguity: ("a", "bc") and ("ab", "c") are different pairs.
    expect(orderIdForIdempotencyKey('a', 'bc')).not.toBe(orderIdForIdempotencyKey('ab', 'c'));
    expect(hashIdempotencyKey('cust-1', 'k1')).not.toContain('k1');
    expect(hashIdempotencyKey('cust-1', 'k1')).not.toBe(hashIdempotencyKey('cust-2', 'k1'));
  });

  it('makes fresh order ids without dashes', () => {
    const id = newOrderId();
    expect(id).toMatch(/^ord-[0-9a-f]{32}$/);
    expect(newOrderId()).not.toBe(id);
  });

  it('hashes requests that mean the same the same, and any real difference differently', () => {
    const base = hashOrderRequest(anOrderRequest());
    expect(hashOrderRequest(anOrderRequest({ payment: { method: 'card', cardNumber: '4242-4242-4242-4242' } }))).toBe(base);
    expect(hashOrderRequest(anOrderRequest({ sagaStyle: 'choreography' }))).not.toBe(base);
    expect(hashOrderRequest(anOrderRequest({ payment: { method: 'card', cardNumber: '5555555555554444' } }))).not.toBe(base);
    expect(hashOrderRequest(anOrderRequest({ customerId: 'someone-else' }))).not.toBe(base);
    expect(hashOrderRequest(anOrderRequest({ simulateFailure: 'payment' }))).not.toBe(base);
  });
});

describe('order identity: no card data in the request hash', () => {
  it('takes nothing of the card but its last four digits, so the stored hash cannot be brute-forced back', () => {
    const withCard = (cardNumber: string) => hashOrderRequest(anOrderRequest({ payment: { method: 'card', cardNumber } }));
    // Two valid cards with the same last four: only the last four count, so the stored hash cannot tell them apart.
    expect(withCard('4242424242424242')).toBe(withCard('4111111111174242'));
    expect(withCard('4242424242424242')).not.toBe(withCard('5555555555554444'));
  });
});
