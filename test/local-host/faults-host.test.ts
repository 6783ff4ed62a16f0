/**
 * The fault plan on a running host: each kind of fault happens, and the client sees what it would see on
 * the platform (real HTTP, the real durable-functions replay, the real @azure/cosmos SDK).
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unitHash } from '../../src/local-host/faults/fault-injector';
import type { FaultPlanInput } from '../../src/local-host/faults/fault-plan';
import { startHost, type HostOptions, type RunningHost } from '../../src/local-host/host';
import { captureLogs, fixture, json, waitFor } from './helpers';

interface Delivery {
  queue: string;
  message: Record<string, unknown>;
  deliveryCount: number;
  startedAt: number;
  endedAt?: number;
}

const g = globalThis as Record<string, unknown>;
let host: RunningHost | undefined;
let logs = captureLogs();

function deliveries(): Delivery[] {
  return (g.__faultDeliveries ??= []) as Delivery[];
}

function activityRuns(): Record<string, number> {
  return (g.__faultActivityRuns ??= {}) as Record<string, number>;
}

async function start(faults?: FaultPlanInput, options: HostOptions = {}): Promise<RunningHost> {
  logs = captureLogs();
  host = await startHost({ appDir: fixture('faults-app'), port: 0, logSink: logs.sink, ...(faults ? { faults } : {}), ...options });
  return host;
}

beforeEach(() => {
  delete process.env.COSMOS_ENDPOINT;
  deliveries().length = 0;
  for (const key of Object.keys(activityRuns())) delete activityRuns()[key];
  delete g.__faultOrchestratorVariant;
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
});

function send(entity: string, body: unknown, messageId: string): Promise<Response> {
  return fetch(`${host!.url}/servicebus/${entity}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', BrokerProperties: JSON.stringify({ MessageId: messageId }) },
    body: JSON.stringify(body),
  });
}

async function entity(path: string): Promise<Record<string, number>> {
  const { entities } = await json<{ entities: Array<Record<string, unknown>> }>(await fetch(`${host!.url}/admin/servicebus`));
  return entities.find((e) => e.path === path) as Record<string, number>;
}

async function injected(): Promise<Record<string, number>> {
  return (await json<{ injected: Record<string, number> }>(await fetch(`${host!.url}/admin/faults`))).injected;
}

/** A message id whose decisions for `kind`, under `seed` and `rate`, are `wanted` for the given keys. */
function idWhere(seed: number, kind: string, rate: number, keysFor: (id: string) => string[], wanted: boolean[]): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `msg-${i}`;
    if (keysFor(id).every((key, k) => unitHash(seed, kind, key, 0) < rate === wanted[k])) return id;
  }
  throw new Error('no such id');
}

describe('plan off', () => {
  it('injects nothing and says so', async () => {
    const running = await start();
    expect(await json(await fetch(`${running.url}/admin/faults`))).toMatchObject({ enabled: false, seed: null, injected: { activityRepeat: 0 } });
    expect((await json<{ faults: unknown }>(await fetch(`${running.url}/admin/host/stats`))).faults).toMatchObject({ enabled: false });
    expect(running.banner).not.toContain('Faults:');
    running.durable.startNew('CountOnce', { instanceId: 'off-1', input: 'off' });
    await running.durable.waitForInstance('off-1', (r) => r.runtimeStatus === 'Completed', 5_000);
    expect(activityRuns().off).toBe(1);
  });

  it('takes the plan from EMBEDDED_HOST_FAULTS and shows it in the banner, the faults and the stats endpoints', async () => {
    const running = await start(undefined, { env: { EMBEDDED_HOST_FAULTS: JSON.stringify({ seed: 11, rates: { activityRepeat: 1 } }) } });
    expect(running.banner).toContain('Faults:      fault plan ON, seed 11: activityRepeat 1');
    running.durable.startNew('CountOnce', { instanceId: 'env-1', input: 'env' });
    await running.durable.waitForInstance('env-1', (r) => r.runtimeStatus === 'Completed', 5_000);
    expect(await json(await fetch(`${running.url}/admin/faults`))).toMatchObject({ enabled: true, seed: 11, rates: { activityRepeat: 1, lockExpiry: 0 }, injected: { activityRepeat: 1 } });
    expect((await json<{ faults: unknown }>(await fetch(`${running.url}/admin/host/stats`))).faults).toEqual({
      enabled: true,
      seed: 11,
      injected: expect.objectContaining({ activityRepeat: 1, cosmosThrottle: 0 }),
    });
  });

  it('refuses to start with an invalid plan', async () => {
    await expect(start({ seed: 1, rates: { activityRepeat: 2 } })).rejects.toThrow(/rates\.activityRepeat/);
    host = undefined;
  });
});

