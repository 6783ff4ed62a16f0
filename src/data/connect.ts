import type { CosmosClient } from '@azure/cosmos';
import { createCosmosClient, type CosmosSettings } from './cosmos-client';
import { ensureContainers, type SagaContainers } from './containers';
import { openExistingContainers } from './existing-containers';
import { createRepositories, type Repositories } from './repositories';

export interface CosmosConnection {
  client: CosmosClient;
  containers: SagaContainers;
  repositories: Repositories;
}

export type CosmosConnectionSettings = CosmosSettings & {
  database: string;
  /** Create what is missing (emulators) or only check that it exists (Azure); creating is the default. */
  provisionContainers?: boolean;
};

const connections = new Map<string, Promise<CosmosConnection>>();

/**
 * The one way the app reaches Cosmos: a client per endpoint and database for the life of the process (the SDK
 * keeps connections and caches warm), with the containers ensured or checked once. A failed attempt is not kept.
 */
export function connectCosmos(settings: CosmosConnectionSettings): Promise<CosmosConnection> {
  const key = `${settings.endpoint}|${settings.database}`;
  const existing = connections.get(key);
  if (existing) return existing;
  const pending = (async () => {
    const client = createCosmosClient(settings);
    try {
      const containers =
        settings.provisionContainers === false
          ? await openExistingContainers(client, settings.database)
          : await ensureContainers(client, settings.database);
      return { client, containers, repositories: createRepositories(containers) };
    } catch (error) {
      client.dispose();
      throw error;
    }
  })();
  connections.set(key, pending);
  pending.catch(() => connections.delete(key));
  return pending;
}
