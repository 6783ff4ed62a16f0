import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceBusEventPublisher } from '../../src/messaging';
import { orderCreated } from './events';

/*
 * A broker that accepts the TCP connection and never answers: the SDK's default retries keep a send
 * waiting for a minute or more. The publish options' abort signal is what bounds it.
 */
let server: Server;
let port: number;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('ServiceBusEventPublisher against a broker that never answers', () => {
  it('gives up as soon as the abort signal fires', async () => {
    const publisher = ServiceBusEventPublisher.fromConnectionString(
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    );
    const started = performance.now();
    try {
      await expect(publisher.publish([orderCreated('orchestration')], { signal: AbortSignal.timeout(500) })).rejects.toThrow();
      const elapsed = performance.now() - started;
      expect(sockets.length).toBeGreaterThan(0);
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(5_000);
    } finally {
      await Promise.race([publisher.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
    }
  }, 20_000);
});
