import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture, globalList, json, waitFor } from './helpers';

interface Received {
  queue: string;
  message: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const received = globalList<Received>('__sbReceived');
const logs = captureLogs();
let host: RunningHost;

beforeAll(async () => {
  host = await startHost({ appDir: fixture('servicebus-app'), port: 0, logSink: logs.sink, env: { UNDECLARED_QUEUE_NAME: 'not-declared' } });
});

afterAll(async () => {
  await host?.stop();
});

beforeEach(() => {
  received.length = 0;
  (globalThis as Record<string, unknown>).__sbHealed = false;
});

function send(entity: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${host.url}/servicebus/${entity}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function from(queue: string): Received[] {
  return received.filter((r) => r.queue === queue);
}

async function entity(path: string): Promise<Record<string, unknown>> {
  const { entities } = await json<{ entities: Array<Record<string, unknown>> }>(await fetch(`${host.url}/admin/servicebus`));
  const found = entities.find((e) => e.path === path);
  if (!found) throw new Error(`no entity ${path}`);
  return found;
}

async function settled(path: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const info = await entity(path);
    return info.active === 0 && info.locked === 0 ? info : undefined;
  }, `${path} to settle`);
}

async function deadLetters(path: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${host.url}/admin/servicebus/${path}/deadletter`);
  expect(response.status).toBe(200);
  return (await json<{ messages: Array<Record<string, unknown>> }>(response)).messages;
}

describe('Service Bus triggers on the embedded broker', () => {
  it('lists each trigger and its entity in the banner, and advertises the send endpoint', () => {
    expect(host.banner).toContain('workHandler: serviceBusTrigger queue work (embedded broker)');
    expect(host.banner).toContain('events_shipped: serviceBusTrigger subscription events/subscriptions/shipped (embedded broker)');
    expect(host.banner).toContain('config: servicebus/Config.json');
    expect(process.env.EMBEDDED_SERVICEBUS_URL).toBe(`${host.url}/servicebus`);
  });

  it('delivers the JSON body and the trigger metadata, and completes the message on success', async () => {
    const response = await send('work', { n: 1 }, {
      BrokerProperties: JSON.stringify({ MessageId: 'm-1', Label: 'Greeting', CorrelationId: 'corr-1' }),
      'x-application-properties': JSON.stringify({ Tenant: 't1', attempt: 1 }),
    });
    expect(response.status).toBe(201);
    expect((await json<{ messages: Array<Record<string, unknown>> }>(response)).messages[0]).toMatchObject({ messageId: 'm-1', duplicate: false });
    const [delivery] = await waitFor(() => (from('work').length === 1 ? from('work') : undefined), 'the work message');
    expect(delivery?.message).toEqual({ n: 1 });
    expect(delivery?.metadata).toMatchObject({
      messageId: 'm-1',
      deliveryCount: 1,
      correlationId: 'corr-1',
      contentType: 'application/json',
      subject: 'Greeting',
      label: 'Greeting',
      // The library camel-cases metadata keys, nested ones included, as it does under the real worker.
      applicationProperties: { tenant: 't1', attempt: 1 },
      lockToken: expect.any(String),
      sequenceNumber: expect.any(Number),
      enqueuedTimeUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const info = await settled('work');
    expect(info).toMatchObject({ deadLetter: 0 });
  });

  it('redelivers a failed message at once with an increasing delivery count', async () => {
    await send('work', { n: 2, failTimes: 2 });
    await waitFor(() => from('work').length === 3, 'three deliveries');
    await settled('work');
    expect(from('work').map((r) => r.metadata.deliveryCount)).toEqual([1, 2, 3]);
    expect(await deadLetters('work')).toEqual([]);
  });

  it('dead-letters after MaxDeliveryCount with the reason and the last error', async () => {
    await send('work', { n: 3, poison: true }, { BrokerProperties: JSON.stringify({ MessageId: 'poison-3' }) });
    const dead = await waitFor(async () => (await deadLetters('work')).find((m) => m.messageId === 'poison-3'), 'the dead-lettered message');
    expect(dead).toMatchObject({
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterErrorDescription: 'poison pill 3',
      deliveryCount: 3,
      body: { n: 3, poison: true },
    });
    expect(from('work').map((r) => r.metadata.deliveryCount)).toEqual([1, 2, 3]);
    expect(logs.text()).toContain('moved to work/$DeadLetterQueue: MaxDeliveryCountExceeded');
  });

  it('resubmits a dead-lettered message through the admin endpoint with the delivery count reset', async () => {
    const [dead] = await deadLetters('work');
    expect(dead).toBeDefined();
    (globalThis as Record<string, unknown>).__sbHealed = true;
    const response = await fetch(`${host.url}/admin/servicebus/work/deadletter/${String(dead?.sequenceNumber)}/resubmit`, { method: 'POST' });
    expect(response.status).toBe(200);
    const delivery = await waitFor(() => from('work').find((r) => r.message.poison === true), 'the resubmitted message');
    expect(delivery.metadata.deliveryCount).toBe(1);
    await settled('work');
    expect(await deadLetters('work')).toEqual([]);
    const missing = await fetch(`${host.url}/admin/servicebus/work/deadletter/999999/resubmit`, { method: 'POST' });
    expect(missing.status).toBe(404);
  });

  it('keeps consuming after a poison message (one message at a time)', async () => {
    await send('single', { poison: true });
    await send('single', { ok: 1 });
    await waitFor(() => from('single').some((r) => r.message.ok === 1), 'the message after the poison one');
    expect(from('single').map((r) => [r.message.poison ? 'poison' : 'ok', r.metadata.deliveryCount])).toEqual([
      ['poison', 1],
      ['poison', 2],
      ['ok', 1],
    ]);
    const dead = await deadLetters('single');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ deadLetterReason: 'MaxDeliveryCountExceeded', deadLetterErrorDescription: 'always fails', deliveryCount: 2 });
  });

  it('drops a duplicate message id within the detection window', async () => {
    const props = { BrokerProperties: JSON.stringify({ MessageId: 'dup-1' }) };
    const first = await json<{ messages: Array<{ duplicate: boolean }> }>(await send('dedupe', { copy: 1 }, props));
    const second = await json<{ messages: Array<{ duplicate: boolean }> }>(await send('dedupe', { copy: 2 }, props));
    expect(first.messages[0]?.duplicate).toBe(false);
    expect(second.messages[0]?.duplicate).toBe(true);
    // The queue is FIFO with one consumer, so once this later message arrives the duplicate would have too.
    await send('dedupe', { copy: 3 }, { BrokerProperties: JSON.stringify({ MessageId: 'dup-2' }) });
    await waitFor(() => from('dedupe').some((r) => r.message.copy === 3), 'the later message');
    expect(from('dedupe').map((r) => r.message.copy)).toEqual([1, 3]);
  });

  it('fans a topic message out to the subscriptions whose correlation filters match', async () => {
    await send('events', { e: 'shipped' }, { BrokerProperties: JSON.stringify({ Label: 'OrderShipped' }), 'x-application-properties': JSON.stringify({ tier: 'silver' }) });
    await send('events', { e: 'gold' }, { BrokerProperties: JSON.stringify({ Label: 'OrderPlaced' }), 'x-application-properties': JSON.stringify({ tier: 'gold' }) });
    await send('events', { e: 'plain' }, { BrokerProperties: JSON.stringify({ Label: 'OrderPlaced' }) });
    await waitFor(() => from('events/all').length === 3, 'all three on the unfiltered subscription');
    for (const sub of ['all', 'shipped', 'gold']) await settled(`events/subscriptions/${sub}`);
    expect(from('events/shipped').map((r) => r.message.e)).toEqual(['shipped']);
    expect(from('events/gold').map((r) => r.message.e)).toEqual(['gold']);
    expect(from('events/all').map((r) => r.message.e).sort()).toEqual(['gold', 'plain', 'shipped']);
  });
});

describe('the send endpoint', () => {
  it('accepts a REST-style batch with BrokerProperties and UserProperties', async () => {
    const batch = [
      { Body: '{"b":1}', BrokerProperties: { MessageId: 'batch-1', Label: 'First' } },
      { Body: { b: 2 }, UserProperties: { source: 'batch' } },
    ];
    const response = await fetch(`${host.url}/servicebus/outbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.microsoft.servicebus.json' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(201);
    await waitFor(() => from('outbox').length === 2, 'both batch messages');
    const [first, second] = from('outbox');
    expect(first).toMatchObject({ message: { b: 1 }, metadata: { messageId: 'batch-1', subject: 'First' } });
    expect(second).toMatchObject({ message: { b: 2 }, metadata: { applicationProperties: { source: 'batch' }, contentType: 'application/json' } });
  });

  it('rejects malformed BrokerProperties and application properties with 400 problem documents', async () => {
    const malformed: Array<Record<string, string>> = [
      { BrokerProperties: '{not json' },
      { BrokerProperties: JSON.stringify({ TimeToLive: -5 }) },
      { BrokerProperties: JSON.stringify({ ScheduledEnqueueTimeUtc: 'never' }) },
      { 'x-application-properties': JSON.stringify({ nested: { no: 1 } }) },
    ];
    for (const headers of malformed) {
      const response = await send('outbox', { x: 1 }, headers);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    const wrongMethod = await fetch(`${host.url}/servicebus/outbox/messages`);
    expect(wrongMethod.status).toBe(405);
  });

  it('is what the app publishes to when it has no Service Bus connection', async () => {
    const response = await fetch(`${host.url}/api/publish/outbox`, { method: 'POST', body: JSON.stringify({ via: 'app' }) });
    expect(response.status).toBe(201);
    const delivery = await waitFor(() => from('outbox').find((r) => r.message.via === 'app'), 'the published message');
    expect(delivery.metadata.subject).toBe('FromPublisher');
  });

  it('delivers Service Bus output bindings to the broker', async () => {
    const response = await fetch(`${host.url}/api/publish-output`, { method: 'POST', body: JSON.stringify({ via: 'output' }) });
    expect(response.status).toBe(202);
    await waitFor(() => from('outbox').find((r) => r.message.via === 'output'), 'the output-binding message');
  });
});

describe('entities and the admin endpoint', () => {
  it('creates an entity used by a trigger but not declared, with defaults and a warning', async () => {
    expect(logs.text()).toMatch(/queue "not-declared" \(used by undeclaredHandler\) is not declared/);
    expect(await entity('not-declared')).toMatchObject({ kind: 'queue', declared: false, maxDeliveryCount: 10 });
    await send('not-declared', { hello: 'there' });
    await waitFor(() => from('undeclared').length === 1, 'the undeclared queue message');
  });

  it('lists entities with their counts and reports unknown ones as 404', async () => {
    const { entities } = await json<{ entities: Array<Record<string, unknown>> }>(await fetch(`${host.url}/admin/servicebus`));
    expect(entities.map((e) => e.path)).toEqual(
      expect.arrayContaining(['work', 'single', 'dedupe', 'outbox', 'events', 'events/subscriptions/all', 'events/subscriptions/shipped', 'events/subscriptions/gold']),
    );
    expect(entities.find((e) => e.path === 'single')).toMatchObject({ declared: true, maxDeliveryCount: 2, deadLetter: 1 });
    const unknown = await fetch(`${host.url}/admin/servicebus/nope/deadletter`);
    expect(unknown.status).toBe(404);
  });
});
