/**
 * An in-memory Cosmos DB (`@vercel/cosmosdb-server`) over plain HTTP on 127.0.0.1, for apps run without a
 * Cosmos endpoint. Clients must disable endpoint discovery: the server advertises an https location.
 */
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { installAtomicBatches } from './atomic-batch';

/** The Cosmos DB emulator's published key; the embedded server accepts any key, this one keeps tools happy. */
export const emulatorKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  endpoint: string;
  key: string;
  /** Requests served since start: what the app asked of the database, for the stats endpoint. */
  readonly requests: number;
  close(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  /** A layer in front of the server's request handler (the fault plan's Cosmos DB faults). */
  wrapRequests?: (handler: RequestListener) => RequestListener;
}

export async function startEmbeddedCosmos(port = 0, options: EmbeddedCosmosOptions = {}): Promise<EmbeddedCosmos> {
  const { createHttpServer } = await import('@vercel/cosmosdb-server');
  installAtomicBatches();
  const server: Server = createHttpServer();
  if (options.wrapRequests) {
    const [handler] = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    if (handler) server.on('request', options.wrapRequests(handler));
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let requests = 0;
  server.on('request', () => {
    requests += 1;
  });
  return {
    endpoint,
    key: emulatorKey,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
