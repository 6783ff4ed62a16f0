import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TransientFault } from '../../src/domain';
import { EmbeddedBrokerPublisher } from '../../src/messaging';
import { orderCreated, sampleEvent } from './events';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Stands in for the embedded host's broker endpoint and records what it was sent. */
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let reply: { status: number; body: string } = { status: 201, body: '' };

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(reply.status, { 'Content-Type': 'text/plain' }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/servicebus`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  reply = { status: 201, body: '' };
});

describe('EmbeddedBrokerPublisher', () => {
  it('posts each message to its queue the way the Service Bus REST API does', async () => {
    const event = orderCreated('orchestration');
    await new EmbeddedBrokerPublisher(`${baseUrl}/`).publish([event]);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/servicebus/orders/messages');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(String(request.headers.brokerproperties))).toEqual({
      MessageId: event.id,
      Label: 'OrderCreated',
      CorrelationId: 'corr-order-1',
    });
    expect(JSON.parse(String(request.headers['x-application-properties']))).toEqual({
      orderId: 'order-1',
      eventType: 'OrderCreated',
      sagaStyle: 'orchestration',
    });
    expect(JSON.parse(request.body)).toEqual(event);
  });

  it('fans an event out to every queue its route names, keeping order per queue', async () => {
    await new EmbeddedBrokerPublisher(baseUrl).publish([
      orderCreated('choreography', 'a'),
      sampleEvent('InventoryReserved', 'a'),
    ]);
    const byQueue = (queue: string) =>
      received
        .filter((request) => request.url === `/servicebus/${queue}/messages`)
        .map((request) => (JSON.parse(request.body) as { type: string }).type);
    expect(byQueue('inventory-events')).toEqual(['OrderCreated']);
    expect(byQueue('payment-events')).toEqual(['InventoryReserved']);
    expect(byQueue('order-events')).toEqual(['OrderCreated', 'InventoryReserved']);
    expect(received).toHaveLength(4);
  });

  it('sends nothing for events without subscribers', async () => {
    await new EmbeddedBrokerPublisher(baseUrl).publish([sampleEvent('OrderCompleted')]);
    expect(received).toEqual([]);
  });

  it('reports a refused message as a transient fault with the status and the body', async () => {
    reply = { status: 503, body: 'broker is stopping' };
    const publishing = new EmbeddedBrokerPublisher(baseUrl).publish([sampleEvent('OrderFulfilled')]);
    await expect(publishing).rejects.toBeInstanceOf(TransientFault);
    await expect(publishing).rejects.toThrow(/order-events.*503 broker is stopping/);
  });

  it('sends a resend under a new message id and the same event, once per resend value', async () => {
    const event = orderCreated('orchestration');
    const publisher = new EmbeddedBrokerPublisher(baseUrl);
    await publisher.publish([event], { resend: '1000' });
    await publisher.publish([event], { resend: '2000' });
    const ids = received.map((request) => (JSON.parse(String(request.headers.brokerproperties)) as { MessageId: string }).MessageId);
    expect(ids).toEqual([`${event.id}~resent-1000`, `${event.id}~resent-2000`]);
    expect(received.map((request) => JSON.parse(request.body) as unknown)).toEqual([event, event]);
  });

  it('gives up a send when the caller aborts it', async () => {
    reply = { status: 201, body: '' };
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/servicebus`;
    try {
      const started = performance.now();
      const publishing = new EmbeddedBrokerPublisher(url).publish([sampleEvent('OrderFulfilled')], { signal: AbortSignal.timeout(200) });
      await expect(publishing).rejects.toBeInstanceOf(TransientFault);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports an unreachable broker as a transient fault', async () => {
    const publishing = new EmbeddedBrokerPublisher('http://127.0.0.1:1/servicebus').publish([sampleEvent('OrderFulfilled')]);
    await expect(publishing).rejects.toBeInstanceOf(TransientFault);
    await expect(publishing).rejects.toThrow(/Could not reach the embedded broker/);
  });
});
