import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { createHttpServer, createHttpsServer } from '@vercel/cosmosdb-server';
import { afterEach, describe, expect, it } from 'vitest';
import { connectCosmos } from '../../src/data/connect';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { createCosmosClient, isLocalCosmosEndpoint } from '../../src/data/cosmos-client';
import { ContainersNotProvisioned } from '../../src/data/existing-containers';
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

/** @vercel/cosmosdb-server over plain http: it advertises `https://host:port/` as its writable location. */
async function startHttpsAdvertisingHttpServer(): Promise<string> {
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
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

  it('needs endpoint discovery off for an emulator that advertises https while serving http (the SDK default fails)', async () => {
    const endpoint = await startHttpsAdvertisingHttpServer();
    const client = track(new CosmosClient({ endpoint, key: TEST_COSMOS_KEY }));
    await expect(client.databases.createIfNotExists({ id: 'client-default' })).rejects.toThrow();
  });

  it('reaches the embedded server over HTTP with the SDK defaults too: it advertises its own http endpoint', async () => {
    const server = await startHttpServer();
    const client = track(new CosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await client.databases.createIfNotExists({ id: 'client-default' });
    expect(database.id).toBe('client-default');
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

/** A credential that hands out a fixed token and records what it was asked for. */
function recordingCredential() {
  const scopes: string[] = [];
  const clientIds: (string | undefined)[] = [];
  const credentialFor = (clientId?: string): TokenCredential => {
    clientIds.push(clientId);
    return {
      async getToken(scope: string | string[]) {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return { token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
  };
  return { scopes, clientIds, credentialFor };
}

describe('createCosmosClient with an identity', () => {
  it('signs requests with a token from the identity, not a key', async () => {
    // The SDK sends a bearer token over https only, as on Azure.
    const endpoint = await startHttpsServer('127.0.0.1');
    const recorder = recordingCredential();
    const client = track(createCosmosClient({ endpoint, identity: { clientId: 'client-1' } }, recorder.credentialFor));
    const { database } = await client.databases.createIfNotExists({ id: 'client-identity' });
    expect(database.id).toBe('client-identity');
    expect(recorder.clientIds).toEqual(['client-1']);
    expect(recorder.scopes.length).toBeGreaterThan(0);
    expect(recorder.scopes.every((scope) => scope.endsWith('/.default'))).toBe(true);
  });
});

describe('connectCosmos', () => {
  const definitions = Object.values(SAGA_CONTAINER_DEFINITIONS);

  it('only checks the containers when told not to provision them, and says what is missing', async () => {
    const server = await startHttpServer();
    const settings = { endpoint: server.endpoint, key: TEST_COSMOS_KEY, provisionContainers: false };
    await expect(connectCosmos({ ...settings, database: 'not-provisioned' })).rejects.toThrow(
      /Cosmos DB database "not-provisioned" does not exist\. On Azure the database and containers are declared in infra\//,
    );
    const admin = track(createCosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await admin.databases.create({ id: 'half-provisioned' });
    await database.containers.create({ id: 'orders', partitionKey: { paths: ['/id'] } });
    await expect(connectCosmos({ ...settings, database: 'half-provisioned' })).rejects.toBeInstanceOf(ContainersNotProvisioned);
    const { resources } = await database.containers.readAll().fetchAll();
    expect(resources.map((container) => container.id)).toEqual(['orders']);
  });

  it('refuses a container whose partition key differs from the one the app needs', async () => {
    const server = await startHttpServer();
    const admin = track(createCosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await admin.databases.create({ id: 'wrong-key' });
    for (const definition of definitions) {
      const path = definition.id === 'sagas' ? '/id' : definition.partitionKeyPath;
      await database.containers.create({ id: definition.id, partitionKey: { paths: [path] } });
    }
    const attempt = connectCosmos({ endpoint: server.endpoint, key: TEST_COSMOS_KEY, database: 'wrong-key', provisionContainers: false });
    await expect(attempt).rejects.toThrow(/container "sagas" is partitioned by \/id, but the app needs \/orderId/);
  });

  it('opens containers that Bicep (here: another client) created, without creating anything', async () => {
    const server = await startHttpServer();
    const admin = track(createCosmosClient({ endpoint: server.endpoint, key: TEST_COSMOS_KEY }));
    const { database } = await admin.databases.create({ id: 'provisioned' });
    for (const definition of definitions) {
      await database.containers.create({ id: definition.id, partitionKey: { paths: [definition.partitionKeyPath] } });
    }
    const connection = await connectCosmos({ endpoint: server.endpoint, key: TEST_COSMOS_KEY, database: 'provisioned', provisionContainers: false });
    cleanups.push(() => connection.client.dispose());
    // The inventory container is partitioned by /productId: a document without one would sit in the None partition.
    await connection.containers.products.items.create({ id: 'p-1', productId: 'p-1' });
    const { resource } = await connection.containers.products.item('p-1', 'p-1').read<{ id: string }>();
    expect(resource?.id).toBe('p-1');
  });
});
