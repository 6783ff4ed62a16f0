import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture, json, waitFor } from './helpers';

interface Stats {
  cosmos: { mode: string; endpoint: string; requests: number | null };
  serviceBus: { sent: number; duplicatesDropped: number; delivered: number; completed: number; abandoned: number; deadLettered: number };
  durable: Record<string, number>;
  functionInvocations: number;
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

  it('answers 405 to anything but GET', async () => {
    const response = await fetch(`${host.url}/admin/host/stats`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('allow')).toBe('GET');
  });
});
