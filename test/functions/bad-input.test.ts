import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderHandler } from '../../src/functions/create-order';
import { getOrderHandler } from '../../src/functions/get-order';
import { getOrderSagaHandler } from '../../src/functions/get-order-saga';
import { listOrdersHandler } from '../../src/functions/list-orders';
import { getProductHandler } from '../../src/functions/products';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';
import { httpRequest, invocationContext, postJson, readResponse } from './support/http';
import { orderRequest } from './support/order-requests';

// Each of these reached the Cosmos DB SDK and came back as a 500 ("Illegal characters in Resource ID", a
// URIError, or `..` reading the container itself). Against the real SDK and the in-process Cosmos server.
let appUnderTest: AppUnderTest;
const getServices = async () => appUnderTest.services;
beforeAll(async () => {
  appUnderTest = await startAppUnderTest();
});
afterAll(async () => {
  await appUnderTest?.close();
});

async function place(request: Record<string, unknown>) {
  return readResponse(await createOrderHandler(getServices)(postJson('/api/orders', request), invocationContext()));
}

function errorPaths(json: unknown): string[] {
  return ((json as { errors?: Array<{ path: string }> }).errors ?? []).map((error) => error.path);
}

const address = orderRequest().shippingAddress as Record<string, string>;

describe('POST /api/orders with a productId that cannot be a document id', () => {
  it.each(['a/b', 'a\\b', 'a#b', 'a?b', '.', '..', 'x\ud800', '\udc00'])('answers 400 for %j, naming the field', async (productId) => {
    const response = await place(orderRequest({ items: [{ productId, quantity: 1 }] }));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(errorPaths(response.json)).toEqual(['items.0.productId']);
  });

  it('still answers 422 for a well-formed id the catalog does not have', async () => {
    expect((await place(orderRequest({ items: [{ productId: 'no-such-product', quantity: 1 }] }))).status).toBe(422);
  });
});

describe('POST /api/orders with text that breaks readers of the stored order', () => {
  it.each([
    ['a NUL in customerId', { customerId: 'cust\u0000-1' }, 'customerId'],
    ['a lone surrogate in customerId', { customerId: 'cust-\ud83d' }, 'customerId'],
    ['a bidi override in customerId', { customerId: 'cust-\u202e1' }, 'customerId'],
    ['an escape sequence in the name', { shippingAddress: { ...address, name: 'Ada\u001b[31m' } }, 'shippingAddress.name'],
    ['a lone surrogate in the address', { shippingAddress: { ...address, line1: '1 Main \udfff' } }, 'shippingAddress.line1'],
    ['a bidi isolate in the city', { shippingAddress: { ...address, city: 'Spring\u2066field' } }, 'shippingAddress.city'],
    ['a C1 control in the postal code', { shippingAddress: { ...address, postalCode: '12\u0085345' } }, 'shippingAddress.postalCode'],
  ])('answers 400 for %s', async (_why, override, path) => {
    const response = await place(orderRequest(override));
    expect(response.status).toBe(400);
    expect(errorPaths(response.json)).toContain(path);
  });

  it('accepts any well-formed text, accents, scripts and emoji included', async () => {
    const response = await place(orderRequest({ customerId: 'cust-Zoë-李-🐕', shippingAddress: { ...address, name: 'Zoë 李 🐕', line1: 'Straße 1' } }));
    expect(response.status).toBe(202);
  });
});

describe('GET /api/orders query parameters', () => {
  const list = async (query: string) => readResponse(await listOrdersHandler(getServices)(httpRequest({ path: `/api/orders?${query}` }), invocationContext()));

  it.each([['limit=1&limit=2', 'limit'], ['customerId=a&customerId=b', 'customerId'], ['status=Completed&status=Failed', 'status']])(
    'answers 400 for a repeated parameter (%s)',
    async (query, path) => {
      const response = await list(query);
      expect(response.status).toBe(400);
      expect(errorPaths(response.json)).toEqual([path]);
    },
  );

  it('answers 400 for a customerId with a control character or a lone surrogate', async () => {
    expect((await list('customerId=a%00b')).status).toBe(400);
    expect((await list(`customerId=${encodeURIComponent('a')}%ED%A0%80`)).status).toBe(200); // not UTF-8: decoded as U+FFFD, harmless
    expect((await list('customerId=a%E2%80%AEb')).status).toBe(400);
  });
});

describe('route ids that cannot name a document', () => {
  const ids = ['..', '.', 'a#b', 'a/b', 'a\\b', 'a?b', '\ud800'];

  it.each(ids)('GET /api/products/%j is 404', async (id) => {
    const response = readResponse(await getProductHandler(getServices)(httpRequest({ path: '/api/products/x', params: { id } }), invocationContext()));
    expect(response.status).toBe(404);
  });

  it.each(ids)('GET /api/orders/%j and its saga are 404', async (id) => {
    const order = readResponse(await getOrderHandler(getServices)(httpRequest({ path: '/api/orders/x', params: { id } }), invocationContext()));
    expect(order.status).toBe(404);
    const saga = readResponse(await getOrderSagaHandler(getServices)(httpRequest({ path: '/api/orders/x/saga', params: { id } }), invocationContext()));
    expect(saga.status).toBe(404);
  });
});
