import { createCosmosClient } from '../../src/data/cosmos-client';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';

/**
 * Gives every product a stock no run can exhaust, so the measured failures are the planned ones and not
 * "out of stock" after a few hundred orders. Reads the embedded Cosmos endpoint from the host's stats.
 */
export async function restock(cosmosEndpoint: string, database: string, units: number): Promise<void> {
  // The embedded server accepts any key.
  const client = createCosmosClient({ endpoint: cosmosEndpoint, key: 'bench' });
  try {
    const container = client.database(database).container(SAGA_CONTAINER_DEFINITIONS.products.id);
    // Product documents only: the holds beside them in each product's partition stay as they are.
    const { resources } = await container.items
      .query<{ id: string; productId: string; available: number }>("SELECT * FROM c WHERE c.docType = 'product'")
      .fetchAll();
    for (const product of resources) {
      await container.item(product.id, product.productId).replace({ ...product, available: units });
    }
  } finally {
    client.dispose();
  }
}
