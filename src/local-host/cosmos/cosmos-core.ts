/**
 * The embedded Cosmos DB server: the REST protocol the `@azure/cosmos` SDK speaks, answered from SQLite.
 * Synchronous and transport-free: the worker thread runs it, requests come as plain data.
 *
 * Covers what the SDK uses here: the account, databases, containers (partition key and indexing policy kept),
 * one partition key range, documents (create, upsert, read, replace and delete with If-Match, patch), queries,
 * transactional batches and the change feed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import cosmosQuery from '@zeit/cosmosdb-query';
import type { SqliteDatabase } from '../storage/sqlite';
import { badRequest, DocumentOperations, etagOf, type OperationOutcome } from './document-operations';
import { containerInfo, DocumentStore, type ContainerInfo, type JsonObject } from './document-store';
import { headerPartitionKey } from './partition-key';
import type { CosmosRequest, CosmosResponse } from './protocol';
import { executeQuery, QueryError, queryPlan } from './query-route';
import { executeBatch } from './transactional-batch';

const accountQueryConfiguration = JSON.stringify({
  maxSqlQueryInputLength: 262144,
  maxJoinsPerSqlQuery: 5,
  maxLogicalAndPerSqlQuery: 500,
  maxLogicalOrPerSqlQuery: 500,
  maxUdfRefPerSqlQuery: 10,
  maxInExpressionItemsCount: 16000,
  queryMaxInMemorySortDocumentCount: 500,
  maxQueryRequestTimeoutFraction: 0.9,
  sqlAllowNonFiniteNumbers: false,
  sqlAllowAggregateFunctions: true,
  sqlAllowSubQuery: true,
  sqlAllowScalarSubQuery: true,
  allowNewKeywords: true,
  sqlAllowLike: true,
  sqlAllowGroupByClause: true,
  maxSpatialQueryCells: 12,
  spatialMaxGeometryPointCount: 256,
  sqlAllowTop: true,
  enableSpatialIndexing: true,
});

const defaultIndexingPolicy = { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], excludedPaths: [{ path: '/"_etag"/?' }] };

class Answer {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return new Answer(status, JSON.stringify(value), headers);
}

function problemAnswer(status: number, code: string, message: string): Answer {
  return json(status, { code, message });
}

function outcomeAnswer(outcome: OperationOutcome): Answer {
  if (outcome.status >= 400) return problemAnswer(outcome.status, outcome.code ?? 'BadRequest', outcome.message ?? '');
  return new Answer(outcome.status, outcome.body ?? '', outcome.etag ? { etag: outcome.etag } : {});
}

const isTrue = (value: string | undefined): boolean => value?.toLowerCase() === 'true';

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

function feed(name: string, rid: string, items: string[], headers: Record<string, string> = {}): Answer {
  return new Answer(200, `{"_rid":${JSON.stringify(rid)},"${name}":[${items.join(',')}],"_count":${items.length}}`, {
    'x-ms-item-count': String(items.length),
    ...headers,
  });
}

function parseBody(body: string | undefined): unknown {
  if (!body) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return Symbol.for('invalid-json');
  }
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A resource id for a database or a container: random, as short as Cosmos DB's. */
function newRid(): string {
  return randomBytes(4).toString('base64');
}

export interface CosmosCoreStats {
  documents: number;
  lsn: number;
}

export class CosmosCore {
  readonly #store: DocumentStore;
  readonly #operations: DocumentOperations;
  readonly #sessionToken: () => string;

  constructor(db: SqliteDatabase) {
    this.#store = new DocumentStore(db);
    this.#operations = new DocumentOperations(this.#store);
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
    if (segments.length === 0) return method === 'GET' ? this.#account(request) : problemAnswer(405, 'MethodNotAllowed', 'Only GET is allowed on the account.');
    if (dbs !== 'dbs' || rest.length > 0) return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (databaseId === undefined) return this.#databases(method, request);
    if (colls === undefined) return this.#database(method, databaseId);
    if (colls !== 'colls') return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (containerId === undefined) return this.#containers(method, databaseId, request);
    if (kind === undefined) return this.#container(method, databaseId, containerId, request);
    const container = this.#store.container(databaseId, containerId);
    if (!container) return problemAnswer(404, 'NotFound', `Container '${containerId}' does not exist in database '${databaseId}'.`);
    if (kind === 'pkranges' && documentId === undefined) return this.#partitionKeyRanges(container, request);
    if (kind !== 'docs') return problemAnswer(404, 'NotFound', `No resource at '${request.path}'.`);
    if (documentId === undefined) return this.#documents(method, container, request);
    return this.#document(method, container, documentId, request);
  }

  // Account, databases, containers -------------------------------------------------------------------------

