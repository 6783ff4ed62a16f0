/**
 * The embedded Cosmos DB server: the REST protocol the `@azure/cosmos` SDK speaks, answered from SQLite.
 * Synchronous and transport-free: the worker thread runs it, requests come as plain data.
 *
 * Covers what the SDK uses here: the account, databases, containers (partition key and indexing policy kept),
 * one partition key range, documents (create, upsert, read, replace and delete with If-Match, patch), queries,
 * transactional batches and the change feed.
 */
import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../storage/sqlite';
import { Answer, feed, isObject, isTrue, json, outcomeAnswer, parseBody, problemAnswer } from './answers';
import { badRequest, DocumentOperations } from './document-operations';
import { DocumentStore, type ContainerInfo } from './document-store';
import { changeFeed, readFeed } from './feeds';
import { headerPartitionKey } from './partition-key';
import type { CosmosRequest, CosmosResponse } from './protocol';
import { executeQuery, QueryError, queryPlan } from './query-route';
import { ResourceRoutes } from './resource-routes';
import { executeBatch } from './transactional-batch';

function segmentsOf(path: string): string[] {
  const pathname = path.split('?')[0] ?? '';
  return pathname
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

export interface CosmosCoreStats {
  documents: number;
  lsn: number;
}

export class CosmosCore {
  readonly #store: DocumentStore;
  readonly #operations: DocumentOperations;
  readonly #resources: ResourceRoutes;
  readonly #sessionToken: () => string;

  constructor(db: SqliteDatabase) {
    this.#store = new DocumentStore(db);
    this.#operations = new DocumentOperations(this.#store);
    this.#resources = new ResourceRoutes(this.#store);
    this.#sessionToken = () => `0:-1#${this.#store.lsn}`;
  }

  stats(): CosmosCoreStats {
    const row = this.#store.db.prepare<{ count: number }>('SELECT COUNT(*) AS count FROM documents').get();
    return { documents: Number(row?.count ?? 0), lsn: this.#store.lsn };
  }

  handle(request: CosmosRequest): CosmosResponse {
    let answer: Answer;
    try {
      answer = this.#route(request);
    } catch (error) {
      if (error instanceof QueryError) answer = problemAnswer(400, 'BadRequest', error.message);
      else if (error instanceof SyntaxError) answer = problemAnswer(400, 'BadRequest', error.message);
      else answer = problemAnswer(500, 'InternalServerError', error instanceof Error ? error.message : String(error));
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-ms-request-charge': answer.status >= 400 ? '0' : '1',
      'x-ms-activity-id': request.headers['x-ms-activity-id'] ?? randomUUID(),
      'x-ms-session-token': this.#sessionToken(),
      'x-ms-gatewayversion': 'version=2.14.0',
      ...answer.headers,
    };
    return { status: answer.status, headers, body: answer.status === 204 || answer.status === 304 ? '' : answer.body };
  }

  #route(request: CosmosRequest): Answer {
    const method = request.method.toUpperCase();
    const segments = segmentsOf(request.path);
    const [dbs, databaseId, colls, containerId, kind, documentId, ...rest] = segments;
    if (segments.length === 0) return method === 'GET' ? this.#resources.account(request) : problemAnswer(405, 'MethodNotAllowed', 'Only GET is allowed on the account.');
    if (dbs !== 'dbs' || rest.length > 0) return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (databaseId === undefined) return this.#resources.databases(method, request);
    if (colls === undefined) return this.#resources.database(method, databaseId);
    if (colls !== 'colls') return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (containerId === undefined) return this.#resources.containers(method, databaseId, request);
    if (kind === undefined) return this.#resources.container(method, databaseId, containerId, request);
    const container = this.#store.container(databaseId, containerId);
    if (!container) return problemAnswer(404, 'NotFound', `Container '${containerId}' does not exist in database '${databaseId}'.`);
    if (kind === 'pkranges' && documentId === undefined) return this.#resources.partitionKeyRanges(container, request);
    if (kind !== 'docs') return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (documentId === undefined) return this.#documents(method, container, request);
    return this.#document(method, container, documentId, request);
  }

  // Documents ----------------------------------------------------------------------------------------------

  #documents(method: string, container: ContainerInfo, request: CosmosRequest): Answer {
    const { headers } = request;
    if (method === 'GET') {
      if (headers['a-im']) return changeFeed(this.#store, container, request);
      return readFeed(this.#store, container, request);
    }
    if (method !== 'POST') return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on documents.`);
    if (isTrue(headers['x-ms-cosmos-is-query-plan-request'])) {
      const input = parseBody(request.body);
      if (!isObject(input) || typeof input.query !== 'string') return problemAnswer(400, 'BadRequest', 'A query needs a query text.');
      return json(200, queryPlan({ query: input.query }, container.partitionKeyPaths));
    }
    if (isTrue(headers['x-ms-documentdb-isquery']) || headers['content-type']?.startsWith('application/query+json')) return this.#query(container, request);
    const partitionKey = headerPartitionKey(headers['x-ms-documentdb-partitionkey'], container.partitionKeyPaths);
    if (isTrue(headers['x-ms-cosmos-is-batch-request'])) {
      const inputs = parseBody(request.body);
      if (!Array.isArray(inputs)) return problemAnswer(400, 'BadRequest', 'A batch request body must be an array of operations.');
      const batch = executeBatch(this.#store, this.#operations, container, inputs, partitionKey);
      return new Answer(batch.status, batch.body);
    }
    const parsed = this.#operations.parseDocument(request.body);
    if ('problem' in parsed) return outcomeAnswer(parsed.problem);
    const target = { container, partitionKey, ifMatch: headers['if-match'] };
    const outcome = isTrue(headers['x-ms-documentdb-is-upsert'])
      ? this.#operations.upsert(target, parsed.document)
      : this.#operations.create(target, parsed.document);
    return outcomeAnswer(outcome);
  }

  #document(method: string, container: ContainerInfo, id: string, request: CosmosRequest): Answer {
    const { headers } = request;
    const partitionKey = headerPartitionKey(headers['x-ms-documentdb-partitionkey'], container.partitionKeyPaths);
    const target = { container, partitionKey, ifMatch: headers['if-match'] };
    switch (method) {
      case 'GET': {
        const outcome = this.#operations.read(container, partitionKey ?? '{}', id);
        if (outcome.status === 200 && headers['if-none-match'] && headers['if-none-match'] === outcome.etag) return new Answer(304, '', { etag: outcome.etag });
        return outcomeAnswer(outcome);
      }
      case 'PUT': {
        const parsed = this.#operations.parseDocument(request.body);
        if ('problem' in parsed) return outcomeAnswer(parsed.problem);
        return outcomeAnswer(this.#operations.replace(target, id, parsed.document));
      }
      case 'DELETE':
        return outcomeAnswer(this.#operations.delete(target, id));
      case 'PATCH': {
        const body = parseBody(request.body);
        if (typeof body === 'symbol') return outcomeAnswer(badRequest('The request body is not valid JSON.'));
        return outcomeAnswer(this.#operations.patch(target, id, body));
      }
      default:
        return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on a document.`);
    }
  }

  #query(container: ContainerInfo, request: CosmosRequest): Answer {
    const { headers } = request;
    const input = parseBody(request.body);
    if (!isObject(input) || typeof input.query !== 'string') return problemAnswer(400, 'BadRequest', 'A query needs a query text.');
    const partitionKey = headerPartitionKey(headers['x-ms-documentdb-partitionkey'], container.partitionKeyPaths);
    const maxItemCount = headers['x-ms-max-item-count'] ? Number.parseInt(headers['x-ms-max-item-count'], 10) : undefined;
    const page = executeQuery(
      { db: this.#store.db, container: container.key, ...(partitionKey !== undefined ? { partitionKey } : {}) },
      { query: input.query, ...(Array.isArray(input.parameters) ? { parameters: input.parameters as Array<{ name: string; value: unknown }> } : {}) },
      {
        ...(maxItemCount !== undefined && Number.isFinite(maxItemCount) && maxItemCount > 0 ? { maxItemCount } : {}),
        ...(headers['x-ms-continuation'] ? { continuation: headers['x-ms-continuation'] } : {}),
      },
    );
    return feed(
      'Documents',
      container.rid,
      page.documents.map((document) => JSON.stringify(document)),
      page.continuation ? { 'x-ms-continuation': page.continuation } : {},
    );
  }
}
