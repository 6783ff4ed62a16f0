import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../src/http/api-routes';
import type { RunningHost } from '../../src/local-host/host';
import { startApp } from './orders';

/*
 * Unknown routes and wrong methods under /api are answered by the app's own catch-all function, so the
 * answer is the same under func (whose own answer is an empty 404) and on the embedded host; the specific
 * routes still win over it.
 */
let host: RunningHost;

beforeAll(async () => {
  ({ host } = await startApp());
});

afterAll(async () => {
  await host?.stop();
});

async function send(method: string, path: string) {
  const response = await fetch(`${host.url}${path}`, { method });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null };
}

describe('the health check on the embedded host', () => {
  it('round-trips to the embedded broker and the database', async () => {
    const response = await send('GET', '/api/health');
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok', checks: { config: 'ok', cosmos: 'ok', serviceBus: 'ok' } });
  });
});

describe('the catch-all function on the embedded host', () => {
  it('lists every route the app registers, with its methods, in the table it answers 405s from', () => {
    const registered = host.functions
      .filter((fn) => fn.trigger.type === 'httpTrigger' && fn.name !== 'unmatchedRoute')
      .map((fn) => ({ route: String(fn.trigger.route), methods: (fn.trigger.methods as string[]).map((m) => m.toUpperCase()).sort() }));
    const byRoute = (a: { route: string }, b: { route: string }) => a.route.localeCompare(b.route);
    const merged = new Map<string, string[]>();
    for (const { route, methods } of registered) merged.set(route, [...(merged.get(route) ?? []), ...methods].sort());
    expect([...merged].map(([route, methods]) => ({ route, methods })).sort(byRoute)).toEqual(
      API_ROUTES.map(({ route, methods }) => ({ route, methods: [...methods].sort() })).sort(byRoute),
    );
    expect(host.functions.find((fn) => fn.name === 'unmatchedRoute')?.trigger.route).toBe('{*rest}');
  });

  it('leaves the specific routes to their functions', async () => {
    expect((await send('GET', '/api/health')).status).toBe(200);
    expect((await send('GET', '/api/products')).status).toBe(200);
    const missingOrder = await send('GET', '/api/orders/ord-missing');
    expect(missingOrder.status).toBe(404);
    expect(missingOrder.json.detail).not.toMatch(/api-contract/);
    expect((await send('GET', '/api/orders?limit=1')).status).toBe(200);
  });

  it.each([
    ['GET', '/api/nope'],
    ['POST', '/api/orders/ord-1/refund'],
    ['GET', '/api'],
  ])('answers %s %s with the app’s 404 problem document', async (method, path) => {
    const response = await send(method, path);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-correlation-id')).toEqual(expect.any(String));
    expect(response.json).toMatchObject({ status: 404, detail: expect.stringMatching(/api-contract/) });
  });

  it.each([
    ['DELETE', '/api/orders', 'GET, POST'],
    ['PUT', '/api/orders/ord-1', 'GET'],
    ['POST', '/api/health', 'GET'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const response = await send(method, path);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.json).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });
});
