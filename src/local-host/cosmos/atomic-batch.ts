/**
 * Transactional batches for the embedded Cosmos DB server, all or nothing as Cosmos DB runs them.
 *
 * `@vercel/cosmosdb-server` runs a batch's operations one after another and stops at the first failure, but
 * keeps what the earlier ones wrote. Here a batch runs against the server's own storage in one synchronous
 * pass (nothing else runs on the event loop meanwhile, so no other request sees it half done), remembering each
 * touched document as it was; when an operation fails, those documents are put back exactly (same `_etag`,
 * `_rid`, `_ts`), and the answer is Cosmos DB's: 207 Multi-Status, the failed operation's own status, 424
 * (Failed Dependency) for every other one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';

type JsonObject = Record<string, unknown>;

/** What the server's storage offers for one container's documents (the parts a batch needs). */
export interface BatchDocuments {
  _getPartition(document: JsonObject): unknown;
  _set(document: JsonObject): unknown;
  delete(id: string, partition: unknown): void;
}

export interface BatchCollection {
  read(): unknown;
  document(id: string, partition: unknown): { read(): JsonObject | undefined };
  documents: BatchDocuments;
}

interface OperationResult {
  statusCode: number;
  body?: JsonObject;
}

/** The server library's single-document operations, which its own batch handler also uses. */
interface DocumentOperations {
  createOperation(collection: BatchCollection, input: JsonObject): OperationResult;
  upsertOperation(collection: BatchCollection, input: JsonObject): OperationResult;
  readOperation(collection: BatchCollection, input: JsonObject): OperationResult;
  deleteOperation(collection: BatchCollection, input: JsonObject): OperationResult;
  replaceOperation(collection: BatchCollection, input: JsonObject): OperationResult;
}

export interface BatchOperationResult {
  statusCode: number;
  requestCharge: number;
  eTag?: unknown;
  resourceBody?: JsonObject;
  message?: string;
}

export interface BatchOutcome {
  /** 200 when every operation succeeded, 207 when one failed and the batch was rolled back. */
  status: 200 | 207;
  results: BatchOperationResult[];
}

const libraryRequire = createRequire(require.resolve('@vercel/cosmosdb-server'));
const operations = libraryRequire('./handler/_document-operations') as DocumentOperations;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The batch's partition key (the `x-ms-documentdb-partitionkey` header, a JSON array) as the library stores it. */
function partitionOf(partitionKeyJson: string | undefined): unknown {
  if (!partitionKeyJson) return undefined;
  try {
    const parsed: unknown = JSON.parse(partitionKeyJson);
    return Array.isArray(parsed) ? parsed[0] : parsed;
  } catch {
    return undefined;
  }
}

/** The document an operation touches: its id and partition, so it can be remembered and put back. */
function targetOf(collection: BatchCollection, input: JsonObject, batchPartition: unknown): { id: string; partition: unknown } | null {
  const body = isObject(input.resourceBody) ? input.resourceBody : undefined;
  const id = body ? body.id : input.id;
  if (typeof id !== 'string') return null;
  const partition = body ? collection.documents._getPartition(body) : batchPartition;
  return { id, partition: partition ?? batchPartition };
}

const run: Record<string, (collection: BatchCollection, input: JsonObject) => OperationResult> = {
  Create: (collection, input) => operations.createOperation(collection, input),
  Upsert: (collection, input) => operations.upsertOperation(collection, input),
  Read: (collection, input) => operations.readOperation(collection, input),
  Delete: (collection, input) => operations.deleteOperation(collection, input),
  Replace: (collection, input) => operations.replaceOperation(collection, input),
};

/**
 * Runs the operations in order; on the first failure undoes what the earlier ones wrote. Synchronous on
 * purpose: the whole batch, rollback included, happens between two turns of the event loop.
 */
