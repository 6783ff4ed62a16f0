import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import { HostHttpServer } from '../../src/local-host/http-server';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { createLogger } from '../../src/local-host/logger';
import { ServiceBusAdminEndpoint } from '../../src/local-host/servicebus/admin-endpoint';
import { ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { parseBrokerConfig, type BrokerConfig } from '../../src/local-host/servicebus/config';
import { jsonNestingDepth } from '../../src/local-host/json-depth';
import { ServiceBusSendEndpoint } from '../../src/local-host/servicebus/send-endpoint';
import { captureLogs, fixture, json } from './helpers';

const quiet = createLogger({ level: 'silent' });
const deep = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

function config(queue: Record<string, unknown>): BrokerConfig {
  return parseBrokerConfig(JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'sbemulatorns', Queues: [{ Name: 'q', Properties: queue }], Topics: [] }] } }));
}

describe('jsonNestingDepth', () => {
  it('counts arrays and objects outside strings', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonNestingDepth('{"a":"[[[[\\"[[["}')).toBe(1);
    expect(jsonNestingDepth(deep(100_000))).toBe(100_000);
  });
});

describe('deeply nested messages', () => {
  it('are refused on send with a 400, single and batch', async () => {
    const broker = new ServiceBusBroker({ config: config({}), clock: createVirtualClock(), logger: quiet });
    const server = new HostHttpServer(quiet);
    const port = await server.listen(0);
    server.setHandlers([new ServiceBusSendEndpoint(broker)]);
    try {
      const single = await fetch(`http://127.0.0.1:${port}/servicebus/q/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep(100_000) });
      expect(single.status).toBe(400);
      expect(await json(single)).toMatchObject({ detail: expect.stringMatching(/nests deeper than 64 levels/) });
      const batch = await fetch(`http://127.0.0.1:${port}/servicebus/q/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.microsoft.servicebus.json' },
        body: `[{"Body":${deep(100_000)}}]`,
      });
      expect(batch.status).toBe(400);
      const fine = await fetch(`http://127.0.0.1:${port}/servicebus/q/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep(60) });
      expect(fine.status).toBe(201);
      expect(broker.totals().sent).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('already in a dead-letter queue do not break its listing', async () => {
    const broker = new ServiceBusBroker({ config: config({ MaxDeliveryCount: 1 }), clock: createVirtualClock(), logger: quiet });
    const store = broker.queueStore('q', 'test');
    // As an output binding would: straight into the broker, past the send endpoint's check.
    broker.send('q', [{ body: Buffer.from(deep(100_000)), contentType: 'application/json' }]);
    store.abandon(store.receive()?.lockToken as string, 'handler failed');
    expect(store.deadLetterCount).toBe(1);
    const server = new HostHttpServer(quiet);
    const port = await server.listen(0);
    server.setHandlers([new ServiceBusAdminEndpoint(broker)]);
    try {
      for (let i = 0; i < 2; i++) {
        const listing = await fetch(`http://127.0.0.1:${port}/admin/servicebus/q/deadletter`);
        expect(listing.status).toBe(200);
        const { messages } = await json<{ messages: Array<{ body: unknown }> }>(listing);
        expect(messages[0]?.body).toBe(deep(100_000));
      }
    } finally {
      await server.close();
    }
  });

  it('lists the first ?top= messages of a queue, and answers 400 for a top that is not a whole number in range', async () => {
    const broker = new ServiceBusBroker({ config: config({}), clock: createVirtualClock(), logger: quiet });
    broker.send('q', Array.from({ length: 5 }, (_, i) => ({ body: Buffer.from(String(i)) })));
    const store = broker.queueStore('q', 'test');
    const held = store.receive();
    const server = new HostHttpServer(quiet);
    const port = await server.listen(0);
    server.setHandlers([new ServiceBusAdminEndpoint(broker)]);
    try {
      const listing = await fetch(`http://127.0.0.1:${port}/admin/servicebus/q/messages?top=2`);
      expect(listing.status).toBe(200);
      // The locked message is not listed; the first two available ones are.
      expect((await json<{ messages: Array<{ body: unknown }> }>(listing)).messages.map((m) => m.body)).toEqual([1, 2]);
      const all = await json<{ messages: unknown[] }>(await fetch(`http://127.0.0.1:${port}/admin/servicebus/q/messages`));
      expect(all.messages).toHaveLength(4);
      for (const top of ['0', '-1', '1.5', 'ten', '10001']) {
        const bad = await fetch(`http://127.0.0.1:${port}/admin/servicebus/q/deadletter?top=${top}`);
        expect(bad.status).toBe(400);
        expect(bad.headers.get('content-type')).toBe('application/problem+json');
      }
    } finally {
      await server.close();
      store.complete(held?.lockToken as string);
      await broker.close();
    }
  });
});

describe('resubmitting an expired message', () => {
  it('enqueues it as a new message with a new sequence number and the entity TTL', () => {
    const clock = createVirtualClock();
    const broker = new ServiceBusBroker({ config: config({ DeadLetteringOnMessageExpiration: true, DefaultMessageTimeToLive: 'PT1H' }), clock, logger: quiet });
    const store = broker.queueStore('q', 'test');
    const [sent] = broker.send('q', [{ body: Buffer.from('{"a":1}'), messageId: 'short-lived', timeToLiveMs: 1_000 }]);
    clock.advanceBy(5_000);
    expect(store.receive()).toBeUndefined();
    const [dead] = store.deadLetters();
    expect(dead?.deadLetterReason).toBe('TTLExpiredException');

    const resubmitted = broker.resubmit('q', dead?.sequenceNumber as number);
    expect(resubmitted?.sequenceNumber).toBeGreaterThan(sent?.sequenceNumber as number);
    clock.advanceBy(5_000);
    const delivered = store.receive();
    expect(delivered?.messageId).toBe('short-lived');
    expect(delivered?.sequenceNumber).toBe(resubmitted?.sequenceNumber);
    expect(delivered?.expiresAtUtc.getTime()).toBe((delivered?.enqueuedTimeUtc.getTime() as number) + 3_600_000);
    expect(store.deadLetterCount).toBe(0);
  });
});

describe('entities a sender names', () => {
  let host: RunningHost;
  beforeAll(async () => {
    host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: captureLogs().sink, env: { UNDECLARED_QUEUE_NAME: 'not-declared' } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it.each(['no-such-queue', '__proto__', 'constructor', 'toString'])('answer 404 for "%s", which Config.json does not declare, and create nothing', async (name) => {
    const before = host.broker.entities().map((e) => e.path);
    const response = await fetch(`${host.url}/servicebus/${name}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(host.broker.entities().map((e) => e.path)).toEqual(before);
  });

  it('still accept declared queues and queues a trigger uses', async () => {
    for (const name of ['outbox', 'not-declared']) {
      const response = await fetch(`${host.url}/servicebus/${name}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
      expect(response.status).toBe(201);
    }
  });
});
