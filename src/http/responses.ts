import type { HttpResponseInit } from '@azure/functions';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A JSON response; the body is serialised here so the content type is exactly what the contract says. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, body: JSON.stringify(body), headers: { ...headers, 'content-type': JSON_CONTENT_TYPE } };
}

/** Adds a header to a response without losing the ones already set, whatever form they were given in. */
export function withHeader(response: HttpResponseInit, name: string, value: string): HttpResponseInit {
  const headers = new Headers(response.headers ?? {});
  headers.set(name, value);
  return { ...response, headers: Object.fromEntries(headers.entries()) };
}
