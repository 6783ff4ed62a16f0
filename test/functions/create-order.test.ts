import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderHandler } from '../../src/functions/create-order';
import { MAX_BODY_BYTES } from '../../src/http/json-body';
import { startAppUnderTest, type AppUnderTest } from './support/app-under-test';
import { captureLogs, httpRequest, invocationContext, postJson, readResponse } from './support/http';
import { CARD_NUMBER, orderRequest } from './support/order-requests';

let appUnderTest: AppUnderTest;
beforeAll(async () => {
  appUnderTest = await startAppUnderTest();
});
afterAll(async () => {
  await appUnderTest?.close();
});

async function post(request = postJson('/api/orders', orderRequest()), logs = captureLogs()) {
  const handler = createOrderHandler(async () => appUnderTest.services);
  return readResponse(await handler(request, invocationContext('createOrder', logs)));
}

describe('POST /api/orders', () => {
  it('accepts an order: 202, Location, the stored order, and OrderCreated published', async () => {
    const logs = captureLogs();
    const response = await post(postJson('/api/orders', orderRequest(), { 'x-correlation-id': 'corr-123' }), logs);

    expect(response.status).toBe(202);
    const order = response.json as { id: string; status: string; totalAmount: number; payment: Record<string, unknown> };
    expect(response.headers.get('location')).toBe(`/api/orders/${order.id}`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('x-correlation-id')).toBe('corr-123');
    expect(order).toMatchObject({ status: 'Pending', totalAmount: 49.98, currency: 'USD', sagaStyle: 'orchestration' });
    expect(order.payment).toEqual({ method: 'card', last4: '4242', status: 'Pending', transactionId: null });
    expect(response.text).not.toContain(CARD_NUMBER);
    expect(response.text).not.toMatch(/paymentReference|requestHash|idempotencyKeyHash|simulateFailure/);
    expect(logs.text()).not.toContain(CARD_NUMBER);
    expect(appUnderTest.publisher.events.some((event) => event.type === 'OrderCreated' && event.orderId === order.id)).toBe(true);
  });

  it('echoes any printable correlation id, and replaces one with control characters or of unbounded length', async () => {
    const echoed = await post(postJson('/api/orders', orderRequest(), { 'x-correlation-id': 'my id #1' }));
    expect(echoed.headers.get('x-correlation-id')).toBe('my id #1');
    const tooLong = await post(postJson('/api/orders', orderRequest(), { 'x-correlation-id': 'x'.repeat(257) }));
    expect(tooLong.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await post(postJson('/api/orders', orderRequest(), { 'x-correlation-id': 'a\u0007b' }));
    expect(forged.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes a correlation id when the request has none', async () => {
    const response = await post();
    expect(response.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('still accepts the order when the broker is down (the sweeper publishes it later)', async () => {
    appUnderTest.publisher.failing = true;
    try {
      const response = await post();
      expect(response.status).toBe(202);
    } finally {
      appUnderTest.publisher.failing = false;
    }
  });

  it('answers 400 with one error per invalid field', async () => {
    const response = await post(
      postJson('/api/orders', orderRequest({ customerId: '', items: [{ productId: 'dog-food-5kg', quantity: 0 }] }), {
        'x-correlation-id': 'corr-400',
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.headers.get('x-correlation-id')).toBe('corr-400');
    const problem = response.json as { status: number; title: string; errors: Array<{ path: string; message: string }> };
    expect(problem).toMatchObject({ type: 'about:blank', status: 400, title: 'Bad Request' });
    expect(problem.errors.map((error) => error.path).sort()).toEqual(['customerId', 'items.0.quantity']);
  });

  it('reports a bad card number without echoing it', async () => {
    const badCard = '4242424242424241';
    const response = await post(postJson('/api/orders', orderRequest({ payment: { method: 'card', cardNumber: badCard } })));
    expect(response.status).toBe(400);
    expect((response.json as { errors: Array<{ path: string }> }).errors).toEqual([
      expect.objectContaining({ path: 'payment.cardNumber' }),
    ]);
    expect(response.text).not.toContain(badCard);
  });

  it('rejects unknown fields and duplicate lines', async () => {
    const response = await post(
      postJson(
        '/api/orders',
        orderRequest({ unitPrice: 1, items: [{ productId: 'dog-leash', quantity: 1 }, { productId: 'dog-leash', quantity: 2 }] }),
      ),
    );
    expect(response.status).toBe(400);
    const paths = (response.json as { errors: Array<{ path: string }> }).errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['', 'items.1.productId']));
  });

  it('rejects unknown fields in the shipping address too, which is stored as sent', async () => {
    const request = orderRequest();
    const response = await post(
      postJson('/api/orders', { ...request, shippingAddress: { ...(request.shippingAddress as object), floor: 3 } }),
    );
    expect(response.status).toBe(400);
    expect((response.json as { errors: Array<{ path: string }> }).errors.map((error) => error.path)).toEqual(['shippingAddress']);
  });

  it('answers 400 for malformed JSON, without quoting the body', async () => {
    const body = `{"customerId":"cust-42","payment":{"cardNumber":"${CARD_NUMBER}"`;
    const response = await post(httpRequest({ method: 'POST', path: '/api/orders', body, headers: { 'content-type': 'application/json' } }));
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ status: 400, detail: 'The request body is not valid JSON.' });
    expect(response.text).not.toContain(CARD_NUMBER);
  });

  it('answers 400 for an empty body', async () => {
    const response = await post(httpRequest({ method: 'POST', path: '/api/orders', body: '', headers: { 'content-type': 'application/json' } }));
    expect(response.status).toBe(400);
  });

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], ['application/json; charset=latin1']])(
    'answers 415 for Content-Type %s',
    async (contentType) => {
      const response = await post(
        httpRequest({ method: 'POST', path: '/api/orders', body: JSON.stringify(orderRequest()), headers: { 'content-type': contentType } }),
      );
      expect(response.status).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    },
  );

  it('answers 415 without a Content-Type', async () => {
    const response = await post(httpRequest({ method: 'POST', path: '/api/orders', body: JSON.stringify(orderRequest()) }));
    expect(response.status).toBe(415);
  });

  it('accepts application/json with a UTF-8 charset', async () => {
    const response = await post(
      postJson('/api/orders', orderRequest(), { 'content-type': 'application/json; charset=UTF-8' }),
    );
    expect(response.status).toBe(202);
  });

  it('answers 413 when Content-Length says the body is over 64 KiB', async () => {
    const response = await post(
      httpRequest({
        method: 'POST',
        path: '/api/orders',
        body: JSON.stringify(orderRequest()),
        headers: { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) },
      }),
    );
    expect(response.status).toBe(413);
  });

  it('answers 413 when the body itself is over 64 KiB, whatever Content-Length says', async () => {
    const big = JSON.stringify(orderRequest({ customerId: 'x'.repeat(MAX_BODY_BYTES) }));
    const response = await post(httpRequest({ method: 'POST', path: '/api/orders', body: big, headers: { 'content-type': 'application/json' } }));
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ status: 413, title: 'Content Too Large' });
  });

  it('answers 422 for an unknown product, pointing at the line', async () => {
    const response = await post(
      postJson('/api/orders', orderRequest({ items: [{ productId: 'dog-leash', quantity: 1 }, { productId: 'unicorn', quantity: 1 }] })),
    );
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({
      status: 422,
      errors: [{ path: 'items.1.productId', message: expect.stringContaining('unicorn') }],
    });
  });

  it('replays the first order for the same Idempotency-Key and body (200), and 409s for another body', async () => {
    const key = { 'idempotency-key': `key-${Date.now()}` };
    const first = await post(postJson('/api/orders', orderRequest(), key));
    const published = appUnderTest.publisher.events.length;
    const again = await post(postJson('/api/orders', orderRequest(), key));
    const other = await post(postJson('/api/orders', orderRequest({ items: [{ productId: 'dog-leash', quantity: 1 }] }), key));

    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect((again.json as { id: string }).id).toBe((first.json as { id: string }).id);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(appUnderTest.publisher.events.length).toBe(published);
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // The conflict says the key is taken, and nothing about the order that took it.
    expect(other.text).not.toContain((first.json as { id: string }).id);
    expect(other.headers.get('location')).toBeNull();
  });

  it('scopes an Idempotency-Key to its customer: another customer with the same key gets an order of its own', async () => {
    const key = { 'idempotency-key': `shared-${Date.now()}` };
    const ada = await post(postJson('/api/orders', orderRequest({ customerId: 'cust-ada' }), key));
    const eve = await post(postJson('/api/orders', orderRequest({ customerId: 'cust-eve' }), key));
    const eveOtherBody = await post(postJson('/api/orders', orderRequest({ customerId: 'cust-eve', sagaStyle: 'choreography' }), key));

    expect(ada.status).toBe(202);
    expect(eve.status).toBe(202);
    const adaId = (ada.json as { id: string }).id;
    expect((eve.json as { id: string; customerId: string }).customerId).toBe('cust-eve');
    expect((eve.json as { id: string }).id).not.toBe(adaId);
    expect(eveOtherBody.status).toBe(409);
    expect(eveOtherBody.text).not.toContain(adaId);
    expect(eveOtherBody.text).not.toContain((eve.json as { id: string }).id);
  });

  it('answers 400 for an unusable Idempotency-Key', async () => {
    const response = await post(postJson('/api/orders', orderRequest(), { 'idempotency-key': 'x'.repeat(300) }));
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ errors: [{ path: 'Idempotency-Key' }] });
  });

  it('honours simulateFailure only when ALLOW_FAILURE_SIMULATION is on', async () => {
    const withSimulation = await post(postJson('/api/orders', orderRequest({ simulateFailure: 'payment' })));
    expect(withSimulation.status).toBe(202);

    const services = await appUnderTest.withoutSimulation();
    const handler = createOrderHandler(async () => services);
    const response = readResponse(
      await handler(postJson('/api/orders', orderRequest({ simulateFailure: 'payment' })), invocationContext('createOrder')),
    );
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ errors: [{ path: 'simulateFailure' }] });
  });

  it('turns a fault of the service into a 500 problem document with no stack, and logs it', async () => {
    const logs = captureLogs();
    const handler = createOrderHandler(async () => {
      throw new Error('database exploded at secret-host:443');
    });
    const response = readResponse(
      await handler(postJson('/api/orders', orderRequest(), { 'x-correlation-id': 'corr-500' }), invocationContext('createOrder', logs)),
    );
    expect(response.status).toBe(500);
    expect(response.headers.get('x-correlation-id')).toBe('corr-500');
    expect(response.json).toMatchObject({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
    expect(response.text).not.toMatch(/exploded|secret-host|\bat\s+\S+\s+\(/);
    expect(logs.text()).toContain('database exploded');
    expect(logs.text()).toContain('corr-500');
  });
});
