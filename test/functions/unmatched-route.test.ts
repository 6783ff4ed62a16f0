import { describe, expect, it } from 'vitest';
import { methodsAllowedOn } from '../../src/http/api-routes';
import { unmatchedRouteHandler } from '../../src/functions/unmatched-route';
import { httpRequest, invocationContext, readResponse } from './support/http';

async function call(method: string, rest: string) {
  return readResponse(
    await unmatchedRouteHandler(httpRequest({ method, path: `/api/${rest}`, params: { rest }, headers: { 'x-correlation-id': 'corr-x' } }), invocationContext()),
  );
}

describe('the catch-all function', () => {
  it.each(['nope', 'orders/ord-1/saga/extra', 'orders/ord-1/steps', '', 'products/a/b'])('answers 404 with a problem document for /api/%s', async (rest) => {
    const response = await call('GET', rest);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-correlation-id')).toBe('corr-x');
    expect(response.json).toMatchObject({ type: 'about:blank', title: 'Not Found', status: 404 });
    expect(response.headers.get('allow')).toBeNull();
  });

  it.each([
    ['DELETE', 'orders', 'GET, POST'],
    ['PUT', 'orders/ord-1', 'GET'],
    ['POST', 'orders/ord-1/saga', 'GET'],
    ['PATCH', 'products', 'GET'],
    ['DELETE', 'products/dog-food-5kg', 'GET'],
    ['POST', 'health', 'GET'],
    ['POST', 'Orders/ord-1/', 'GET'],
  ])('answers %s /api/%s with 405 and Allow: %s', async (method, rest, allow) => {
    const response = await call(method, rest);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.json).toMatchObject({ title: 'Method Not Allowed', status: 405 });
  });

  it('knows each path of the API by its segments', () => {
    expect(methodsAllowedOn('orders')).toEqual(['GET', 'POST']);
    expect(methodsAllowedOn('orders/x')).toEqual(['GET']);
    expect(methodsAllowedOn('orders/x/saga')).toEqual(['GET']);
    expect(methodsAllowedOn('orders/x/y')).toEqual([]);
    expect(methodsAllowedOn('ordersx')).toEqual([]);
  });

  it('lets a {*asset} route take the rest of the path, however deep', () => {
    expect(methodsAllowedOn('dashboard')).toEqual(['GET']);
    expect(methodsAllowedOn('dashboard/app.js')).toEqual(['GET']);
    expect(methodsAllowedOn('docs/swagger-ui/bundle.js')).toEqual(['GET']);
    expect(methodsAllowedOn('openapi.json')).toEqual(['GET']);
    expect(methodsAllowedOn('openapi.json/x')).toEqual([]);
  });
});
