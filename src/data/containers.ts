import type { CompositePath, Container, ContainerDefinition, CosmosClient, IndexingPolicy } from '@azure/cosmos';
import { cosmosCall } from './cosmos-errors';

interface SagaContainerDefinition {
  id: string;
  partitionKeyPath: string;
  indexingPolicy?: IndexingPolicy;
}

/** Listing pages by (createdAt, id) newest first; Cosmos serves a two-field ORDER BY only from a composite index. */
export const ORDERS_INDEXING_POLICY: IndexingPolicy = {
  compositeIndexes: [
    [
      { path: '/createdAt', order: 'descending' },
      { path: '/id', order: 'descending' },
    ],
  ],
};

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
  orders: { id: 'orders', partitionKeyPath: '/id', indexingPolicy: ORDERS_INDEXING_POLICY },
  products: { id: 'inventory', partitionKeyPath: '/productId', indexingPolicy: INVENTORY_INDEXING },
  payments: { id: 'payments', partitionKeyPath: '/orderId' },
  shipments: { id: 'shipments', partitionKeyPath: '/orderId' },
  sagas: { id: 'sagas', partitionKeyPath: '/orderId' },
  /** The choreography's decision records: how each step of an order turned out, written once (src/choreography/decisions.ts). */
  decisions: { id: 'decisions', partitionKeyPath: '/orderId' },
} as const satisfies Record<string, SagaContainerDefinition>;

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
      const definition: SagaContainerDefinition = SAGA_CONTAINER_DEFINITIONS[name];
      const { container, resource } = await cosmosCall(`create container ${definition.id}`, () =>
        database.containers.createIfNotExists({
          id: definition.id,
          partitionKey: { paths: [definition.partitionKeyPath] },
          ...(definition.indexingPolicy ? { indexingPolicy: definition.indexingPolicy } : {}),
        }),
      );
      if (definition.indexingPolicy && resource) await addMissingCompositeIndexes(container, resource, definition.indexingPolicy);
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(created) as SagaContainers;
}

/**
 * createIfNotExists leaves an existing container as it is, so a database created before an index was declared
 * (an emulator's, a developer's) gets the missing composite indexes added here; the rest of its policy stays.
 */
async function addMissingCompositeIndexes(container: Container, resource: ContainerDefinition, wanted: IndexingPolicy): Promise<void> {
  const existing = resource.indexingPolicy?.compositeIndexes ?? [];
  const key = (index: CompositePath[]) => JSON.stringify(index.map(({ path, order }) => [path, order ?? 'ascending']));
  const have = new Set(existing.map(key));
  const missing = (wanted.compositeIndexes ?? []).filter((index) => !have.has(key(index)));
  if (missing.length === 0) return;
  await cosmosCall(`add composite indexes to ${resource.id}`, () =>
    container.replace({
      ...resource,
      indexingPolicy: { ...resource.indexingPolicy, compositeIndexes: [...existing, ...missing] },
    }),
  );
}