export function executeAtomicBatch(collection: BatchCollection, inputs: readonly unknown[], partitionKeyJson: string | undefined): BatchOutcome {
  const batchPartition = partitionOf(partitionKeyJson);
  const before = new Map<string, { id: string; partition: unknown; document: JsonObject | undefined }>();
  const results: BatchOperationResult[] = [];
  let failedAt = -1;

  for (let index = 0; index < inputs.length; index += 1) {
    const raw = inputs[index];
    const input: JsonObject = isObject(raw) ? { ...raw } : {};
    // Cosmos DB applies the batch's partition key to every operation; the library wants it on each one.
    if (input.partitionKey === undefined && partitionKeyJson !== undefined) input.partitionKey = partitionKeyJson;
    const operation = typeof input.operationType === 'string' ? run[input.operationType] : undefined;
    const target = targetOf(collection, input, batchPartition);

    let result: OperationResult;
    if (!operation) {
      result = { statusCode: 400, body: { message: `Operation type '${String(input.operationType)}' is not supported in a batch.` } };
    } else if (target && batchPartition !== undefined && target.partition !== batchPartition) {
      result = { statusCode: 400, body: { message: 'The partition key of the operation does not match the batch partition key.' } };
    } else {
      if (target) {
        const key = JSON.stringify([target.partition, target.id]);
        if (!before.has(key)) before.set(key, { ...target, document: collection.document(target.id, target.partition).read() });
      }
      try {
        result = operation(collection, input);
      } catch (error) {
        result = { statusCode: 400, body: { message: error instanceof Error ? error.message : String(error) } };
      }
    }

    if (result.statusCode >= 400) {
      failedAt = index;
      results.push({ statusCode: result.statusCode, requestCharge: 0, message: typeof result.body?.message === 'string' ? result.body.message : '' });
      break;
    }
    results.push({ statusCode: result.statusCode, requestCharge: 1, eTag: result.body?._etag, resourceBody: result.body });
  }

  if (failedAt < 0) return { status: 200, results };

  for (const { id, partition, document } of [...before.values()].reverse()) {
    if (collection.document(id, partition).read()) collection.documents.delete(id, partition);
    if (document) collection.documents._set(document);
  }
  return {
    status: 207,
    results: inputs.map((_, index) => (index === failedAt ? results[failedAt] : { statusCode: 424, requestCharge: 0 })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Installing it in the server library

interface Account {
  database(id: string): { collection(id: string): BatchCollection };
}

type RouteHandler = (account: Account, req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<unknown>;
type Router = (req: IncomingMessage) => [Record<string, string>, RouteHandler] | undefined;

const readJson = libraryRequire('./json') as { default: (req: IncomingMessage) => Promise<unknown> };

const atomicBatchHandler: RouteHandler = async (account, req, res, { dbId, collId }) => {
  const body = await readJson.default(req);
  const collection = account.database(dbId ?? '').collection(collId ?? '');
  if (!collection.read()) {
    res.statusCode = 404;
    return { message: `Collection ${collId ?? ''} does not exist.` };
  }
  if (!Array.isArray(body)) {
    res.statusCode = 400;
    return { message: 'A batch request body must be an array of operations.' };
  }
  const header = req.headers['x-ms-documentdb-partitionkey'];
  const outcome = executeAtomicBatch(collection, body, Array.isArray(header) ? header[0] : header);
  res.statusCode = outcome.status;
  return outcome.results;
};

let installed = false;

/**
 * Routes the server library's batch requests to the atomic batch. The library keeps its storage (the account)
 * private to its request loop and hands it only to route handlers, so the router is the seam: every request
 * it resolves to the library's own batch handler goes to the one above instead. Process-wide and idempotent:
 * every embedded server in the process gets atomic batches.
 */
export function installAtomicBatches(): void {
  if (installed) return;
  const routes = libraryRequire('./routes') as { default: Router };
  const libraryBatch = (libraryRequire('./handler/batch-documents') as { default: RouteHandler }).default;
  const resolve = routes.default;
  routes.default = (req) => {
    const route = resolve(req);
    return route && route[1] === libraryBatch ? [route[0], atomicBatchHandler] : route;
  };
  installed = true;
}
