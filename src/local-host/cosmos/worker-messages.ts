/** What the main thread and the Cosmos DB worker thread say to each other, correlated by `id`. */
import type { CosmosCoreStats } from './cosmos-core';
import type { CosmosRequest, CosmosResponse } from './protocol';

export type WorkerMessage =
  | { id: number; type: 'request'; request: CosmosRequest }
  | { id: number; type: 'stats' }
  | { id: number; type: 'close' };

export type WorkerReply =
  | { id: number; type: 'response'; response: CosmosResponse }
  | { id: number; type: 'stats'; stats: CosmosCoreStats }
  | { id: number; type: 'closed' }
  | { id: 0; type: 'ready'; driver: string }
  | { id: 0; type: 'failed'; message: string };
