import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createCosmosClient, isLocalCosmosEndpoint } from '../../src/data/cosmos-client';
import { startCosmosServer, TEST_COSMOS_KEY, type CosmosTestServer } from '../support/cosmos-server';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startHttpsServer(host: string): Promise<string> {
  const server = createHttpsServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `https://${host}:${(server.address() as AddressInfo).port}/`;
}

async function startHttpServer(): Promise<CosmosTestServer> {
  const server = await startCosmosServer();
  cleanups.push(() => server.close());
  return server;
}

function track(client: CosmosClient): CosmosClient {
  cleanups.push(() => client.dispose());
  return client;
}

describe('isLocalCosmosEndpoint', () => {
  it.each([
    ['http://localhost:8081/', true],
    ['https://localhost:8081/', true],
    ['https://127.0.0.1:8081/', true],
    ['http://cosmos-emulator:8081/', true],
    ['https://petstore.documents.azure.com:443/', false],
    ['https://10.0.0.5:8081/', false],
  ])('%s → %s', (endpoint, local) => {
    expect(isLocalCosmosEndpoint(endpoint)).toBe(local);
  });
});

describe('createCosmosClient', () => {
  it('talks to an http emulator that advertises an https writable location', async () => {
    const server = await startHttpServer();
    const client = track(createCosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await client.databases.createIfNotExists({ id: 'client-http' });
    expect(database.id).toBe('client-http');
  });

  it('needs endpoint discovery off for that emulator (the SDK default fails)', async () => {
    const server = await startHttpServer();
    const client = track(new CosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    await expect(client.databases.createIfNotExists({ id: 'client-default' })).rejects.toThrow();
  });

  it('accepts the self-signed certificate of an https emulator on 127.0.0.1', async () => {
    const endpoint = await startHttpsServer('127.0.0.1');
    const client = track(createCosmosClient({ endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await client.databases.createIfNotExists({ id: 'client-https' });
    expect(database.id).toBe('client-https');
  });

  it('keeps TLS verification for any other host, even a private one', async () => {
    const endpoint = await startHttpsServer('127.0.0.2');
    const client = track(createCosmosClient({ endpoint, key: TEST_COSMOS_KEY }));
    await expect(client.databases.createIfNotExists({ id: 'client-strict' })).rejects.toThrow(/certificate/i);
  });
});
