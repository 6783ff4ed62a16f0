/**
 * A layer in front of the embedded Cosmos DB server's handler that answers document operations the way a busy
 * or failing account does: 429 with a retry-after, 503, or a request that hangs and then loses its connection,
 * all before the server sees the request; or, for writes, the server applies the write and the client gets
 * a 503 or a dropped connection instead of the answer (`cosmosFailAfterApply`). Account, database and
 * container metadata, which the SDK reads to start, never gets a fault. The same layer serves the in-process
 * transport and the HTTP listener: a dropped connection is `ConnectionDropped`, which each turns into its own
 * kind of reset.
 */
import { ConnectionDropped, type CosmosHandler, type CosmosRequest, type CosmosResponse } from '../cosmos/protocol';
import { bodyDigest, type FaultInjector } from './fault-injector';

/** `/dbs/{db}/colls/{coll}/docs` and `/dbs/{db}/colls/{coll}/docs/{id}`: reads, queries, writes, batches. */
const documentPath = /^\/dbs\/[^/]+\/colls\/[^/]+\/docs(?:\/[^/]+)?\/?$/;

function isWrite(request: CosmosRequest): boolean {
  const method = request.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return false;
  const isQuery =
    (request.headers['x-ms-documentdb-isquery'] ?? '').toLowerCase() === 'true' || (request.headers['content-type'] ?? '').startsWith('application/query+json');
  return !isQuery;
}

function answer(status: number, code: string, message: string, headers: Record<string, string> = {}): CosmosResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-ms-request-charge': '0', ...headers }, body: JSON.stringify({ code, message }) };
}

function unavailable(detail: string): CosmosResponse {
  return answer(503, 'ServiceUnavailable', `Injected fault: ${detail}`, { 'x-ms-substatus': '0' });
}

export interface CosmosFaultOptions {
  timeoutMs: number;
  retryAfterMs: number;
}

export function withCosmosFaults(faults: FaultInjector, options: CosmosFaultOptions): (handler: CosmosHandler) => CosmosHandler {
  const kinds = ['cosmosThrottle', 'cosmosUnavailable', 'cosmosTimeout', 'cosmosFailAfterApply'] as const;
  return (handler) => {
    if (!kinds.some((kind) => faults.active(kind))) return handler;
    return async (request) => {
      const path = request.path.split('?')[0] ?? '/';
      if (!documentPath.test(path)) return handler(request);
      const key = `${request.method} ${path} ${bodyDigest(request.body ?? '')}`;
      if (faults.decide('cosmosThrottle', key)) {
        return answer(429, 'TooManyRequests', 'Injected fault: request rate is large.', {
          'x-ms-retry-after-ms': String(options.retryAfterMs),
          'x-ms-substatus': '3200',
        });
      }
      if (faults.decide('cosmosUnavailable', key)) return unavailable('the service is unavailable.');
      if (faults.decide('cosmosTimeout', key)) {
        await new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs).unref());
        throw new ConnectionDropped('Injected fault: the request timed out and the connection dropped.');
      }
      if (isWrite(request) && faults.decide('cosmosFailAfterApply', key)) {
        const how = faults.pick('cosmosFailAfterApply', key, ['unavailable', 'drop'] as const);
        await handler(request);
        if (how === 'drop') throw new ConnectionDropped('Injected fault: the write was applied, but the connection dropped.');
        return unavailable('the write was applied, but the answer was lost.');
      }
      return handler(request);
    };
  };
}
