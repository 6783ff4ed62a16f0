import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSaga } from '../../src/domain';
import { createOrderHandler } from '../../src/functions/create-order';
import { getOrderHandler } from '../../src/functions/get-order';
import { getOrderSagaHandler } from '../../src/functions/get-order-saga';
import { listOrdersHandler } from '../../src/functions/list-orders';
import { getProductHandler, listProductsHandler } from '../../src/functions/products';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';
import { httpRequest, invocationContext, postJson, readResponse } from './support/http';
import { CARD_NUMBER, orderRequest } from './support/order-requests';

let appUnderTest: AppUnderTest;
const getServices = async () => appUnderTest.services;
const customerId = `cust-${Date.now()}`;
const placed: string[] = [];

beforeAll(async () => {
  appUnderTest = await startAppUnderTest();
  const create = createOrderHandler(getServices);
  for (let i = 0; i < 3; i += 1) {
    const response = readResponse(await create(postJson('/api/orders', orderRequest({ customerId })), invocationContext()));
    placed.push((response.json as { id: string }).id);
    // Distinct createdAt values, so "newest first" has one answer.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
});
afterAll(async () => {
  await appUnderTest?.close();
});

async function get(handler: ReturnType<typeof getOrderHandler>, path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}) {
  return readResponse(await handler(httpRequest({ path, params, headers }), invocationContext()));
}

describe('GET /api/orders/{id}', () => {
  it('returns the order without any card data', async () => {
    const [id = ''] = placed;
    const response = await get(getOrderHandler(getServices), `/api/orders/${id}`, { id }, { 'x-correlation-id': 'corr-get' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe('corr-get');
    expect(response.json).toMatchObject({ id, customerId, status: 'Pending', payment: { last4: '4242' } });
    expect(response.text).not.toContain(CARD_NUMBER);
    expect(response.text).not.toContain('paymentReference');
  });

  it.each([['ord-does-not-exist'], ['has#hash'], ['x'.repeat(300)]])('answers 404 for %s', async (id) => {
    const response = await get(getOrderHandler(getServices), `/api/orders/x`, { id }, { 'x-correlation-id': 'corr-404' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-correlation-id')).toBe('corr-404');
    expect(response.json).toMatchObject({ status: 404, title: 'Not Found' });
  });
});

describe('GET /api/orders', () => {
  const list = (query: string) => get(listOrdersHandler(getServices), `/api/orders?${query}`);

  it('pages through a customer’s orders, newest first', async () => {
    const first = await list(`customerId=${customerId}&limit=2`);
    expect(first.status).toBe(200);
    const page1 = first.json as { items: Array<{ id: string }>; continuationToken: string | null };
    expect(page1.items.map((order) => order.id)).toEqual([placed[2], placed[1]]);
    expect(page1.continuationToken).toEqual(expect.any(String));

    const second = await list(`customerId=${customerId}&limit=2&continuationToken=${encodeURIComponent(page1.continuationToken ?? '')}`);
    const page2 = second.json as { items: Array<{ id: string }>; continuationToken: string | null };
    expect(second.status).toBe(200);
    expect(page2.items.map((order) => order.id)).toEqual([placed[0]]);
    expect(page2.continuationToken).toBeNull();
    expect(first.text + second.text).not.toContain(CARD_NUMBER);
  });

  it('filters by status and uses the default page size', async () => {
    const response = await list(`customerId=${customerId}&status=Pending`);
    expect(response.status).toBe(200);
    expect((response.json as { items: unknown[] }).items).toHaveLength(3);
    const none = await list(`customerId=${customerId}&status=Completed`);
    expect(none.json).toEqual({ items: [], continuationToken: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=2.5', 'limit'],
    ['status=Shipped', 'status'],
  ])('answers 400 for %s', async (query, path) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ status: 400, errors: [{ path }] });
  });

  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  it.each([
    ['not-a-token'],
    ['eyJmb28iOiJiYXIifQ'],
    // The envelope this service used to issue still decoded, and answered the first page.
    [b64('{"v":1,"f":"[null,null]","c":"x"}')],
    [b64('{"v":2,"f":"[null,null]","t":"yesterday","i":"ord-1"}')],
    [b64('{"v":2,"f":"[null,null]","t":"2025-01-01T00:00:00.000Z","i":"ord-1\\" OR 1=1"}')],
    [b64('{"v":2,"f":"[null,null]","t":"2025-01-01T00:00:00.000Z","i":"ord-1","x":1}')],
  ])('answers 400 for the continuation token %s', async (token) => {
    const response = await list(`continuationToken=${token}`);
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ status: 400, errors: [{ path: 'continuationToken' }] });
  });

  it('answers 400 for a token from another query', async () => {
    const first = await list(`customerId=${customerId}&limit=1`);
    const token = (first.json as { continuationToken: string }).continuationToken;
    const response = await list(`status=Completed&continuationToken=${encodeURIComponent(token)}`);
    expect(response.status).toBe(400);
  });
});

describe('GET /api/orders/{id}/saga', () => {
  it('answers 404 until the saga has started, then the saga record', async () => {
    const [id = ''] = placed;
    const handler = getOrderSagaHandler(getServices);
    expect((await get(handler, `/api/orders/${id}/saga`, { id })).status).toBe(404);

    const saga = startSaga({ orderId: id, sagaStyle: 'orchestration', instanceId: id, now: new Date().toISOString() });
    await appUnderTest.services.sagaRecords.save(saga);
    const response = await get(handler, `/api/orders/${id}/saga`, { id });
    expect(response.status).toBe(200);
    expect(response.json).toEqual(saga);
  });
});

describe('GET /api/products', () => {
  it('lists the catalog with stock levels', async () => {
    const response = await get(listProductsHandler(getServices), '/api/products');
    expect(response.status).toBe(200);
    const items = (response.json as { items: Array<Record<string, unknown>> }).items;
    expect(items.length).toBeGreaterThanOrEqual(9);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['available', 'category', 'currency', 'id', 'name', 'price', 'reserved']);
  });

  it('returns one product, or 404', async () => {
    const found = await get(getProductHandler(getServices), '/api/products/dog-leash', { id: 'dog-leash' });
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ id: 'dog-leash', price: 15, currency: 'USD' });
    const missing = await get(getProductHandler(getServices), '/api/products/unicorn', { id: 'unicorn' });
    expect(missing.status).toBe(404);
  });
});
