import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problemResponse } from './problem';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export const ACCEPTABLE_KEY = /^[\x21-\x7E]{1,255}$/;

export type IdempotencyKeyResult = { ok: true; value: string | undefined } | { ok: false; response: HttpResponseInit };

/** The optional `Idempotency-Key` header: 1 to 255 visible ASCII characters (a UUID is typical). */
export function idempotencyKeyOf(request: HttpRequest): IdempotencyKeyResult {
  const value = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (value === null) return { ok: true, value: undefined };
  const key = value.trim();
  if (ACCEPTABLE_KEY.test(key)) return { ok: true, value: key };
  return {
    ok: false,
    response: problemResponse(400, 'The Idempotency-Key header is not valid.', {
      errors: [{ path: IDEMPOTENCY_KEY_HEADER, message: 'must be 1 to 255 visible ASCII characters, e.g. a UUID' }],
    }),
  };
}
