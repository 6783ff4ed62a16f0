import type { CosmosClient } from '@azure/cosmos';
import { SAGA_CONTAINER_DEFINITIONS, type SagaContainerName, type SagaContainers } from './containers';
import { cosmosCall, isNotFound } from './cosmos-errors';

/** The database or a container is missing or differs from what the app needs; retrying will not help. */
export class ContainersNotProvisioned extends Error {
  override readonly name = 'ContainersNotProvisioned';
}

const PROVISION_HINT = 'On Azure the database and containers are declared in infra/ (run `azd provision`)';

/**
 * Opens the saga's containers without creating anything: on Azure they are provisioned by Bicep, and an
 * identity with the data-plane role cannot create databases or containers. Checks that each exists with
 * the partition key the repositories rely on, so a stale deployment fails at start-up with a clear message
 * rather than on the first write to a wrongly partitioned container.
 */
export async function openExistingContainers(client: CosmosClient, databaseName: string): Promise<SagaContainers> {
  const database = client.database(databaseName);
  try {
    await cosmosCall('read database', () => database.read());
  } catch (error) {
    if (isNotFound(error)) throw new ContainersNotProvisioned(`Cosmos DB database "${databaseName}" does not exist. ${PROVISION_HINT}.`);
    throw error;
  }
  const names = Object.keys(SAGA_CONTAINER_DEFINITIONS) as SagaContainerName[];
  const opened = await Promise.all(
    names.map(async (name) => {
      const definition = SAGA_CONTAINER_DEFINITIONS[name];
      const container = database.container(definition.id);
      let paths: string[] | undefined;
      try {
        const { resource } = await cosmosCall(`read container ${definition.id}`, () => container.read());
        paths = resource?.partitionKey?.paths;
      } catch (error) {
        if (isNotFound(error)) {
          throw new ContainersNotProvisioned(`Cosmos DB container "${definition.id}" does not exist in database "${databaseName}". ${PROVISION_HINT}.`);
        }
        throw error;
      }
      if (paths?.[0] !== definition.partitionKeyPath) {
        throw new ContainersNotProvisioned(
          `Cosmos DB container "${definition.id}" is partitioned by ${paths?.join(', ') ?? 'nothing'}, but the app needs ${definition.partitionKeyPath}. ` +
            `${PROVISION_HINT}; a partition key cannot change in place, so the container must be recreated.`,
        );
      }
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(opened) as SagaContainers;
}
