import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceBusReceiver } from '@azure/service-bus';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBrokerProbe, ServiceBusQueueProbe, type ReceiverFactory } from '../../src/messaging/broker-probe';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A plain HTTP server standing in for the embedded host's admin listing. */
async function serve(answer: (res: http.ServerResponse) => void): Promise<string> {
  const server = http.createServer((req, res) => {
    if (req.url === '/admin/servicebus') answer(res);
    else res.writeHead(404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/servicebus`;
}

const json = (status: number, body: unknown) => (res: http.ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('EmbeddedBrokerProbe', () => {
  it('passes when the broker lists the orders queue', async () => {
    const url = await serve(json(200, { entities: [{ path: 'orders', active: 0 }, { path: 'order-events' }] }));
    await expect(new EmbeddedBrokerProbe(url).check()).resolves.toBeUndefined();
  });

  it.each([
    ['has no orders queue', json(200, { entities: [{ path: 'order-events' }] })],
    ['answers with an error', json(500, { title: 'boom' })],
    ['answers something else', (res: http.ServerResponse) => res.writeHead(200).end('<html>')],
  ])('fails when the broker %s', async (_why, answer) => {
    const url = await serve(answer);
    await expect(new EmbeddedBrokerProbe(url).check()).rejects.toThrow(/embedded broker/);
  });

  it('fails within its timeout when the broker never answers, and when nothing listens', async () => {
    const url = await serve(() => undefined);
    const started = Date.now();
    await expect(new EmbeddedBrokerProbe(url, 200).check()).rejects.toThrow(/did not answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(new EmbeddedBrokerProbe('http://127.0.0.1:1/servicebus', 200).check()).rejects.toThrow(/did not answer/);
  });
});

describe('ServiceBusQueueProbe', () => {
  function clientWith(peek: ServiceBusReceiver['peekMessages']) {
    const calls: Array<{ queue: string; maxMessageCount: number }> = [];
    const client = {
      createReceiver: (queue: string) =>
        ({
          peekMessages: (maxMessageCount: number, options) => {
            calls.push({ queue, maxMessageCount });
            return peek(maxMessageCount, options);
          },
          close: async () => undefined,
        }) as ServiceBusReceiver,
      close: async () => undefined,
    } as unknown as ReceiverFactory;
    return { client, calls };
  }

  it('peeks one message on the orders queue, every time it is asked', async () => {
    const { client, calls } = clientWith(async () => []);
    const probe = new ServiceBusQueueProbe(client);
    await probe.check();
    await probe.check();
    expect(calls).toEqual([
      { queue: 'orders', maxMessageCount: 1 },
      { queue: 'orders', maxMessageCount: 1 },
    ]);
  });

  it('fails with the reason when the peek fails', async () => {
    const { client } = clientWith(async () => Promise.reject(new Error('Unauthorized: Listen claim required')));
    await expect(new ServiceBusQueueProbe(client).check()).rejects.toThrow(/peek on "orders".*Listen claim required/);
  });

  it('fails within its timeout against a namespace that is not there (the real client)', async () => {
    const probe = ServiceBusQueueProbe.forNamespace(
      {
        kind: 'namespace',
        connectionString: 'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
      },
      500,
    );
    const started = Date.now();
    try {
      await expect(probe.check()).rejects.toThrow(/did not answer a peek on "orders" within 500 ms/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await probe.close();
    }
  });
});
