import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';

export const CORRELATION_HEADER = 'x-correlation-id';

/** Short, printable ids only: the value goes into logs and messages, so nothing a client sends may forge a log line. */
const ACCEPTABLE_CORRELATION_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's correlation id when it sent a usable one, otherwise a new one. */
export function correlationIdOf(request: HttpRequest): string {
  const sent = request.headers.get(CORRELATION_HEADER)?.trim();
  return sent && ACCEPTABLE_CORRELATION_ID.test(sent) ? sent : randomUUID();
}
