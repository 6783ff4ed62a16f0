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

  it('maps an Idempotency-Key to one order id, and different keys to different ids', () => {
    expect(orderIdForIdempotencyKey('k1')).toMatch(/^ord-[0-9a-f]{24}$/);
    expect(orderIdForIdempotencyKey('k1')).toBe(orderIdForIdempotencyKey('k1'));
    expect(orderIdForIdempotencyKey('k1')).not.toBe(orderIdForIdempotencyKey('k2'));
    expect(hashIdempotencyKey('k1')).not.toContain('k1');
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
    expect(hashOrderRequest(anOrderRequest({ simulateFailure: 'payment' }))).not.toBe(base);
  });
});
