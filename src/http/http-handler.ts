import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { TransientFault } from '../domain';
import { CORRELATION_HEADER, correlationIdOf } from './correlation';
import { problemResponse } from './problem';
import { withHeader } from './responses';

export interface HttpCall {
  request: HttpRequest;
  context: InvocationContext;
  correlationId: string;
}

export type HttpCallHandler = (call: HttpCall) => Promise<HttpResponseInit>;

/** Seconds a client is asked to wait after a transient fault: the SDKs' own retries have already run by then. */
const RETRY_AFTER_SECONDS = '1';

/**
 * Every endpoint goes through here: the answer always carries `x-correlation-id`, and a fault of the service
 * becomes a problem document with a log line, never a stack trace in the response: 503 with Retry-After when
 * a store or the broker failed transiently (throttled, unavailable, a lost connection: retrying is the cure),
 * 500 for anything else.
 */
export function httpEndpoint(handle: HttpCallHandler) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const correlationId = correlationIdOf(request);
    let response: HttpResponseInit;
    try {
      response = await handle({ request, context, correlationId });
    } catch (error) {
      if (error instanceof TransientFault) {
        context.warn(`${request.method} ${pathOf(request)} failed transiently [correlationId=${correlationId}]: ${error.message}`);
        response = problemResponse(503, 'A store the service depends on is briefly unavailable. Retry the request; an Idempotency-Key makes a POST safe to retry.', {
          headers: { 'retry-after': RETRY_AFTER_SECONDS },
        });
      } else {
        context.error(`${request.method} ${pathOf(request)} failed [correlationId=${correlationId}]: ${describeFault(error)}`);
        response = problemResponse(500, `The service failed to handle the request. Quote correlation id ${correlationId} when reporting it.`);
      }
    }
    return withHeader(response, CORRELATION_HEADER, correlationId);
  };
}

/** The error's name, message and stack for the log (the log is the only place a stack goes). */
export function describeFault(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

function pathOf(request: HttpRequest): string {
  try {
    return new URL(request.url).pathname;
  } catch {
    return request.url;
  }
}
