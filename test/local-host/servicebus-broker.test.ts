import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import type { FunctionInvoker, RegisteredFunction } from '../../src/local-host/contracts';
import { HostHttpServer } from '../../src/local-host/http-server';
import { createLogger } from '../../src/local-host/logger';
import { ServiceBusBroker, UnknownEntityError } from '../../src/local-host/servicebus/broker';
import { loadBrokerConfig, parseBrokerConfig, type BrokerConfig } from '../../src/local-host/servicebus/config';
import { EmbeddedServiceBusConsumer } from '../../src/local-host/servicebus/embedded-consumer';
import { parseSimpleSql } from '../../src/local-host/servicebus/filters';
import { ServiceBusSendEndpoint } from '../../src/local-host/servicebus/send-endpoint';
import { bodyToTypedData } from '../../src/local-host/servicebus/trigger-data';
import { captureLogs, fixture, waitFor } from './helpers';

const quiet = createLogger({ level: 'silent' });

function config(queue: Record<string, unknown>, topics: unknown[] = []): BrokerConfig {
  return parseBrokerConfig(JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'sbemulatorns', Queues: [{ Name: 'q', Properties: queue }], Topics: topics }] } }));
}

const body = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)) });

describe('Config.json', () => {
  it('reads entities, durations, duplicate detection and rules from the fixture file', () => {
    const parsed = loadBrokerConfig(`${fixture('servicebus-app')}/servicebus/Config.json`);
    const work = parsed.queues.find((q) => q.name === 'work');
    expect(work?.settings).toMatchObject({ maxDeliveryCount: 3, lockDurationMs: 30_000, defaultTtlMs: 3_600_000 });
    expect(parsed.queues.find((q) => q.name === 'dedupe')?.duplicateDetection).toEqual({ enabled: true, windowMs: 60_000 });
    const shipped = parsed.topics[0]?.subscriptions.find((s) => s.name === 'shipped');
    expect(shipped?.rules).toEqual([{ name: 'shipped-only', filterType: 'Correlation', correlation: { label: 'OrderShipped' } }]);
  });

  it('applies the emulator defaults to declared entities', () => {
    expect(config({}).queues[0]?.settings).toMatchObject({ maxDeliveryCount: 3, lockDurationMs: 60_000 });
  });

  it('names the offending setting when the file is wrong', () => {
    expect(() => config({ MaxDeliveryCount: 'ten' })).toThrow(/Queues\[0\]\.MaxDeliveryCount/);
    expect(() => config({ LockDuration: '1 minute' })).toThrow(/Queues\[0\]\.LockDuration is not an ISO 8601 duration/);
  });

  it('gives an empty config when there is no file', () => {
    expect(loadBrokerConfig('/nonexistent/Config.json')).toEqual({ queues: [], topics: [] });
    expect(fs.existsSync('/nonexistent/Config.json')).toBe(false);
  });
});

