/**
 * The embedded Cosmos DB: the server core in a worker thread over SQLite (a file in the data folder, or
 * `:memory:`), reached by the app's `@azure/cosmos` client through an in-process transport and by everything
 * else over HTTP on 127.0.0.1. Clients must disable endpoint discovery (the app's client does for local
 * endpoints).
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import { inMemory, storeFile, type StateLocation } from '../storage/state-location';
import type { CosmosCoreStats } from './cosmos-core';
import { listenCosmosHttp } from './http-listener';
import { createInProcessTransport } from './in-process-transport';
import type { CosmosHandler } from './protocol';
import { registerCosmosTransport } from './transport-registry';
import { startCosmosWorker } from './worker-client';

/** The Cosmos DB emulator's published key; the embedded server accepts any key, this one keeps tools happy. */
export const emulatorKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface EmbeddedCosmos {
  /** `http://127.0.0.1:<port>`: the HTTP listener, and the key under which the in-process transport is registered. */
  endpoint: string;
  key: string;
  /** Requests served since start, both ways in: what the app asked of the database, for the stats endpoint. */
  readonly requests: number;
  /** The server's handler, faults included. */
  handle: CosmosHandler;
  /** The SDK transport that calls `handle` directly. */
  transport: HttpClient;
  /** The SQLite driver the worker uses. */
  driver: string;
  stats(): Promise<CosmosCoreStats>;
  close(): Promise<void>;
}

export interface EmbeddedCosmosOptions {
  /** Where the documents live (default: in memory). */
  state?: StateLocation;
  /** The HTTP listener's port (default: any free one). */
  port?: number;
  /** A layer in front of the server's handler (the fault plan's Cosmos DB faults). */
  wrapHandler?: (handler: CosmosHandler) => CosmosHandler;
  /** Register the in-process transport for the endpoint, so the app's client uses it (default true). */
  inProcess?: boolean;
}

export async function startEmbeddedCosmos(options: EmbeddedCosmosOptions = {}): Promise<EmbeddedCosmos> {
  const worker = await startCosmosWorker(storeFile(options.state ?? inMemory, 'cosmos'));
  let requests = 0;
  const served: CosmosHandler = options.wrapHandler ? options.wrapHandler(worker.handle) : worker.handle;
  const handle: CosmosHandler = (request) => {
    requests += 1;
    return served(request);
  };
  let listener;
  try {
    listener = await listenCosmosHttp(handle, options.port ?? 0);
  } catch (error) {
    await worker.close();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${listener.port}`;
  const transport = createInProcessTransport(handle);
  const unregister = options.inProcess === false ? () => undefined : registerCosmosTransport(endpoint, transport);
  const http = listener;
  return {
    endpoint,
    key: emulatorKey,
    get requests() {
      return requests;
    },
    handle,
    transport,
    driver: worker.driver,
    stats: () => worker.stats(),
    async close() {
      unregister();
      await http.close();
      await worker.close();
    },
  };
}
