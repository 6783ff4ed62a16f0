import type { AddressInfo } from 'node:net';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { installAtomicBatches } from '../../src/local-host/cosmos/atomic-batch';

export interface CosmosTestServer {
  /** e.g. `http://127.0.0.1:54321/` — pass to createCosmosClient with any key. */
  readonly endpoint: string;
  /** Any non-empty key is accepted by @vercel/cosmosdb-server; exported so tests don't invent their own. */
  readonly key: string;
  close(): Promise<void>;
}

/** The emulator well-known key; @vercel/cosmosdb-server does not check signatures. */
export const TEST_COSMOS_KEY = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

/**
 * Starts an in-process @vercel/cosmosdb-server over plain HTTP on an ephemeral port.
 * State lives in memory and dies with close(); use a fresh database name per test file anyway,
 * because servers may be shared within a file.
 */
export async function startCosmosServer(): Promise<CosmosTestServer> {
  installAtomicBatches();
  const server = createHttpServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/`,
    key: TEST_COSMOS_KEY,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from the SDK would otherwise hold close() open.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
