/**
 * Micro-benchmark of the embedded Cosmos DB query engine: the app's orders listing and sweep queries over
 * 1,000 / 10,000 / 100,000 stored orders in a SQLite file, beside @zeit/cosmosdb-query over the same
 * documents in memory (what @vercel/cosmosdb-server does for every query, and for every query-plan request).
 *
 *   npx vite-node scripts/bench/query-engine.ts [--sizes 1000,10000,100000] [--runs 200] [--reference-max 10000]
 *
 * The reference grows quadratically (minutes per query at 100,000), so it only runs up to --reference-max.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import createQuery from '@zeit/cosmosdb-query';
import { executeQuery } from '../../src/local-host/cosmos/query';
import { openDatabase, type SqliteDatabase } from '../../src/local-host/storage/sqlite';
import { percentile, round } from './stats';

const CONTAINER = 'petstore/orders';
const STATUSES = ['Completed', 'Completed', 'Completed', 'Failed', 'Processing', 'Pending'];

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? (process.argv[at + 1] as string) : fallback;
}

function order(i: number): Record<string, unknown> {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  return {
    id: `order-${String(i).padStart(7, '0')}`,
    customerId: `customer-${i % 500}`,
    status: STATUSES[i % STATUSES.length],
    items: [{ productId: `product-${i % 40}`, quantity: 1 + (i % 3), unitPrice: 19.99 }],
    total: 19.99 * (1 + (i % 3)),
    currency: 'EUR',
    createdAt,
    updatedAt: createdAt,
    _rid: `rid-${i}`,
    _self: `dbs/petstore/colls/orders/docs/rid-${i}/`,
    _etag: `"${i.toString(16)}"`,
    _ts: 1767225600 + i,
  };
}

function load(db: SqliteDatabase, count: number): object[] {
  db.exec(`CREATE TABLE IF NOT EXISTS documents (
    container TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, lsn INTEGER NOT NULL,
    PRIMARY KEY (container, pk, id));
  CREATE INDEX IF NOT EXISTS documents_by_lsn ON documents(container, lsn);`);
  const insert = db.prepare('INSERT INTO documents (container, pk, id, body, lsn) VALUES (?, ?, ?, ?, ?)');
  const documents: object[] = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const document = order(i);
      documents.push(document);
      insert.run(CONTAINER, JSON.stringify(document.id), document.id as string, JSON.stringify(document), i + 1);
    }
  });
  return documents;
}

const middle = (count: number) => order(Math.floor(count / 2));

function queries(count: number): Array<{ name: string; query: string; parameters: Array<{ name: string; value: unknown }> }> {
  const cursor = middle(count);
  return [
    { name: 'listing TOP 21', query: 'SELECT TOP 21 * FROM c ORDER BY c.createdAt DESC, c.id DESC', parameters: [] },
    {
      name: 'listing TOP 21, status',
      query: 'SELECT TOP 21 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC',
      parameters: [{ name: '@status', value: 'Pending' }],
    },
    {
      name: 'listing TOP 21, page in the middle',
      query: 'SELECT TOP 21 * FROM c WHERE (c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId)) ORDER BY c.createdAt DESC, c.id DESC',
      parameters: [
        { name: '@afterCreatedAt', value: cursor.createdAt },
        { name: '@afterId', value: cursor.id },
      ],
    },
    {
      name: 'sweep TOP 50, Pending by createdAt',
      query: 'SELECT TOP 50 * FROM c WHERE c.status = @status AND c.createdAt < @before ORDER BY c.createdAt',
      parameters: [
        { name: '@status', value: 'Pending' },
        { name: '@before', value: cursor.createdAt },
      ],
    },
  ];
}

function time(runs: number, work: () => unknown): { p50: number | null; p99: number | null } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 50), 3), p99: round(percentile(samples, 99), 3) };
}

const sizes = argument('sizes', '1000,10000,100000').split(',').map(Number);
const runs = Number(argument('runs', '200'));
const referenceMax = Number(argument('reference-max', '10000'));
const rows: Array<Record<string, unknown>> = [];
const dir = mkdtempSync(join(tmpdir(), 'query-engine-bench-'));
try {
  for (const count of sizes) {
    const db = openDatabase(join(dir, `orders-${count}.db`));
    const loadStart = performance.now();
    const documents = load(db, count);
    const loadMs = performance.now() - loadStart;
    for (const { name, query, parameters } of queries(count)) {
      const scope = { db, container: CONTAINER };
      const input = { query, parameters };
      const firstStart = performance.now();
      const first = executeQuery(scope, input, { maxItemCount: 50 });
      const firstMs = performance.now() - firstStart;
      const engine = time(runs, () => executeQuery(scope, input, { maxItemCount: 50 }));
      let old: { p50: number | null; p99: number | null } = { p50: null, p99: null };
      if (count <= referenceMax) {
        const compiled = createQuery(query);
        const reference = () =>
          compiled.exec(documents, {
            parameters,
            compositeIndexes: [[{ path: '/createdAt', order: 'descending' }, { path: '/id', order: 'descending' }]],
          });
        const referenceResult = (reference() as { result: unknown[] }).result;
        if (JSON.stringify(referenceResult) !== JSON.stringify(first.documents)) throw new Error(`${name}: the engine and the reference disagree`);
        old = time(Math.max(3, Math.min(runs, Math.floor(30_000 / count))), reference);
      }
      rows.push({
        orders: count,
        query: name,
        'first run ms (index build)': round(firstMs, 1),
        'sqlite p50 ms': engine.p50,
        'sqlite p99 ms': engine.p99,
        'zeit in memory p50 ms': old.p50,
        'zeit in memory p99 ms': old.p99,
      });
    }
    // What the query indexes cost a write: one-row transactions with the indexes in place.
    const insert = db.prepare('INSERT INTO documents (container, pk, id, body, lsn) VALUES (?, ?, ?, ?, ?)');
    const writes = time(500, () => {
      const document = order(count + rows.length * 1000 + Math.floor(Math.random() * 1e9));
      db.transaction(() => insert.run(CONTAINER, JSON.stringify(document.id), document.id as string, JSON.stringify(document), count + 1));
    });
    console.log(`${count} orders: loaded in ${round(loadMs, 0)} ms; one-document insert with the query indexes p50 ${writes.p50} ms, p99 ${writes.p99} ms`);
    db.close();
  }
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
