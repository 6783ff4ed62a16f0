import type { HttpRequest } from '@azure/functions';

/**
 * Ids this app creates are short and URL-safe; anything else cannot name a stored document, and characters
 * Cosmos DB forbids in ids (`/`, `\`, `?`, `#`) must never reach a point read.
 */
const PLAUSIBLE_ID = /^[A-Za-z0-9][A-Za-z0-9._~:@-]{0,199}$/;

/** The route parameter when it could be an id, otherwise null (answered as 404: no such resource). */
export function routeId(request: HttpRequest, name = 'id'): string | null {
  const value = request.params[name];
  return value !== undefined && PLAUSIBLE_ID.test(value) ? value : null;
}
