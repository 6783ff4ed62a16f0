import type { HttpMethod } from '@azure/functions';

/**
 * The routes of the public API (below the `api` prefix) and their methods. The catch-all function answers
 * everything else from this table: a known path with another method is a 405 with `Allow`, any other path a
 * 404. A test checks the table against the functions the app registers.
 */
export const API_ROUTES: ReadonlyArray<{ route: string; methods: readonly HttpMethod[] }> = [
  { route: 'orders', methods: ['GET', 'POST'] },
  { route: 'orders/{id}', methods: ['GET'] },
  { route: 'orders/{id}/saga', methods: ['GET'] },
  { route: 'orders/{id}/saga/resume', methods: ['POST'] },
  { route: 'products', methods: ['GET'] },
  { route: 'products/{id}', methods: ['GET'] },
  { route: 'health', methods: ['GET'] },
  { route: 'openapi.json', methods: ['GET'] },
  { route: 'docs/{*asset}', methods: ['GET'] },
  { route: 'dashboard/{*asset}', methods: ['GET'] },
];

const segmentsOf = (path: string) => path.split('/').filter((segment) => segment !== '');

/** A `{*name}` segment, last in a route, takes the rest of the path: zero or more segments, as in Functions. */
const isCatchAll = (segment: string | undefined) => segment !== undefined && /^\{\*[^}]+\}$/.test(segment);

function matches(route: string, path: string): boolean {
  const expected = segmentsOf(route);
  const actual = segmentsOf(path);
  const open = isCatchAll(expected[expected.length - 1]);
  const fixed = open ? expected.slice(0, -1) : expected;
  if (open ? actual.length < fixed.length : actual.length !== fixed.length) return false;
  return fixed.every((segment, index) => /^\{[^}]+\}$/.test(segment) || segment.toLowerCase() === actual[index]?.toLowerCase());
}

/** The methods a path below `api/` answers to, or an empty list when no route has that path. */
export function methodsAllowedOn(path: string): HttpMethod[] {
  return API_ROUTES.filter((entry) => matches(entry.route, path)).flatMap((entry) => [...entry.methods]);
}