describe('activityRepeat', () => {
  it('runs an activity that succeeded again with the same input, and records the second result', async () => {
    const running = await start({ seed: 1, rates: { activityRepeat: 1 } });
    running.durable.startNew('CountOnce', { instanceId: 'repeat-1', input: 'k' });
    const done = await running.durable.waitForInstance('repeat-1', (r) => r.runtimeStatus === 'Completed', 5_000);
    expect(activityRuns().k).toBe(2);
    expect(JSON.parse(done.output as string)).toEqual({ key: 'k', run: 2 });
    expect(running.durable.counters).toMatchObject({ activities: 2, activityRepeats: 1 });
    expect((await injected()).activityRepeat).toBe(1);
  });

  it('makes the same decisions for the same seed, and others for another seed', async () => {
    const repeatedUnder = async (seed: number): Promise<string[]> => {
      const running = await start({ seed, rates: { activityRepeat: 0.5 } });
      for (const key of Object.keys(activityRuns())) delete activityRuns()[key];
      const ids = Array.from({ length: 16 }, (_, i) => `same-seed-${i}`);
      for (const id of ids) running.durable.startNew('CountOnce', { instanceId: id, input: id });
      for (const id of ids) await running.durable.waitForInstance(id, (r) => r.runtimeStatus === 'Completed', 10_000);
      await running.stop();
      host = undefined;
      return ids.filter((id) => activityRuns()[id] === 2);
    };
    const first = await repeatedUnder(42);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(16);
    expect(await repeatedUnder(42)).toEqual(first);
    expect(await repeatedUnder(43)).not.toEqual(first);
  });
});

