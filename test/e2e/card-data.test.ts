import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHost } from '../../src/local-host/host';
import { expectNoCardData } from '../support/card-data';
import type { SagaClient } from '../support/saga-client';
import { orderRequest, startApp } from './orders';

/*
 * No card data in any form through any API: the order, the listing, the saga record, and the Durable
 * management API with everything it can show (input, history, history outputs), in both saga styles, for a
 * card that is charged, one the issuer declines, and one refused for its total.
 */
let host: RunningHost;
let client: SagaClient;

beforeAll(async () => {
  ({ host, client } = await startApp());
});

afterAll(async () => {
  await host?.stop();
});

const DURABLE = '/runtime/webhooks/durabletask/instances';
const CASES = [
  { card: '4242424242424242', lines: [{ productId: 'dog-food-5kg', quantity: 1 }], status: 'Completed', payment: 'Captured' },
  { card: '4000000000000002', lines: [{ productId: 'dog-food-5kg', quantity: 1 }], status: 'Cancelled', payment: 'Declined' },
  { card: '5555555555554444', lines: [{ productId: 'premium-aquarium', quantity: 3 }], status: 'Cancelled', payment: 'Declined' },
] as const;

describe.each(['orchestration', 'choreography'] as const)('no card data through any API (%s)', (sagaStyle) => {
  it.each(CASES)('card $card: the saga decides as before, and no answer holds the card in any form', async ({ card, lines, status, payment }) => {
    const customerId = `cust-card-${sagaStyle}-${card.slice(-4)}`;
    const accepted = await client.postOrder(
      orderRequest([...lines], { customerId, sagaStyle, payment: { method: 'card', cardNumber: card } }),
      { 'idempotency-key': `card-${sagaStyle}-${card}` },
    );
    expect(accepted.status).toBe(202);
    const orderId = accepted.body.id;
    const order = await client.finalOrder(orderId);
    expect(order).toMatchObject({ status, payment: { status: payment, last4: card.slice(-4) } });

    const answers: Array<[string, string]> = [];
    const read = async (path: string) => {
      const response = await fetch(`${host.url}${path}`);
      answers.push([path, await response.text()]);
      return response.status;
    };
    expect(await read(`/api/orders/${orderId}`)).toBe(200);
    expect(await read(`/api/orders/${orderId}/saga`)).toBe(200);
    expect(await read(`/api/orders?customerId=${customerId}`)).toBe(200);
    expect(await read(`/api/orders?limit=100`)).toBe(200);
    const everything = 'showInput=true&showHistory=true&showHistoryOutput=true';
    const instance = await read(`${DURABLE}/${orderId}?${everything}`);
    expect(instance).toBe(sagaStyle === 'orchestration' ? 200 : 404);
    expect(await read(`${DURABLE}?showInput=true&top=1000`)).toBe(200);

    for (const [path, text] of answers) expectNoCardData(text, card, path);
    if (sagaStyle === 'orchestration') {
      // The history really is there, so the check below reads what the task hub keeps.
      const history = JSON.parse(answers.find(([path]) => path.startsWith(`${DURABLE}/`))?.[1] ?? '{}');
      expect(history.historyEvents?.length).toBeGreaterThan(3);
      expect(JSON.stringify(history.input)).toContain('paymentReference');
    }
  });
});
