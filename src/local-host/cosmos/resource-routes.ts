/**
 * The account, databases, containers and partition key ranges: the metadata the SDK reads and writes to get
 * to the documents. Few and small, kept as JSON bodies in their own tables.
 */
import { randomBytes } from 'node:crypto';
import cosmosQuery from '@zeit/cosmosdb-query';
import { Answer, feed, isObject, isTrue, json, parseBody, problemAnswer } from './answers';
import { etagOf } from './document-operations';
import { containerInfo, type ContainerInfo, type DocumentStore, type JsonObject } from './document-store';
import type { CosmosRequest } from './protocol';

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

/** A resource id for a database or a container: random, as short as Cosmos DB's. */
function newRid(): string {
  return randomBytes(4).toString('base64');
}

export class ResourceRoutes {
  readonly #store: DocumentStore;

  constructor(store: DocumentStore) {
    this.#store = store;
  }

  account(request: CosmosRequest): Answer {
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

  databases(method: string, request: CosmosRequest): Answer {
    const list = this.#store.databases();
    if (method === 'GET') return feed('Databases', '', list.map((body) => JSON.stringify(body)));
    if (method !== 'POST') return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on databases.`);
    if (isTrue(request.headers['x-ms-documentdb-isquery']) || request.headers['content-type']?.startsWith('application/query+json')) {
      return this.queryResources('Databases', '', list, request.body);
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

  database(method: string, databaseId: string): Answer {
    const database = this.#store.database(databaseId);
    if (!database) return problemAnswer(404, 'NotFound', `Database '${databaseId}' does not exist.`);
    if (method === 'GET') return json(200, database, { etag: String(database._etag) });
    if (method === 'DELETE') {
      this.#store.deleteDatabase(databaseId);
      return new Answer(204, '');
    }
    return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on a database.`);
  }

  containers(method: string, databaseId: string, request: CosmosRequest): Answer {
    const database = this.#store.database(databaseId);
    if (!database) return problemAnswer(404, 'NotFound', `Database '${databaseId}' does not exist.`);
    const list = this.#store.containers(databaseId);
    if (method === 'GET') return feed('DocumentCollections', String(database._rid), list.map((body) => JSON.stringify(body)));
    if (method !== 'POST') return problemAnswer(405, 'MethodNotAllowed', `${method} is not allowed on containers.`);
    if (isTrue(request.headers['x-ms-documentdb-isquery']) || request.headers['content-type']?.startsWith('application/query+json')) {
      return this.queryResources('DocumentCollections', String(database._rid), list, request.body);
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

  container(method: string, databaseId: string, containerId: string, request: CosmosRequest): Answer {
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

  partitionKeyRanges(container: ContainerInfo, request: CosmosRequest): Answer {
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
  private queryResources(name: string, ownerRid: string, resources: JsonObject[], body: string | undefined): Answer {
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
}