describe('Service Bus locks', () => {
  it('a handler slower than LockDuration loses its lock: the message is delivered again while it runs, and its completion is not applied', async () => {
    const running = await start();
    expect((await send('slow', { sleepMs: 1_600 }, 'slow-1')).status).toBe(201);
    await waitFor(() => deliveries().filter((d) => d.endedAt !== undefined).length === 2, 'both deliveries to finish', 8_000);
    await waitFor(() => logs.text().includes('lock lost'), '"lock lost" in the log', 2_000);
    const [first, second] = deliveries();
    expect(first).toMatchObject({ queue: 'slow', deliveryCount: 1 });
    expect(second).toMatchObject({ queue: 'slow', deliveryCount: 2 });
    expect(second!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(900);
    expect(second!.startedAt).toBeLessThan(first!.endedAt!);
    expect(logs.text()).toMatch(/message slow-1 \(delivery 1\): lock lost/);
    expect(await entity('slow')).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
    expect(running.broker.totals()).toMatchObject({ delivered: 2, completed: 1, locksExpired: 1 });
  });

  it('lockExpiry fails the lock renewal, so a duplicate delivery runs while the first still does', async () => {
    const seed = 5;
    // A message whose first delivery gets the fault and whose second does not.
    const id = idWhere(seed, 'lockExpiry', 0.5, (m) => [`steady|${m}|1`, `steady|${m}|2`], [true, false]);
    const running = await start({ seed, rates: { lockExpiry: 0.5 } });
    expect((await send('steady', { sleepMs: 400 }, id)).status).toBe(201);
    await waitFor(() => deliveries().filter((d) => d.endedAt !== undefined).length === 2, 'both deliveries to finish', 5_000);
    await waitFor(() => logs.text().includes('lock lost'), '"lock lost" in the log', 2_000);
    const [first, second] = deliveries();
    expect([first!.deliveryCount, second!.deliveryCount]).toEqual([1, 2]);
    expect(second!.startedAt).toBeLessThan(first!.endedAt!);
    expect(await entity('steady')).toMatchObject({ active: 0, locked: 0, deadLetter: 0 });
    expect((await injected()).lockExpiry).toBe(1);
    expect(running.broker.totals().locksExpired).toBe(1);
  });
});

describe('send faults', () => {
  it('sendAppliedThenFails enqueues the message and answers 503', async () => {
    const running = await start({ seed: 2, rates: { sendAppliedThenFails: 1 } });
    const response = await send('fan-a', { n: 1 }, 'applied-1');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect((await json(response)).detail).toMatch(/applied/);
    await waitFor(() => deliveries().some((d) => d.queue === 'fan-a'), 'the delivery', 3_000);
    expect(running.broker.totals().sent).toBe(1);
    expect((await injected()).sendAppliedThenFails).toBe(1);
  });

  it('sendFailure refuses a send before it is enqueued, one entity at a time, so a fan-out can be partial', async () => {
    const seed = 3;
    const id = idWhere(seed, 'sendFailure', 0.5, (m) => [`fan-a|${m}`, `fan-b|${m}`], [true, false]);
    const running = await start({ seed, rates: { sendFailure: 0.5 } });
    expect((await send('fan-a', { n: 2 }, id)).status).toBe(503);
    expect((await send('fan-b', { n: 2 }, id)).status).toBe(201);
    await waitFor(() => deliveries().some((d) => d.queue === 'fan-b'), 'the fan-b delivery', 3_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deliveries().map((d) => d.queue)).toEqual(['fan-b']);
    expect(running.broker.totals().sent).toBe(1);
    expect((await injected()).sendFailure).toBe(1);
  });
});

describe('Cosmos DB faults through @azure/cosmos', () => {
  async function container(running: RunningHost): Promise<Container> {
    const client = new CosmosClient({ endpoint: running.cosmos.endpoint, key: 'any', connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.createIfNotExists({ id: 'faults' });
    return (await database.containers.createIfNotExists({ id: 'items', partitionKey: { paths: ['/id'] } })).container;
  }

  it('cosmosThrottle: the SDK retries the 429 itself (9 times), then the caller gets 429', async () => {
    const running = await start({ seed: 1, rates: { cosmosThrottle: 1 }, cosmosRetryAfterMs: 1 });
    const items = await container(running);
    await expect(items.items.create({ id: 'a' })).rejects.toMatchObject({ code: 429 });
    expect((await injected()).cosmosThrottle).toBe(10);
  });

  it('cosmosThrottle at a low rate is absorbed by the SDK retries', async () => {
    const running = await start({ seed: 1, rates: { cosmosThrottle: 0.3 }, cosmosRetryAfterMs: 1 });
    const items = await container(running);
    for (let i = 0; i < 20; i++) await items.items.create({ id: `low-${i}` });
    const { resources } = await items.items.query('SELECT VALUE COUNT(1) FROM c').fetchAll();
    expect(resources).toEqual([20]);
    expect((await injected()).cosmosThrottle).toBeGreaterThan(0);
  });

  it('cosmosUnavailable: a 503 reaches the caller without retries, for reads and writes', async () => {
    const running = await start({ seed: 1, rates: { cosmosUnavailable: 1 } });
    const items = await container(running);
    await expect(items.items.create({ id: 'b' })).rejects.toMatchObject({ code: 503 });
    await expect(items.item('b', 'b').read()).rejects.toMatchObject({ code: 503 });
    expect((await injected()).cosmosUnavailable).toBe(2);
  });

  it('cosmosTimeout: the request hangs, then the connection drops; a write is not retried and was not applied', async () => {
    const running = await start({ seed: 1, rates: { cosmosTimeout: 1 }, cosmosTimeoutMs: 200 });
    const items = await container(running);
    const started = Date.now();
    await expect(items.items.create({ id: 'c' })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect((await injected()).cosmosTimeout).toBe(1);
  });

  it('cosmosFailAfterApply: the write is applied but the caller gets a 503 or a dropped connection', async () => {
    const running = await start({ seed: 1, rates: { cosmosFailAfterApply: 1 } });
    const items = await container(running);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 8; i++) {
      const error = await items.items.create({ id: `applied-${i}` }).then(
        () => undefined,
        (err: { code?: unknown }) => err.code,
      );
      outcomes.push(error);
      // Reads are never failed after apply: the write is there.
      expect((await items.item(`applied-${i}`, `applied-${i}`).read()).resource?.id).toBe(`applied-${i}`);
    }
    expect(new Set(outcomes)).toEqual(new Set([503, 'ECONNRESET']));
    expect((await injected()).cosmosFailAfterApply).toBe(8);
  });

  it('never touches the account, database and container metadata the SDK needs to start', async () => {
    const running = await start({ seed: 1, rates: { cosmosThrottle: 1, cosmosUnavailable: 1, cosmosTimeout: 1, cosmosFailAfterApply: 1 } });
    await container(running);
    expect(Object.values(await injected()).every((n) => n === 0)).toBe(true);
  });
});

describe('non-determinism', () => {
  async function changedWhileWaiting(variant: string): Promise<string> {
    const running = await start();
    running.durable.startNew('Changing', { instanceId: `nd-${variant}` });
    await waitFor(() => activityRuns().first === 1, 'the first step', 5_000);
    await waitFor(() => running.durable.getInstance(`nd-${variant}`)?.history.some((e) => e.EventType === 5 /* TaskCompleted */), 'its completion in history', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    g.__faultOrchestratorVariant = variant;
    const raised = await fetch(`${running.url}/runtime/webhooks/durabletask/instances/nd-${variant}/raiseEvent/go`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
    expect(raised.status).toBe(202);
    const failed = await running.durable.waitForInstance(`nd-${variant}`, (r) => r.runtimeStatus === 'Failed' || r.runtimeStatus === 'Completed', 5_000);
    expect(failed.runtimeStatus).toBe('Failed');
    expect(activityRuns().second).toBeUndefined();
    return failed.output as string;
  }

  it('fails the instance when the replay schedules another activity where history has one', async () => {
    expect(await changedWhileWaiting('renamed')).toBe(
      "Orchestrator function 'Changing' failed: Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 named 'CountRuns', but the current orchestration replay instead scheduled an activity task named 'Other' with this sequence number.  Was a change made to the orchestrator code after this instance had already started running?",
    );
  });

  it('fails the instance when the replay produces another kind of action', async () => {
    expect(await changedWhileWaiting('timer')).toContain(
      "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence number 0 named 'CountRuns', but the current orchestration replay instead produced a CreateTimerOrchestratorAction action with this sequence number.",
    );
  });

  it('fails the instance when the replay no longer schedules a task that history recorded', async () => {
    expect(await changedWhileWaiting('dropped')).toContain(
      "Non-Deterministic workflow detected: A previous execution of this orchestration scheduled an activity task with sequence ID 0 and name 'CountRuns' (version ''), but the current replay execution hasn't (yet?) scheduled this task.",
    );
  });

  it('lets an unchanged orchestrator finish', async () => {
    const running = await start();
    running.durable.startNew('Changing', { instanceId: 'nd-same' });
    await waitFor(() => activityRuns().first === 1, 'the first step', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    running.durable.getInstance('nd-same');
    await fetch(`${running.url}/runtime/webhooks/durabletask/instances/nd-same/raiseEvent/go`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' });
    const done = await running.durable.waitForInstance('nd-same', (r) => r.runtimeStatus === 'Completed' || r.runtimeStatus === 'Failed', 5_000);
    expect(done.runtimeStatus).toBe('Completed');
  });
});
