import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The caller's id is echoed as sent when it is printable text of reasonable length: it goes into logs and
 * messages, so control characters (a forged log line) and unbounded sizes are refused and replaced.
 */
export const ACCEPTABLE_CORRELATION_ID = /^[\x20-\x7E]{1,256}$/;

/** The caller's correlation id when it sent a usable one, otherwise a new one. */
export function correlationIdOf(request: HttpRequest): string {
  const sent = request.headers.get(CORRELATION_HEADER)?.trim();
  return sent && ACCEPTABLE_CORRELATION_ID.test(sent) ? sent : randomUUID();
}
