import { randomUUID } from 'node:crypto';
import type { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll } from 'vitest';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { ensureContainers, type SagaContainers } from '../../src/data/containers';
import { createRepositories, type Repositories } from '../../src/data/repositories';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';

export interface CosmosFixture {
  server: CosmosTestServer;
  client: CosmosClient;
  databaseName: string;
  containers: SagaContainers;
  repositories: Repositories;
}

/**
 * Registers beforeAll/afterAll that give the test file its own in-process Cosmos server and a fresh database,
 * reached through the real @azure/cosmos SDK. Call inside a test file (or describe) and read `.current`.
 */
export function useCosmosFixture(): { readonly current: CosmosFixture } {
  let fixture: CosmosFixture | undefined;
  beforeAll(async () => {
    const server = await startCosmosServer();
    const client = createCosmosClient({ endpoint: server.endpoint, key: server.key });
    const databaseName = `test-${randomUUID()}`;
    const containers = await ensureContainers(client, databaseName);
    fixture = { server, client, databaseName, containers, repositories: createRepositories(containers) };
  });
  afterAll(async () => {
    fixture?.client.dispose();
    await fixture?.server.close();
  });
  return {
    get current(): CosmosFixture {
      if (!fixture) throw new Error('The Cosmos fixture is only available inside tests');
      return fixture;
    },
  };
}
