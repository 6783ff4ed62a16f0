import { createHash, randomUUID } from 'node:crypto';
import type { CreateOrderRequest } from '../domain';

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted, so two requests that mean the same thing hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The order id an Idempotency-Key maps to, for one customer. Deriving it from the key turns "was this key used
 * before?" into a create conflict on the orders container, so no separate idempotency store is needed; deriving
 * it from the customer too means two customers who pick the same key never meet.
 */
export function orderIdForIdempotencyKey(customerId: string, idempotencyKey: string): string {
  return `ord-${sha256Hex(`idempotency-key:${JSON.stringify([customerId, idempotencyKey])}`).slice(0, 24)}`;
}

/** Stored instead of the key itself, which the client may have built from something private. */
export function hashIdempotencyKey(customerId: string, idempotencyKey: string): string {
  return sha256Hex(`idempotency-key-hash:${JSON.stringify([customerId, idempotencyKey])}`);
}

export function newOrderId(): string {
  return `ord-${randomUUID().replace(/-/g, '')}`;
}

/**
 * What "the same body" means for an Idempotency-Key replay: the validated request (defaults applied), with the
 * card reduced to its last four digits. Nothing else of the number goes in: a hash over it, however wrapped, is
 * brute-forced back from a known issuer prefix in well under a second.
 */
export function hashOrderRequest(request: CreateOrderRequest): string {
  const { payment, ...rest } = request;
  return sha256Hex(canonicalJson({ ...rest, payment: { method: payment.method, last4: payment.cardNumber.slice(-4) } }));
}
