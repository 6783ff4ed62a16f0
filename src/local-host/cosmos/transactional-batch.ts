/**
 * Transactional batches, all or nothing as Cosmos DB runs them: the operations run in order inside one SQLite
 * transaction; at the first failure the transaction rolls back and the answer is 207 Multi-Status with the
 * failed operation's own status and 424 (Failed Dependency) for every other one. Every document is then exactly
 * as it was (same `_etag`, `_rid`, `_ts`).
 */
import { badRequest, type DocumentOperations, type OperationOutcome } from './document-operations';
import { documentPartitionKey, headerPartitionKey } from './partition-key';
import type { ContainerInfo, DocumentStore, JsonObject } from './document-store';

export interface BatchAnswer {
  status: 200 | 207;
  /** The JSON array of results, stored documents embedded as they are. */
  body: string;
}

class BatchFailed extends Error {
  constructor(
    readonly index: number,
    readonly outcome: OperationOutcome,
  ) {
    super('batch operation failed');
  }
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

function operationPartitionKey(input: JsonObject, container: ContainerInfo, batchPartitionKey: string | undefined): string | undefined {
  const own = input.partitionKey;
  if (typeof own === 'string') return headerPartitionKey(own, container.partitionKeyPaths);
  if (Array.isArray(own)) return headerPartitionKey(JSON.stringify(own), container.partitionKeyPaths);
  return batchPartitionKey;
}

function runOne(operations: DocumentOperations, container: ContainerInfo, input: JsonObject, batchPartitionKey: string | undefined): OperationOutcome {
  const partitionKey = operationPartitionKey(input, container, batchPartitionKey);
  const body = isObject(input.resourceBody) ? input.resourceBody : undefined;
  if (body && batchPartitionKey !== undefined && documentPartitionKey(body, container.partitionKeyPaths) !== batchPartitionKey) {
    return badRequest('The partition key of the operation does not match the batch partition key.');
  }
  const ifMatch = typeof input.ifMatch === 'string' ? input.ifMatch : undefined;
  const target = { container, partitionKey, ifMatch };
  const id = typeof input.id === 'string' ? input.id : undefined;
  switch (input.operationType) {
    case 'Create':
      return body ? operations.create(target, body) : badRequest('A create needs a resourceBody.');
    case 'Upsert':
      return body ? operations.upsert(target, body) : badRequest('An upsert needs a resourceBody.');
    case 'Replace':
      return body && id ? operations.replace(target, id, body) : badRequest('A replace needs an id and a resourceBody.');
    case 'Read':
      return id ? operations.read(container, partitionKey ?? '{}', id) : badRequest('A read needs an id.');
    case 'Delete':
      return id ? operations.delete(target, id) : badRequest('A delete needs an id.');
    case 'Patch':
      return id ? operations.patch(target, id, input.resourceBody) : badRequest('A patch needs an id.');
    default:
      return badRequest(`Operation type '${String(input.operationType)}' is not supported in a batch.`);
  }
}

function success(outcome: OperationOutcome): string {
  const parts = [`"statusCode":${outcome.status}`, '"requestCharge":1'];
  if (outcome.etag) parts.push(`"eTag":${JSON.stringify(outcome.etag)}`);
  if (outcome.body) parts.push(`"resourceBody":${outcome.body}`);
  return `{${parts.join(',')}}`;
}

export function executeBatch(
  store: DocumentStore,
  operations: DocumentOperations,
  container: ContainerInfo,
  inputs: unknown[],
  batchPartitionKey: string | undefined,
): BatchAnswer {
  try {
    const results = store.transaction(() =>
      inputs.map((raw, index) => {
        const outcome = runOne(operations, container, isObject(raw) ? raw : {}, batchPartitionKey);
        if (outcome.status >= 400) throw new BatchFailed(index, outcome);
        return success(outcome);
      }),
    );
    return { status: 200, body: `[${results.join(',')}]` };
  } catch (error) {
    if (!(error instanceof BatchFailed)) throw error;
    const results = inputs.map((_, index) =>
      index === error.index ? { statusCode: error.outcome.status, requestCharge: 0, message: error.outcome.message ?? '' } : { statusCode: 424, requestCharge: 0 },
    );
    return { status: 207, body: JSON.stringify(results) };
  }
}