  #account(request: CosmosRequest): Answer {
    const endpoint = `http://${request.headers.host ?? '127.0.0.1'}/`;
    const location = [{ name: 'Embedded', databaseAccountEndpoint: endpoint }];
    return json(200, {
      _self: '',
      id: 'embedded',
      _rid: 'embedded',
      media: '//media/',
      addresses: '//addresses/',
      _dbs: '//dbs/',
      writableLocations: location,
      readableLocations: location,
      enableMultipleWriteLocations: false,
      userReplicationPolicy: { asyncReplication: false, minReplicaSetSize: 1, maxReplicasetSize: 1 },
      userConsistencyPolicy: { defaultConsistencyLevel: 'Session' },
      systemReplicationPolicy: { minReplicaSetSize: 1, maxReplicasetSize: 1 },
      readPolicy: { primaryReadCoefficient: 1, secondaryReadCoefficient: 1 },
      queryEngineConfiguration: accountQueryConfiguration,
    });
  }

  #databases(method: string, request: CosmosRequest): Answer {
    const list = this.#store.databases();
    if (method === 'GET') return feed('Databases', '', list.map((body) => JSON.stringify(body)));
    if (method !== 'POST') return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on databases.`);
    if (isTrue(request.headers['x-ms-documentdb-isquery']) || request.headers['content-type']?.startsWith('application/query+json')) {
      return this.#queryResources('Databases', '', list, request.body);
    }
    const body = parseBody(request.body);
    if (!isObject(body) || typeof body.id !== 'string' || body.id.length === 0) return problemAnswer(400, 'BadRequest', 'A database needs an id.');
    if (this.#store.database(body.id)) return problemAnswer(409, 'Conflict', `Database '${body.id}' already exists.`);
    const databaseRid = newRid();
    const resource: JsonObject = {
      id: body.id,
      _rid: databaseRid,
      _self: `dbs/${databaseRid}/`,
      _etag: etagOf(Date.now()),
      _colls: 'colls/',
      _users: 'users/',
      _ts: Math.floor(Date.now() / 1000),
    };
    this.#store.insertDatabase(body.id, resource);
    return json(201, resource, { etag: String(resource._etag) });
  }

  #database(method: string, databaseId: string): Answer {
    const database = this.#store.database(databaseId);
    if (!database) return problemAnswer(404, 'NotFound', `Database '${databaseId}' does not exist.`);
    if (method === 'GET') return json(200, database, { etag: String(database._etag) });
    if (method === 'DELETE') {
      this.#store.deleteDatabase(databaseId);
      return new Answer(204, '');
    }
    return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on a database.`);
  }

  #containers(method: string, databaseId: string, request: CosmosRequest): Answer {
    const database = this.#store.database(databaseId);
    if (!database) return problemAnswer(404, 'NotFound', `Database '${databaseId}' does not exist.`);
    const list = this.#store.containers(databaseId);
    if (method === 'GET') return feed('DocumentCollections', String(database._rid), list.map((body) => JSON.stringify(body)));
    if (method !== 'POST') return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on containers.`);
    if (isTrue(request.headers['x-ms-documentdb-isquery']) || request.headers['content-type']?.startsWith('application/query+json')) {
      return this.#queryResources('DocumentCollections', String(database._rid), list, request.body);
    }
    const body = parseBody(request.body);
    if (!isObject(body) || typeof body.id !== 'string' || body.id.length === 0) return problemAnswer(400, 'BadRequest', 'A container needs an id.');
    if (this.#store.container(databaseId, body.id)) return problemAnswer(409, 'Conflict', `Container '${body.id}' already exists.`);
    const databaseRid = String(database._rid);
    const containerRid = `${databaseRid.replace(/=+$/, '')}${newRid()}`;
    const resource: JsonObject = {
      ...body,
      indexingPolicy: isObject(body.indexingPolicy) ? body.indexingPolicy : defaultIndexingPolicy,
      partitionKey: isObject(body.partitionKey) ? { kind: 'Hash', version: 2, ...body.partitionKey } : { paths: [], kind: 'Hash' },
      geospatialConfig: { type: 'Geography' },
      _rid: containerRid,
      _self: `dbs/${databaseRid}/colls/${containerRid}/`,
      _etag: etagOf(Date.now()),
      _docs: 'docs/',
      _sprocs: 'sprocs/',
      _triggers: 'triggers/',
      _udfs: 'udfs/',
      _conflicts: 'conflicts/',
      _ts: Math.floor(Date.now() / 1000),
    };
    this.#store.saveContainer(databaseId, resource, false);
    return json(201, resource, { etag: String(resource._etag) });
  }

  #container(method: string, databaseId: string, containerId: string, request: CosmosRequest): Answer {
    const container = this.#store.container(databaseId, containerId);
    if (!container) return problemAnswer(404, 'NotFound', `Container '${containerId}' does not exist in database '${databaseId}'.`);
    if (method === 'GET') {
      return json(200, container.resource, { etag: String(container.resource._etag), 'x-ms-documentdb-collection-index-transformation-progress': '100' });
    }
    if (method === 'DELETE') {
      this.#store.deleteContainer(databaseId, containerId);
      return new Answer(204, '');
    }
    if (method === 'PUT') {
      const body = parseBody(request.body);
      if (!isObject(body) || body.id !== containerId) return problemAnswer(400, 'BadRequest', "A container replacement needs the container's id.");
      if (isObject(body.partitionKey) && JSON.stringify(body.partitionKey.paths) !== JSON.stringify(container.partitionKeyPaths)) {
        return problemAnswer(400, 'BadRequest', "A container's partition key cannot change.");
      }
      const resource: JsonObject = {
        ...container.resource,
        ...(isObject(body.indexingPolicy) ? { indexingPolicy: body.indexingPolicy } : {}),
        ...(body.defaultTtl !== undefined ? { defaultTtl: body.defaultTtl } : {}),
        _etag: etagOf(Date.now()),
        _ts: Math.floor(Date.now() / 1000),
      };
      this.#store.saveContainer(databaseId, resource, true);
      return json(200, containerInfo(databaseId, resource).resource, { etag: String(resource._etag) });
    }
    return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on a container.`);
  }

  #partitionKeyRanges(container: ContainerInfo, request: CosmosRequest): Answer {
    // One range that never splits: an incremental read of the ranges has nothing new.
    if (request.headers['a-im'] && request.headers['if-none-match']) return new Answer(304, '', { etag: '"1"' });
    const range = {
      id: '0',
      minInclusive: '',
      maxExclusive: 'FF',
      ridPrefix: 0,
      throughputFraction: 1,
      status: 'online',
      parents: [],
      _rid: `${container.rid.replace(/=+$/, '')}AgAAAAAAAAA=`,
      _self: `${container.self}pkranges/0/`,
      _etag: '"1"',
      _ts: Number(container.resource._ts ?? 0),
    };
    return feed('PartitionKeyRanges', container.rid, [JSON.stringify(range)], { etag: '"1"' });
  }

  /** Queries over databases or containers: few, small, evaluated in memory. */
  #queryResources(name: string, ownerRid: string, resources: JsonObject[], body: string | undefined): Answer {
    const input = parseBody(body);
    if (!isObject(input) || typeof input.query !== 'string') return problemAnswer(400, 'BadRequest', 'A query needs a query text.');
    const parameters = Array.isArray(input.parameters) ? (input.parameters as Array<{ name: string; value: never }>) : [];
    const { result } = cosmosQuery(input.query).exec(resources, { parameters }) as { result: unknown[] };
    return feed(
      name,
      ownerRid,
      result.map((item) => JSON.stringify(item)),
    );
  }

  // Documents ----------------------------------------------------------------------------------------------

  #documents(method: string, container: ContainerInfo, request: CosmosRequest): Answer {
    const { headers } = request;
    if (method === 'GET') {
      if (headers['a-im']) return this.#changeFeed(container, request);
      return this.#readFeed(container, request);
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

  #readFeed(container: ContainerInfo, request: CosmosRequest): Answer {
    const { headers } = request;
    const requested = headers['x-ms-max-item-count'] ? Number.parseInt(headers['x-ms-max-item-count'], 10) : 100;
    const limit = Number.isFinite(requested) && requested > 0 ? requested : 1_000_000;
    let after: { pk: string; id: string } | undefined;
    if (headers['x-ms-continuation']) {
      const parsed = parseBody(headers['x-ms-continuation']);
      if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string') return problemAnswer(400, 'BadRequest', 'The continuation token is not valid.');
      after = { pk: parsed[0], id: parsed[1] };
    }
    const rows = this.#store.page(container.key, after, limit + 1);
    const more = rows.length > limit;
    const pageRows = more ? rows.slice(0, limit) : rows;
    const last = pageRows[pageRows.length - 1];
    return feed(
      'Documents',
      container.rid,
      pageRows.map((row) => row.body),
      more && last ? { 'x-ms-continuation': JSON.stringify([last.pk, last.id]) } : {},
    );
  }

  /**
   * The change feed: documents in the order of their last write, each once at its latest version. The
   * continuation is the log sequence number, carried as the ETag: `If-None-Match: *` starts from now, no
   * header from the beginning; 304 when nothing was written since.
   */
  #changeFeed(container: ContainerInfo, request: CosmosRequest): Answer {
    const { headers } = request;
    const from = headers['if-none-match'];
    let after: number;
    if (from === undefined || from === '') after = 0;
    else if (from === '*') return new Answer(304, '', { etag: `"${this.#store.lsn}"` });
    else {
      after = Number(from.replace(/"/g, ''));
      if (!Number.isInteger(after) || after < 0) return problemAnswer(400, 'BadRequest', 'The change feed continuation is not valid.');
    }
    const requested = headers['x-ms-max-item-count'] ? Number.parseInt(headers['x-ms-max-item-count'], 10) : 100;
    const limit = Number.isFinite(requested) && requested > 0 ? requested : 1_000_000;
    const partitionKey = headerPartitionKey(headers['x-ms-documentdb-partitionkey'], container.partitionKeyPaths);
    const rows = this.#store.changesAfter(container.key, after, limit, partitionKey);
    const last = rows[rows.length - 1];
    if (!last) return new Answer(304, '', { etag: `"${after}"` });
    return feed(
      'Documents',
      container.rid,
      rows.map((row) => row.body),
      { etag: `"${last.lsn}"`, 'x-ms-documentdb-lsn': String(last.lsn) },
    );
  }
}
