import { createCosmosClient, type CosmosSettings } from '../../src/data/cosmos-client';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { loadScriptSettings } from '../lib/settings';

/**
 * Gives every product a stock no run can exhaust, so the measured failures are the planned ones and not
 * "out of stock" after a few hundred orders. The host's stats name the Cosmos endpoint it uses.
 */
export async function restock(cosmos: CosmosSettings, database: string, units: number): Promise<void> {
  const client = createCosmosClient(cosmos);
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

/**
 * How to reach the database the host uses: the embedded server accepts any key; a real account or emulator
 * takes the same settings as the app (COSMOS_KEY, or COSMOS_CREDENTIAL for an identity), from the
 * environment or local.settings.json.
 */
export function restockTarget(
  hostCosmos: { mode: string; endpoint: string },
  env: NodeJS.ProcessEnv = process.env,
): { cosmos: CosmosSettings; database: string } {
  if (hostCosmos.mode === 'embedded') {
    return { cosmos: { endpoint: hostCosmos.endpoint, key: 'bench' }, database: env.COSMOS_DATABASE ?? 'petstore' };
  }
  const { config } = loadScriptSettings({ ...env, COSMOS_ENDPOINT: hostCosmos.endpoint });
  return { cosmos: config.cosmos, database: config.cosmos.database };
}
