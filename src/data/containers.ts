import type { Container, CosmosClient, IndexingPolicy } from '@azure/cosmos';
import { cosmosCall } from './cosmos-errors';

interface ContainerDefinition {
  id: string;
  partitionKeyPath: string;
  indexingPolicy?: IndexingPolicy;
}

/**
 * The inventory container holds, per product, one partition (`/productId`): the product document (catalog
 * fields and stock counters) and one hold document per order that reserved it, so a reservation changes both in
 * one transactional batch. Only `docType` is indexed (listing the catalog): holds are only ever read by id.
 */
const INVENTORY_INDEXING: IndexingPolicy = {
  indexingMode: 'consistent',
  automatic: true,
  includedPaths: [{ path: '/docType/?' }],
  excludedPaths: [{ path: '/*' }],
};

/**
 * Every container the saga uses, named once. The partition keys make each saga lookup a point read:
 * orders by their own id, a product and its holds by product id, the per-order records (payments, shipments,
 * sagas) by order id. Listing orders and the catalog are the only cross-partition queries.
 */
export const SAGA_CONTAINER_DEFINITIONS = {
  orders: { id: 'orders', partitionKeyPath: '/id' },
  products: { id: 'inventory', partitionKeyPath: '/productId', indexingPolicy: INVENTORY_INDEXING },
  payments: { id: 'payments', partitionKeyPath: '/orderId' },
  shipments: { id: 'shipments', partitionKeyPath: '/orderId' },
  sagas: { id: 'sagas', partitionKeyPath: '/orderId' },
} as const satisfies Record<string, ContainerDefinition>;

export type SagaContainerName = keyof typeof SAGA_CONTAINER_DEFINITIONS;
export type SagaContainers = Record<SagaContainerName, Container>;

const ensured = new WeakMap<CosmosClient, Map<string, Promise<SagaContainers>>>();

/**
 * Creates the database and the containers when they are missing. Memoised per client and database so the
 * management calls run once per process; a failed attempt is forgotten so the next call tries again.
 */
export function ensureContainers(client: CosmosClient, databaseName: string): Promise<SagaContainers> {
  let byDatabase = ensured.get(client);
  if (!byDatabase) {
    byDatabase = new Map();
    ensured.set(client, byDatabase);
  }
  const existing = byDatabase.get(databaseName);
  if (existing) return existing;

  const pending = createContainers(client, databaseName);
  byDatabase.set(databaseName, pending);
  pending.catch(() => byDatabase.delete(databaseName));
  return pending;
}

async function createContainers(client: CosmosClient, databaseName: string): Promise<SagaContainers> {
  const { database } = await cosmosCall('create database', () => client.databases.createIfNotExists({ id: databaseName }));
  const names = Object.keys(SAGA_CONTAINER_DEFINITIONS) as SagaContainerName[];
  const created = await Promise.all(
    names.map(async (name) => {
      const definition: ContainerDefinition = SAGA_CONTAINER_DEFINITIONS[name];
      const { container } = await cosmosCall(`create container ${definition.id}`, () =>
        database.containers.createIfNotExists({
          id: definition.id,
          partitionKey: { paths: [definition.partitionKeyPath] },
          ...(definition.indexingPolicy ? { indexingPolicy: definition.indexingPolicy } : {}),
        }),
      );
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(created) as SagaContainers;
}
