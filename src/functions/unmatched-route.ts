import { app, type HttpMethod } from '@azure/functions';
import { methodsAllowedOn } from '../http/api-routes';
import { httpEndpoint } from '../http/http-handler';
import { problemResponse } from '../http/problem';

const EVERY_METHOD: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE'];

/**
 * Whatever no other function matched. Without it the Functions host answers an unknown route or a wrong
 * method with an empty 404; the contract promises a problem document, and a 405 with `Allow` for a known
 * path. Both hosts rank literal and parameter segments above a catch-all, so this only sees the leftovers.
 */
export const unmatchedRouteHandler = httpEndpoint(async ({ request }) => {
  const path = request.params.rest ?? '';
  const method = request.method.toUpperCase();
  const allowed = methodsAllowedOn(path);
  if (allowed.length > 0 && !allowed.includes(method as HttpMethod)) {
    return problemResponse(405, `${method} is not allowed on /api/${path}.`, { headers: { allow: allowed.join(', ') } });
  }
  return problemResponse(404, `No resource at /api/${path}. The API is described in docs/api-contract.md.`);
});

app.http('unmatchedRoute', {
  methods: EVERY_METHOD,
  route: '{*rest}',
  authLevel: 'anonymous',
  handler: unmatchedRouteHandler,
});
