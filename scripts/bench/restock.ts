import { CosmosClient } from '@azure/cosmos';

/**
 * Gives every product a stock no run can exhaust, so the measured failures are the planned ones and not
 * "out of stock" after a few hundred orders. Reads the embedded Cosmos endpoint from the host's stats.
 */
export async function restock(cosmosEndpoint: string, database: string, units: number): Promise<void> {
  const client = new CosmosClient({
    endpoint: cosmosEndpoint,
    key: 'bench',
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  try {
    const container = client.database(database).container('products');
    const { resources } = await container.items.query<{ id: string; available: number }>('SELECT * FROM c').fetchAll();
    for (const product of resources) {
      await container.item(product.id, product.id).replace({ ...product, available: units });
    }
  } finally {
    client.dispose();
  }
}
