import { startEmbeddedCosmos } from '../../src/local-host/cosmos/embedded-cosmos';
import { inMemory } from '../../src/local-host/storage/state-location';

export interface CosmosTestServer {
  /** e.g. `http://127.0.0.1:54321/` — pass to createCosmosClient with any key. */
  readonly endpoint: string;
  /** Any non-empty key is accepted by the embedded server; exported so tests don't invent their own. */
  readonly key: string;
  close(): Promise<void>;
}

/** The emulator well-known key; the embedded server does not check signatures. */
export const TEST_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/**
 * Starts the embedded host's Cosmos DB server in memory: a worker thread over SQLite `:memory:`, listening on
 * an ephemeral port, its in-process transport registered for that endpoint (so `createCosmosClient` uses it,
 * as the app does under the host). State dies with close(); use a fresh database name per test file anyway,
 * because servers may be shared within a file.
 */
export async function startCosmosServer(): Promise<CosmosTestServer> {
  const cosmos = await startEmbeddedCosmos({ state: inMemory });
  return {
    endpoint: `${cosmos.endpoint}/`,
    key: TEST_COSMOS_KEY,
    close: () => cosmos.close(),
  };
}
