import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChangeFeedStartFrom, CosmosClient, type Container } from '@azure/cosmos';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { afterEach, describe, expect, it } from 'vitest';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { startEmbeddedCosmos, type EmbeddedCosmos } from '../../src/local-host/cosmos/embedded-cosmos';
import { createInProcessTransport } from '../../src/local-host/cosmos/in-process-transport';
import { ConnectionDropped } from '../../src/local-host/cosmos/protocol';
import { onDisk } from '../../src/local-host/storage/state-location';

/* The embedded server in its worker thread, reached through the real @azure/cosmos SDK. */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function started(options: Parameters<typeof startEmbeddedCosmos>[0] = {}): Promise<EmbeddedCosmos> {
  const cosmos = await startEmbeddedCosmos(options);
  cleanups.push(() => cosmos.close());
  return cosmos;
}

function clientOf(cosmos: EmbeddedCosmos): CosmosClient {
  const client = createCosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key });
  cleanups.push(() => client.dispose());
  return client;
}

async function containerOf(client: CosmosClient, id = 'stock'): Promise<Container> {
  const { database } = await client.databases.createIfNotExists({ id: 'shop' });
  const { container } = await database.containers.createIfNotExists({ id, partitionKey: { paths: ['/pk'] } });
  return container;
}

describe('the in-process transport', () => {
  it('is what the app client uses for a registered endpoint; other clients reach the same store over HTTP', async () => {
    const cosmos = await started();
    const sendRequest = cosmos.transport.sendRequest.bind(cosmos.transport);
    let inProcess = 0;
    cosmos.transport.sendRequest = (request) => {
      inProcess += 1;
      return sendRequest(request);
    };
    const container = await containerOf(clientOf(cosmos));
    await container.items.create({ id: '1', pk: 'a' });
    expect(inProcess).toBe(cosmos.requests);

    const httpOnly = new CosmosClient({ endpoint: cosmos.endpoint, key: cosmos.key, connectionPolicy: { enableEndpointDiscovery: false } });
    cleanups.push(() => httpOnly.dispose());
    const { resource } = await httpOnly.database('shop').container('stock').item('1', 'a').read<{ id: string }>();
    expect(resource?.id).toBe('1');
    expect(cosmos.requests).toBeGreaterThan(inProcess);

    // Not registered: the app's client goes over HTTP.
    const unregistered = await started({ inProcess: false });
    const overHttp = clientOf(unregistered);
    await overHttp.databases.createIfNotExists({ id: 'shop' });
    expect(unregistered.requests).toBeGreaterThan(0);
  });

  it('rejects a dropped connection as Node does (RestError ECONNRESET) and an aborted request with an AbortError', async () => {
    const dropping = createInProcessTransport(() => Promise.reject(new ConnectionDropped()));
    const request = createPipelineRequest({ url: 'http://127.0.0.1:1/dbs', method: 'GET' });
    const dropped = await dropping.sendRequest(request).catch((error: unknown) => error);
    expect(dropped).toBeInstanceOf(RestError);
    expect((dropped as RestError).code).toBe('ECONNRESET');

    const hanging = createInProcessTransport(() => new Promise(() => undefined));
    const controller = new AbortController();
    const pending = hanging.sendRequest(createPipelineRequest({ url: 'http://127.0.0.1:1/dbs', method: 'GET', abortSignal: controller.signal }));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('leaves the SDK its answers: 404, 409, 412 as ErrorResponse codes', async () => {
    const container = await containerOf(clientOf(await started()));
    const { resource } = await container.items.create({ id: '1', pk: 'a', n: 1 });
    await expect(container.item('missing', 'a').read()).resolves.toMatchObject({ statusCode: 404 });
    await expect(container.items.create({ id: '1', pk: 'a' })).rejects.toMatchObject({ code: 409 });
    await container.item('1', 'a').replace({ id: '1', pk: 'a', n: 2 });
    await expect(
      container.item('1', 'a').replace({ id: '1', pk: 'a', n: 3 }, { accessCondition: { type: 'IfMatch', condition: resource?._etag ?? '' } }),
    ).rejects.toMatchObject({ code: 412 });
  });
});

describe('the change feed through the SDK', () => {
  it('starts from now: nothing at first, then what was written since, then nothing again', async () => {
    const container = await containerOf(clientOf(await started()));
    await container.items.create({ id: 'before', pk: 'a' });
    const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Now() });
    expect((await iterator.readNext()).result).toEqual([]);
    await container.items.create({ id: 'after-1', pk: 'a' });
    await container.items.create({ id: 'after-2', pk: 'b' });
    const changes = await iterator.readNext();
    expect(changes.statusCode).toBe(200);
    expect(changes.result.map((document: { id: string }) => document.id)).toEqual(['after-1', 'after-2']);
    const quiet = await iterator.readNext();
    expect(quiet.statusCode).toBe(304);
    expect(quiet.result).toEqual([]);
  });

  it('starts from the beginning and resumes from a continuation token', async () => {
    const container = await containerOf(clientOf(await started()));
    for (const id of ['a', 'b', 'c']) await container.items.create({ id, pk: 'p' });
    const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Beginning() });
    const first = await iterator.readNext();
    expect(first.result.map((document: { id: string }) => document.id)).toEqual(['a', 'b', 'c']);
    await container.items.upsert({ id: 'a', pk: 'p', changed: true });
    const resumed = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Continuation(first.continuationToken) });
    const next = await resumed.readNext();
    expect(next.result).toMatchObject([{ id: 'a', changed: true }]);
  });
});

