import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SAGA_CONTAINER_DEFINITIONS, ensureContainers } from '../../src/data/containers';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { useCosmosFixture } from './cosmos-fixture';

const cosmos = useCosmosFixture();

describe('ensureContainers', () => {
  it('creates every saga container with its partition key', async () => {
    const { client, databaseName } = cosmos.current;
    const { resources } = await client.database(databaseName).containers.readAll().fetchAll();
    const partitionKeys = Object.fromEntries(resources.map((container) => [container.id, container.partitionKey?.paths]));
    expect(partitionKeys).toEqual({
      orders: ['/id'],
      inventory: ['/productId'],
      payments: ['/orderId'],
      shipments: ['/orderId'],
      sagas: ['/orderId'],
      decisions: ['/orderId'],
    });
    expect(Object.values(SAGA_CONTAINER_DEFINITIONS).map((definition) => definition.id).sort()).toEqual(Object.keys(partitionKeys).sort());
  });

  it('indexes only what the catalog listing filters on, keeping holds out of the index', async () => {
    const { resource } = await cosmos.current.containers.products.read();
    expect(resource?.indexingPolicy?.includedPaths).toEqual([{ path: '/docType/?' }]);
    expect(resource?.indexingPolicy?.excludedPaths).toEqual(expect.arrayContaining([{ path: '/*' }]));
  });

  it('runs once per client and database', async () => {
    const { client, databaseName } = cosmos.current;
    const first = ensureContainers(client, databaseName);
    expect(ensureContainers(client, databaseName)).toBe(first);
    expect(ensureContainers(client, `${databaseName}-other`)).not.toBe(first);
  });

  it('leaves existing containers and their documents alone', async () => {
    const { server, databaseName, containers } = cosmos.current;
    const id = `keep-${randomUUID()}`;
    await containers.products.items.create({ id, productId: id, name: 'kept' });
    const otherClient = createCosmosClient({ endpoint: server.endpoint, key: server.key });
    try {
      const again = await ensureContainers(otherClient, databaseName);
      const { resource } = await again.products.item(id, id).read<{ name: string }>();
      expect(resource?.name).toBe('kept');
    } finally {
      otherClient.dispose();
    }
  });

  it('forgets a failed attempt so the next call can succeed', async () => {
    const { server } = cosmos.current;
    const unreachable = createCosmosClient({ endpoint: 'http://127.0.0.1:1/', key: server.key });
    try {
      const failed = ensureContainers(unreachable, 'never');
      await expect(failed).rejects.toThrow();
      const retried = ensureContainers(unreachable, 'never');
      expect(retried).not.toBe(failed);
      await expect(retried).rejects.toThrow();
    } finally {
      unreachable.dispose();
    }
  });
});

describe('ensureContainers on a database from before the orders index', () => {
  it('adds the composite index to an existing orders container, so listing works there too', async () => {
    const { client } = cosmos.current;
    const databaseName = `old-${randomUUID()}`;
    const { database } = await client.databases.createIfNotExists({ id: databaseName });
    await database.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/id'] } });

    const containers = await ensureContainers(client, databaseName);
    // (The in-memory server empties a container it replaces, unlike Cosmos DB, so the document comes after.)
    await containers.orders.items.create({ id: 'ord-old', createdAt: '2025-01-01T00:00:00.000Z' });
    const { resource } = await containers.orders.read();
    expect(resource?.indexingPolicy?.compositeIndexes).toEqual([
      [
        { path: '/createdAt', order: 'descending' },
        { path: '/id', order: 'descending' },
      ],
    ]);
    expect((await containers.orders.item('ord-old', 'ord-old').read()).resource?.id).toBe('ord-old');
    const { resources } = await containers.orders.items
      .query('SELECT TOP 1 * FROM c ORDER BY c.createdAt DESC, c.id DESC')
      .fetchAll();
    expect(resources.map((order: { id: string }) => order.id)).toEqual(['ord-old']);
  });
});
