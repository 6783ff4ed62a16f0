import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurableEngine } from '../../src/local-host/durable/engine';
import { startHost, type RunningHost } from '../../src/local-host/host';
import type { EntityInfo, ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { HostStatsEndpoint } from '../../src/local-host/stats-endpoint';
import { captureLogs, fixture, json, waitFor } from './helpers';

interface Stats {
  cosmos: { mode: string; endpoint: string; requests: number | null };
  serviceBus: { sent: number; duplicatesDropped: number; delivered: number; completed: number; abandoned: number; deadLettered: number; activeMessages: number; lockedMessages: number };
  durable: Record<string, number>;
  functionInvocations: number;
  process: { residentBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number; arrayBuffersBytes: number };
}

let host: RunningHost;
const logs = captureLogs();

beforeAll(async () => {
  host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: logs.sink });
});
afterAll(async () => {
  await host?.stop();
});

async function stats(): Promise<Stats> {
  const response = await fetch(`${host.url}/admin/host/stats`);
  expect(response.status).toBe(200);
  return json<Stats>(response);
}

function send(queue: string, body: unknown, messageId: string): Promise<Response> {
  return fetch(`${host.url}/servicebus/${queue}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', BrokerProperties: JSON.stringify({ MessageId: messageId }) },
    body: JSON.stringify(body),
  });
}

describe('GET /admin/host/stats', () => {
  it('counts what the broker accepted, delivered and settled, and what the database served', async () => {
    const before = await stats();
    expect(before.cosmos.mode).toBe('embedded');

    expect((await send('work', { n: 1, failTimes: 1 }, 'stats-1')).status).toBe(201);
    await waitFor(async () => (await stats()).serviceBus.completed > before.serviceBus.completed, 'the message to complete');
    expect((await send('dedupe', { n: 2 }, 'stats-2')).status).toBe(201);
    expect((await send('dedupe', { n: 2 }, 'stats-2')).status).toBe(201);

    const client = new CosmosClient({ endpoint: host.cosmos.endpoint, key: 'any', connectionPolicy: { enableEndpointDiscovery: false } });
    await client.databases.createIfNotExists({ id: 'stats-test' });
    client.dispose();

    const after = await waitFor(async () => {
      const now = await stats();
      return now.serviceBus.completed >= before.serviceBus.completed + 2 ? now : undefined;
    }, 'both messages to complete');
    expect(after.serviceBus.sent - before.serviceBus.sent).toBe(2);
    expect(after.serviceBus.duplicatesDropped - before.serviceBus.duplicatesDropped).toBe(1);
    expect(after.serviceBus.abandoned - before.serviceBus.abandoned).toBe(1);
    expect(after.serviceBus.delivered - before.serviceBus.delivered).toBe(3);
    expect(after.functionInvocations - before.functionInvocations).toBe(3);
    expect((after.cosmos.requests ?? 0) - (before.cosmos.requests ?? 0)).toBeGreaterThanOrEqual(1);
    expect(after.durable.episodes).toBe(0);
  });

  it("reports the process's memory and the messages waiting in the broker", async () => {
    const retained = Buffer.alloc(64 * 1024 * 1024, 1);
    const { process: memory, serviceBus } = await stats();
    // The host runs in this process here: its figures are this process's, the 64 MiB buffer included.
    expect(memory.residentBytes).toBeGreaterThanOrEqual(retained.length);
    expect(memory.arrayBuffersBytes).toBeGreaterThanOrEqual(retained.length);
    expect(memory.heapUsedBytes).toBeGreaterThan(0);
    expect(memory.heapTotalBytes).toBeGreaterThanOrEqual(memory.heapUsedBytes);
    expect(memory.residentBytes).toBeLessThan(process.memoryUsage().rss * 2);
    expect(serviceBus).toMatchObject({ activeMessages: expect.any(Number), lockedMessages: expect.any(Number) });
    retained.fill(0);
  });

  it('adds up the waiting messages over every queue and subscription', async () => {
    const entities: Partial<EntityInfo>[] = [
      { path: 'orders', kind: 'queue', active: 7, locked: 2 },
      { path: 'events', kind: 'topic', active: 0, locked: 0 },
      { path: 'events/subscriptions/audit', kind: 'subscription', active: 5, locked: 1 },
    ];
    const broker = { entities: () => entities, totals: () => ({ sent: 12 }) } as unknown as ServiceBusBroker;
    const endpoint = new HostStatsEndpoint({
      cosmos: { mode: 'embedded', endpoint: 'http://127.0.0.1:1', requests: () => 3 },
      broker,
      durable: { counters: {} } as unknown as DurableEngine,
      invocations: () => 0,
    });
    const server = http.createServer((req, res) => void endpoint.handle(req, res, new URL(req.url ?? '/', 'http://localhost')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/host/stats`);
      const body = await json<Stats>(response);
      expect(body.serviceBus).toEqual({ sent: 12, activeMessages: 12, lockedMessages: 3 });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 405 to anything but GET', async () => {
    const response = await fetch(`${host.url}/admin/host/stats`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('allow')).toBe('GET');
  });
});