describe('state on disk', () => {
  it('keeps databases, containers, documents and the change feed position across a close and a reopen', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cosmos-store-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));

    const first = await startEmbeddedCosmos({ state: onDisk(dir) });
    const firstClient = createCosmosClient({ endpoint: first.endpoint, key: first.key });
    const container = await containerOf(firstClient);
    const { resource } = await container.items.create({ id: 'kept', pk: 'a', n: 1 });
    const iterator = container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Now() });
    await iterator.readNext();
    const { continuationToken } = await iterator.readNext();
    firstClient.dispose();
    await first.close();

    const second = await started({ state: onDisk(dir) });
    const reopened = await containerOf(clientOf(second));
    const { resource: read } = await reopened.item('kept', 'a').read<{ n: number; _etag: string }>();
    expect(read).toMatchObject({ n: 1, _etag: resource?._etag });
    await reopened.items.create({ id: 'new', pk: 'a' });
    const resumed = reopened.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Continuation(continuationToken) });
    expect((await resumed.readNext()).result.map((document: { id: string }) => document.id)).toEqual(['new']);
    // A write after the reopen gets an ETag never given out before.
    const { resource: replaced } = await reopened.item('kept', 'a').replace({ id: 'kept', pk: 'a', n: 2 });
    expect(replaced?._etag).not.toBe(resource?._etag);
  });
});

describe('off the event loop', () => {
  it('keeps the host event loop free while the worker runs a slow query', async () => {
    const cosmos = await started();
    const container = await containerOf(clientOf(cosmos));
    const operations = Array.from({ length: 100 }, (_, index) => ({ operationType: 'Create' as const, resourceBody: { id: `d${index}`, pk: 'p', payload: 'x'.repeat(2000) } }));
    for (let round = 0; round < 30; round += 1) {
      await container.items.batch(
        operations.map((operation) => ({ ...operation, resourceBody: { ...operation.resourceBody, id: `${operation.resourceBody.id}-${round}` } })),
        'p',
      );
    }
    // A scan with a sort over 3,000 documents of 2 KB, several times over.
    const slow = Promise.all(Array.from({ length: 4 }, () => container.items.query('SELECT * FROM c ORDER BY c.payload DESC, c.id').fetchAll()));
    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks += 1;
    }, 5);
    const queryStart = performance.now();
    const results = await slow;
    const elapsed = performance.now() - queryStart;
    clearInterval(timer);
    expect(results.every((result) => result.resources.length === 3000)).toBe(true);
    // The main thread parses the answers (several MB), so it is not idle, but it is never held for the whole scan.
    expect(ticks).toBeGreaterThan(3);
    // Measured: a 1.8 s query, the longest gap between ticks 80 ms.
    expect(longestGap).toBeLessThan(elapsed / 4);
  });
});

describe('from the build', () => {
  it('starts the compiled worker from dist/ (npm start), as the sources start theirs in tests', async () => {
    // `npm test` and `npm start` build first; dist/ holds cosmos-worker.js next to worker-client.js.
    const built = path.resolve(__dirname, '../../dist/src/local-host/cosmos/embedded-cosmos.js');
    expect(fs.existsSync(path.join(path.dirname(built), 'cosmos-worker.js'))).toBe(true);
    const module = (await import(built)) as { startEmbeddedCosmos: typeof startEmbeddedCosmos };
    const cosmos = await module.startEmbeddedCosmos({ inProcess: false });
    cleanups.push(() => cosmos.close());
    const container = await containerOf(clientOf(cosmos));
    await container.items.create({ id: 'built', pk: 'a' });
    expect((await container.item('built', 'a').read<{ id: string }>()).resource?.id).toBe('built');
  });

  it('holds the process open until close() has closed the database (a script that closes then prints still prints)', () => {
    const built = path.resolve(__dirname, '../../dist/src/local-host/cosmos/embedded-cosmos.js');
    const script = `require(${JSON.stringify(built)}).startEmbeddedCosmos({ inProcess: false }).then((cosmos) => cosmos.close()).then(() => console.log('closed'))`;
    expect(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 }).trim()).toBe('closed');
  });
});