describe('peek-lock store', () => {
  it('locks on receive, redelivers on abandon and dead-letters at MaxDeliveryCount', () => {
    const broker = new ServiceBusBroker({ config: config({ MaxDeliveryCount: 2 }), clock: createVirtualClock(), logger: quiet });
    const store = broker.queueStore('q', 'test');
    broker.send('q', [body({ a: 1 })]);
    const first = store.receive();
    expect(first?.deliveryCount).toBe(1);
    expect(store.receive()).toBeUndefined();
    expect(store.lockedCount).toBe(1);
    expect(store.abandon(first?.lockToken as string, 'boom 1')).toBe('redelivered');
    const second = store.receive();
    expect(second?.deliveryCount).toBe(2);
    expect(store.abandon(second?.lockToken as string, 'boom 2')).toBe('deadlettered');
    expect(store.activeCount).toBe(0);
    expect(store.deadLetters()[0]).toMatchObject({ deadLetterReason: 'MaxDeliveryCountExceeded', deadLetterErrorDescription: 'boom 2', deliveryCount: 2 });
    expect(() => store.complete(second?.lockToken as string)).toThrow(/not held/);
  });

  it('puts an abandoned message back ahead of later ones', () => {
    const broker = new ServiceBusBroker({ config: config({ MaxDeliveryCount: 5 }), clock: createVirtualClock(), logger: quiet });
    const store = broker.queueStore('q', 'test');
    broker.send('q', [body(1), body(2)]);
    const one = store.receive();
    store.abandon(one?.lockToken as string);
    expect(store.receive()?.body.toString()).toBe('1');
  });

  it('expires messages after their time to live, dead-lettering them when configured', () => {
    const clock = createVirtualClock();
    const broker = new ServiceBusBroker({
      config: config({ DefaultMessageTimeToLive: 'PT5M', DeadLetteringOnMessageExpiration: true }),
      clock,
      logger: quiet,
    });
    const store = broker.queueStore('q', 'test');
    broker.send('q', [{ ...body('short'), timeToLiveMs: 1000 }, body('default')]);
    clock.advanceBy(2000);
    expect(store.receive()?.body.toString()).toBe('"default"');
    expect(store.deadLetters().map((m) => m.deadLetterReason)).toEqual(['TTLExpiredException']);
  });

  it('holds scheduled messages until their time', async () => {
    const clock = createVirtualClock();
    clock.pause();
    const broker = new ServiceBusBroker({ config: config({}), clock, logger: quiet });
    const store = broker.queueStore('q', 'test');
    const [result] = broker.send('q', [{ ...body('later'), scheduledEnqueueTimeUtc: new Date(clock.now().getTime() + 60_000) }]);
    expect(result?.scheduled).toBe(true);
    expect(store.activeCount).toBe(0);
    clock.advanceBy(60_000);
    await waitFor(() => store.activeCount === 1, 'the scheduled message');
  });

  it('forgets message ids once the duplicate detection window has passed', () => {
    const clock = createVirtualClock();
    const broker = new ServiceBusBroker({ config: config({ RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT20S' }), clock, logger: quiet });
    const send = () => broker.send('q', [{ ...body('x'), messageId: 'same' }])[0]?.duplicate;
    expect(send()).toBe(false);
    expect(send()).toBe(true);
    clock.advanceBy(21_000);
    expect(send()).toBe(false);
  });

  it('creates undeclared queues with defaults unless strict', () => {
    const logs = captureLogs();
    const broker = new ServiceBusBroker({ config: config({}), clock: createVirtualClock(), logger: createLogger({ sink: logs.sink }) });
    broker.send('elsewhere', [body(1)]);
    expect(broker.store('elsewhere')?.settings.maxDeliveryCount).toBe(10);
    expect(logs.text()).toContain('queue "elsewhere" (used by a sender) is not declared');
    const strict = new ServiceBusBroker({ config: config({}), clock: createVirtualClock(), logger: quiet, strict: true });
    expect(() => strict.send('elsewhere', [body(1)])).toThrow(UnknownEntityError);
  });
});

describe('subscription rules', () => {
  const topics = [
    {
      Name: 't',
      Subscriptions: [
        { Name: 'corr', Rules: [{ Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: { CorrelationId: 'c1', Properties: { region: 'eu' } } } }] },
        { Name: 'sql', Rules: [{ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: "sys.Label = 'A' AND priority = 2" } } }] },
        { Name: 'fancy', Rules: [{ Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: "region LIKE 'e%'" } } }] },
      ],
    },
  ];

  it('matches correlation filters on every field given, and simple SQL filters', () => {
    const logs = captureLogs();
    const broker = new ServiceBusBroker({ config: config({}, topics), clock: createVirtualClock(), logger: createLogger({ sink: logs.sink }) });
    broker.send('t', [
      { ...body(1), correlationId: 'c1', applicationProperties: { region: 'eu' } },
      { ...body(2), correlationId: 'c1', applicationProperties: { region: 'us' } },
      { ...body(3), subject: 'A', applicationProperties: { priority: 2 } },
      { ...body(4), subject: 'B', applicationProperties: { priority: 2 } },
    ]);
    const bodies = (path: string) => broker.store(path)?.activeMessages().map((m) => m.body.toString());
    expect(bodies('t/subscriptions/corr')).toEqual(['1']);
    expect(bodies('t/subscriptions/sql')).toEqual(['3']);
    // Unsupported SQL matches everything, with one warning.
    expect(bodies('t/subscriptions/fancy')).toEqual(['1', '2', '3', '4']);
    expect(logs.lines.filter((l) => l.includes('is not supported')).length).toBe(1);
  });

  it('parses the simple SQL subset and refuses the rest', () => {
    expect(parseSimpleSql('1=1')).toBe('true');
    expect(parseSimpleSql("user.kind <> 'x' AND [a b] = TRUE")).toBeUndefined();
    expect(parseSimpleSql("user.kind <> 'it''s' AND n = -1.5")).toEqual([
      { lhs: 'user.kind', op: '<>', value: "it's" },
      { lhs: 'n', op: '=', value: -1.5 },
    ]);
  });
});

describe('trigger data', () => {
  it('sends JSON bodies as json, other text as string and binary as bytes', () => {
    expect(bodyToTypedData(Buffer.from('{"a":1}'))).toEqual({ json: '{"a":1}' });
    expect(bodyToTypedData(Buffer.from('plain text'))).toEqual({ string: 'plain text' });
    expect(bodyToTypedData(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ bytes: new Uint8Array([0xff, 0xfe, 0x00]) });
  });
});

describe('embedded consumer', () => {
  it('runs at most maxConcurrentCalls handlers at once and completes every message', async () => {
    const clock = createVirtualClock();
    const broker = new ServiceBusBroker({ config: config({}), clock, logger: quiet });
    const store = broker.queueStore('q', 'test');
    let running = 0;
    // As the host does: virtual time does not jump while a handler runs (it would expire the locks).
    clock.setIdleProbe(() => running === 0);
    let peak = 0;
    let done = 0;
    const invoker: FunctionInvoker = {
      invoke: async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running--;
        done++;
        return { outputData: [] };
      },
    };
    const fn = { name: 'f', trigger: { type: 'serviceBusTrigger', direction: 'in' }, triggerName: 'm', bindings: {} } as RegisteredFunction;
    const consumer = new EmbeddedServiceBusConsumer({ fn, store, invoker, logger: quiet, maxConcurrentCalls: 3, maxMessageBatchSize: 10 });
    await consumer.start();
    broker.send('q', Array.from({ length: 12 }, (_, i) => body(i)));
    await waitFor(() => done === 12, 'all messages');
    await consumer.drain();
    expect(peak).toBe(3);
    expect(store.activeCount + store.lockedCount + store.deadLetterCount).toBe(0);
  });
});

describe('send endpoint in strict mode', () => {
  it('answers 404 for an entity the config does not declare', async () => {
    const broker = new ServiceBusBroker({ config: config({}), clock: createVirtualClock(), logger: quiet, strict: true });
    const server = new HostHttpServer(quiet);
    const port = await server.listen(0);
    server.setHandlers([new ServiceBusSendEndpoint(broker)]);
    try {
      const unknown = await fetch(`http://127.0.0.1:${port}/servicebus/missing/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"x"' });
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get('content-type')).toBe('application/problem+json');
      const known = await fetch(`http://127.0.0.1:${port}/servicebus/q/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"x"' });
      expect(known.status).toBe(201);
    } finally {
      await server.close();
    }
  });
});
