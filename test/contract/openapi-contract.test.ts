import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { APP_DIR, DECLINED_CARD, orderRequest, startApp } from '../e2e/orders';
import type { SagaClient } from '../support/saga-client';
import { OpenApiChecker } from './openapi-checker';

/*
 * The contract test: real requests to the embedded host for every route and status the OpenAPI document
 * lists, each answer checked against the document it serves, and the document checked as OpenAPI 3.1.
 */
let host: RunningHost | undefined;
let client: SagaClient;
let document: Record<string, unknown>;
let api: OpenApiChecker;
/** Answers seen from the second host (the one whose database does not answer). */
const seenElsewhere: string[] = [];
const LINE = { productId: 'hamster-wheel', quantity: 1 };
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

beforeAll(async () => {
  ({ host, client } = await startApp());
  document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as Record<string, unknown>;
  api = new OpenApiChecker(document, host.url);
});

afterAll(async () => {
  await host?.stop();
});

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('holds schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowMatchingProperties: true, keywords: ['example'] });
    for (const [name, schema] of Object.entries((document.components as { schemas: Record<string, object> }).schemas)) {
      expect(ajv.validateSchema(schema), `${name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    }
  });

  it('documents every HTTP function of the app, by its name', () => {
    const operationIds = Object.values(api.paths).flatMap((operations) => Object.values(operations).map((operation) => operation.operationId));
    // The catch-all has no path of its own: it is the 404 and 405 answers the document lists for the others.
    const httpFunctions = host!.functions
      .filter((fn) => fn.trigger.type === 'httpTrigger' && fn.trigger.route !== '{*rest}')
      .map((fn) => fn.name);
    expect(httpFunctions.length).toBeGreaterThan(5);
    for (const name of httpFunctions) expect(operationIds).toContain(name);
  });
});

describe('every documented answer, from the embedded host', () => {
  it('POST /api/orders: 202 with Location, 200 for a replayed Idempotency-Key, 409 for the same key with another body', async () => {
    const key = randomUUID();
    const accepted = await api.send('POST', '/api/orders', json(orderRequest([LINE]), { 'idempotency-key': key }));
    expect(accepted.status).toBe(202);
    const order = accepted.body as { id: string; status: string };
    expect(order.status).toBe('Pending');
    expect(accepted.headers.get('location')).toBe(`/api/orders/${order.id}`);

    const replayed = await api.send('POST', '/api/orders', json(orderRequest([LINE]), { 'idempotency-key': key }));
    expect(replayed.status).toBe(200);
    expect((replayed.body as { id: string }).id).toBe(order.id);

    const conflict = await api.send('POST', '/api/orders', json(orderRequest([{ ...LINE, quantity: 2 }]), { 'idempotency-key': key }));
    expect(conflict.status).toBe(409);
    await client.finalOrder(order.id);
  });

  it('POST /api/orders: 400 for malformed JSON, an invalid body and an invalid Idempotency-Key', async () => {
    const malformed = await api.send('POST', '/api/orders', { headers: { 'content-type': 'application/json' }, body: '{"customerId":' });
    expect(malformed.status).toBe(400);

    const invalid = await api.send('POST', '/api/orders', json(orderRequest([{ productId: 'dog-leash', quantity: 0 }], { sagaStyle: 'saga' })));
    expect(invalid.status).toBe(400);
    expect((invalid.body as { errors: Array<{ path: string }> }).errors.map((error) => error.path)).toEqual(['items.0.quantity', 'sagaStyle']);

    const badKey = await api.send('POST', '/api/orders', json(orderRequest([LINE]), { 'idempotency-key': 'x'.repeat(300) }));
    expect(badKey.status).toBe(400);
  });

  it('POST /api/orders: 413 for a body over 64 KiB, 415 for a body that is not JSON, 422 for an unknown product', async () => {
    const large = await api.send('POST', '/api/orders', json(orderRequest([LINE], { customerId: 'c'.repeat(70 * 1024) })));
    expect(large.status).toBe(413);

    const text = await api.send('POST', '/api/orders', { headers: { 'content-type': 'text/plain' }, body: JSON.stringify(orderRequest([LINE])) });
    expect(text.status).toBe(415);

    const unknown = await api.send('POST', '/api/orders', json(orderRequest([{ productId: 'unicorn-saddle', quantity: 1 }])));
    expect(unknown.status).toBe(422);
  });

  it('GET /api/orders: 200 with a page, 400 for a limit out of range', async () => {
    const page = await api.send('GET', '/api/orders?limit=5&status=Completed');
    expect(page.status).toBe(200);
    expect((page.body as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect((await api.send('GET', '/api/orders?limit=0')).status).toBe(400);
    expect((await api.send('GET', '/api/orders?status=Lost')).status).toBe(400);
  });

  it('GET /api/orders/{id} and /saga: 200 for a completed and for a compensated order, 404 for an unknown one', async () => {
    const completed = await client.postOrder(orderRequest([LINE]));
    const declined = await client.postOrder(orderRequest([LINE], { payment: DECLINED_CARD, sagaStyle: 'choreography' }));
    for (const id of [completed.body.id, declined.body.id]) {
      await client.finalOrder(id);
      expect((await api.send('GET', `/api/orders/${id}`)).status).toBe(200);
      const saga = await api.send('GET', `/api/orders/${id}/saga`);
      expect(saga.status).toBe(200);
    }
    const compensated = (await api.send('GET', `/api/orders/${declined.body.id}/saga`)).body as { compensation: { steps: Array<{ name: string }> } };
    expect(compensated.compensation.steps.map((step) => step.name)).toEqual(['RefundPayment', 'ReleaseInventory']);

    expect((await api.send('GET', '/api/orders/no-such-order')).status).toBe(404);
    expect((await api.send('GET', '/api/orders/no-such-order/saga')).status).toBe(404);
  });

  it('POST /api/orders/{id}/saga/resume: 202 for a saga that ended CompensationFailed, 409 for a completed one, 404 for an unknown order', { timeout: 60_000 }, async () => {
    const stuck = await client.postOrder(orderRequest([LINE], { simulateFailure: 'refund' }));
    const completed = await client.postOrder(orderRequest([LINE]));
    expect((await client.finalOrder(stuck.body.id, 45_000)).status).toBe('Failed');
    await client.finalOrder(completed.body.id);
    const resumed = await api.send('POST', `/api/orders/${stuck.body.id}/saga/resume`);
    expect(resumed.status).toBe(202);
    expect(resumed.body).toMatchObject({ orderId: stuck.body.id, action: 'compensations-resumed' });
    expect((await api.send('POST', `/api/orders/${completed.body.id}/saga/resume`)).status).toBe(409);
    expect((await api.send('POST', '/api/orders/no-such-order/saga/resume')).status).toBe(404);
  });

  it('GET /api/products and /api/products/{id}: 200, and 404 for an unknown product', async () => {
    expect((await api.send('GET', '/api/products')).status).toBe(200);
    expect((await api.send('GET', '/api/products/dog-leash')).status).toBe(200);
    expect((await api.send('GET', '/api/products/unicorn-saddle')).status).toBe(404);
  });

  it('GET /api/health: 200 when ready, with Cache-Control: no-store', async () => {
    const health = await api.send('GET', '/api/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('cache-control')).toBe('no-store');
  });

  it('the pages: the OpenAPI document, the reference page and the dashboard with their files, 404 for another file', async () => {
    expect((await api.send('GET', '/api/openapi.json')).status).toBe(200);
    const reference = await api.send('GET', '/api/docs');
    expect(reference.status).toBe(200);
    expect(reference.text).toContain('/api/docs/swagger-ui-bundle.js');
    const bundle = await api.send('GET', '/api/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text).toContain('SwaggerUIBundle');
    expect((await api.send('GET', '/api/docs/package.json')).status).toBe(404);

    const dashboard = await api.send('GET', '/api/dashboard');
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect((await api.send('GET', '/api/dashboard/dashboard.js')).status).toBe(200);
    expect((await api.send('GET', '/api/dashboard/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('an undocumented path answers 404 and an undocumented method 405 with Allow, both problem documents', async () => {
    expect((await api.send('GET', '/api/no-such-thing')).status).toBe(404);
    expect((await api.send('DELETE', '/api/orders')).status).toBe(405);
  });

  it('GET /api/health: 503 with the failed checks when the database does not answer', async () => {
    await host?.stop();
    // Nothing listens on the discard port: the database check fails, everything else is as before.
    host = await startHost({
      appDir: APP_DIR,
      port: 0,
      quiet: true,
      env: { COSMOS_ENDPOINT: 'https://127.0.0.1:9/', COSMOS_KEY: Buffer.from('not-a-key').toString('base64') },
    });
    const unready = new OpenApiChecker(document, host.url);
    const health = await unready.send('GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 503, checks: { cosmos: 'failed' } });
    seenElsewhere.push(...unready.seenAnswers());
  });

  it('has seen every documented answer', () => {
    expect([...new Set([...api.seenAnswers(), ...seenElsewhere])].sort()).toEqual(api.documentedAnswers().sort());
  });
});
