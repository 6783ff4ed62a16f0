/**
 * The real @azure/cosmos SDK against the query engine: a small HTTP front answers every query and query-plan
 * request from the engine, and hands the rest (account, database, container, partition key ranges) to
 * @vercel/cosmosdb-server, which the SDK needs for its metadata.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CosmosClient, type Container } from '@azure/cosmos';
import { createHttpServer } from '@vercel/cosmosdb-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeQuery, queryPlan, QueryError } from '../../src/local-host/cosmos/query';
import type { SqliteDatabase } from '../../src/local-host/storage/sqlite';
import { documentsDatabase, reference, store } from './cosmos-query-support';

const DATABASE = 'sdk';
const COLLECTION = 'orders';
const CONTAINER = `${DATABASE}/${COLLECTION}`;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

interface Front {
  endpoint: string;
  queries: Array<{ plan: boolean; query: string; partitionKey?: string }>;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function startFront(db: SqliteDatabase): Promise<Front> {
  const metadata = createHttpServer();
  const metadataPort = await listen(metadata);
  const queries: Front['queries'] = [];
  const front = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isPlan = req.headers['x-ms-cosmos-is-query-plan-request'] !== undefined;
      const isQuery = req.headers['x-ms-documentdb-isquery'] !== undefined;
      if (req.method === 'POST' && req.url === `/dbs/${DATABASE}/colls/${COLLECTION}/docs` && (isPlan || isQuery)) {
        const input = JSON.parse(body) as { query: string; parameters?: Array<{ name: string; value: unknown }> };
        const keyHeader = req.headers['x-ms-documentdb-partitionkey'];
        const partitionKey = typeof keyHeader === 'string' ? JSON.stringify((JSON.parse(keyHeader) as unknown[])[0]) : undefined;
        queries.push({ plan: isPlan, query: input.query, partitionKey });
        try {
          if (isPlan) return reply(res, 200, queryPlan(input, ['/id']));
          const maxItemCount = Number(req.headers['x-ms-max-item-count'] ?? 0) || undefined;
          const continuation = req.headers['x-ms-continuation'] as string | undefined;
          const page = executeQuery({ db, container: CONTAINER, partitionKey }, input, { maxItemCount, continuation });
          const headers: Record<string, string> = { 'x-ms-item-count': String(page.documents.length) };
          if (page.continuation) headers['x-ms-continuation'] = page.continuation;
          return reply(res, 200, { Documents: page.documents, _count: page.documents.length }, headers);
        } catch (err) {
          if (err instanceof QueryError) return reply(res, err.status, { code: 'BadRequest', message: err.message });
          throw err;
        }
      }
      const upstream = httpRequest({ host: '127.0.0.1', port: metadataPort, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    })().catch((err: unknown) => reply(res, 500, { message: String(err) }));
  });
  const port = await listen(front);
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { endpoint: `http://127.0.0.1:${port}/`, queries, close: async () => Promise.all([close(front), close(metadata)]).then(() => undefined) };
}

const ORDERS = Array.from({ length: 30 }, (_, i) => ({
  id: `order-${String(i).padStart(2, '0')}`,
  customerId: `customer-${i % 3}`,
  status: ['Pending', 'Processing', 'Completed'][i % 3] as string,
  // Pairs of orders share a timestamp, so the id breaks the ties.
  createdAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 2) * 60_000).toISOString(),
}));

describe('@azure/cosmos against the query engine', () => {
  let db: SqliteDatabase;
  let front: Front;
  let container: Container;

  beforeAll(async () => {
    db = documentsDatabase();
    store(db, ORDERS, CONTAINER);
    front = await startFront(db);
    const client = new CosmosClient({ endpoint: front.endpoint, key: 'any', connectionPolicy: { enableEndpointDiscovery: false } });
    const { database } = await client.databases.createIfNotExists({ id: DATABASE });
    ({ container } = await database.containers.createIfNotExists({ id: COLLECTION, partitionKey: { paths: ['/id'] } }));
  });

  afterAll(async () => {
    await front.close();
    db.close();
  });

  const listing = {
    query: 'SELECT TOP 7 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC',
    parameters: [{ name: '@status', value: 'Pending' }],
  };

  it('runs the orders listing as the repository does (TOP, maxItemCount, fetchAll)', async () => {
    const { resources } = await container.items.query(listing, { maxItemCount: 7 }).fetchAll();
    expect(resources).toEqual(reference(db, listing, CONTAINER));
    expect(resources).toHaveLength(7);
    // The SDK asks for a plan beside the query; the engine answers it without running the query.
    expect(front.queries.filter((q) => q.query === listing.query).map((q) => q.plan).sort()).toEqual([false, true]);
  });

  it('pages through an ORDER BY with the continuation the engine hands out', async () => {
    const query = 'SELECT * FROM c ORDER BY c.createdAt DESC, c.id DESC';
    const iterator = container.items.query(query, { maxItemCount: 4 });
    const ids: string[] = [];
    let pages = 0;
    while (iterator.hasMoreResults()) {
      const { resources } = await iterator.fetchNext();
      ids.push(...resources.map((document: { id: string }) => document.id));
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(8);
    expect(ids).toEqual(ORDERS.map((order) => order.id).reverse());
  });

  it('gives the same answers when the SDK is made to follow the query plan', async () => {
    const forced = { forceQueryPlan: true, maxItemCount: 3 };
    expect((await container.items.query(listing, forced).fetchAll()).resources).toEqual(reference(db, listing, CONTAINER));
    expect((await container.items.query('SELECT VALUE COUNT(1) FROM c', forced).fetchAll()).resources).toEqual([30]);
    const window = 'SELECT VALUE c.id FROM c ORDER BY c.id OFFSET 5 LIMIT 4';
    expect((await container.items.query(window, forced).fetchAll()).resources).toEqual(['order-05', 'order-06', 'order-07', 'order-08']);
  });

  it('counts with VALUE COUNT(1)', async () => {
    const { resources } = await container.items.query("SELECT VALUE COUNT(1) FROM c WHERE c.status = 'Completed'").fetchAll();
    expect(resources).toEqual([10]);
  });

  it('keeps a query given a partition key to that partition', async () => {
    const { resources } = await container.items.query('SELECT VALUE c.id FROM c', { partitionKey: 'order-03' }).fetchAll();
    expect(resources).toEqual(['order-03']);
    expect(front.queries.at(-1)?.partitionKey).toBe('"order-03"');
  });

  it('turns a bad query into a 400 for the caller', async () => {
    await expect(container.items.query('SELECT * FORM c').fetchAll()).rejects.toMatchObject({ code: 400 });
    await expect(container.items.query('SELECT * FROM c WHERE c.id = @missing').fetchAll()).rejects.toMatchObject({ code: 400 });
  });
});
