import { createHash, randomUUID } from 'node:crypto';
import { cardFingerprint, type CreateOrderRequest } from '../domain';

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
 * The order id an Idempotency-Key maps to. Deriving it from the key turns "was this key used before?" into
 * a create conflict on the orders container, so no separate idempotency store is needed.
 */
export function orderIdForIdempotencyKey(idempotencyKey: string): string {
  return `ord-${sha256Hex(`idempotency-key:${idempotencyKey}`).slice(0, 24)}`;
}

/** Stored instead of the key itself, which the client may have built from something private. */
export function hashIdempotencyKey(idempotencyKey: string): string {
  return sha256Hex(`idempotency-key-hash:${idempotencyKey}`);
}

export function newOrderId(): string {
  return `ord-${randomUUID().replace(/-/g, '')}`;
}

/**
 * What "the same body" means for an Idempotency-Key replay: the validated request (defaults applied, card
 * number normalised), with the card number replaced by its fingerprint so a card number is never hashed
 * into a stored value that could be brute-forced back.
 */
export function hashOrderRequest(request: CreateOrderRequest): string {
  const { payment, ...rest } = request;
  return sha256Hex(canonicalJson({ ...rest, payment: { method: payment.method, card: cardFingerprint(payment.cardNumber) } }));
}
