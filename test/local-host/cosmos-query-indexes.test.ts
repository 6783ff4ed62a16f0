import { describe, expect, it } from 'vitest';
import { executeQuery } from '../../src/local-host/cosmos/query';
import { MAX_QUERY_INDEXES } from '../../src/local-host/cosmos/query/indexes';
import { statementFor } from '../../src/local-host/cosmos/query/execute';
import { parseQuery } from '../../src/local-host/cosmos/query/parse';
import { translate } from '../../src/local-host/cosmos/query/translate';
import type { SqliteDatabase } from '../../src/local-host/storage/sqlite';
import { CONTAINER, documentsDatabase, store } from './cosmos-query-support';

const STATUSES = ['Pending', 'Processing', 'Completed', 'Failed'];

function ordersDatabase(count: number): SqliteDatabase {
  const db = documentsDatabase();
  store(
    db,
    Array.from({ length: count }, (_, i) => {
      const createdAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 3) * 60_000).toISOString();
      return { id: `order-${i}`, customerId: `customer-${i % 50}`, status: STATUSES[i % 4], createdAt, updatedAt: createdAt };
    }),
  );
  store(db, [{ id: 'p1', docType: 'product' }], 'shop/products');
  return db;
}

const parameters = [
  { name: '@customerId', value: 'customer-7' },
  { name: '@status', value: 'Pending' },
  { name: '@afterCreatedAt', value: '2026-01-01T05:00:00.000Z' },
  { name: '@afterId', value: 'order-900' },
  { name: '@before', value: '2026-01-01T10:00:00.000Z' },
];

/** The app's queries (src/data/order-repository.ts, src/data/product-repository.ts) as they reach the server. */
const APP_QUERIES: Array<[string, string]> = [
  ['orders listing', 'SELECT TOP 21 * FROM c ORDER BY c.createdAt DESC, c.id DESC'],
  ['orders of a customer', 'SELECT TOP 21 * FROM c WHERE c.customerId = @customerId ORDER BY c.createdAt DESC, c.id DESC'],
  ['orders in a status', 'SELECT TOP 21 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC'],
  [
    'next page of a customer in a status',
    'SELECT TOP 21 * FROM c WHERE c.customerId = @customerId AND c.status = @status AND (c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId)) ORDER BY c.createdAt DESC, c.id DESC',
  ],
  ['next page', 'SELECT TOP 21 * FROM c WHERE (c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId)) ORDER BY c.createdAt DESC, c.id DESC'],
  ['pending sweep', 'SELECT TOP 50 * FROM c WHERE c.status = @status AND c.createdAt < @before ORDER BY c.createdAt'],
  ['processing sweep', 'SELECT TOP 50 * FROM c WHERE c.status = @status AND c.updatedAt < @before ORDER BY c.updatedAt'],
  ['count', 'SELECT VALUE COUNT(1) FROM c'],
  ['whole container, page by page (scripts/chaos/observe.ts)', 'SELECT c.id FROM c'],
  ['products', "SELECT * FROM c WHERE c.docType = 'product'"],
];

function queryPlanOf(db: SqliteDatabase, query: string, container = CONTAINER): string[] {
  const scope = { db, container };
  // Running the query creates its index, as the server's first such query would.
  executeQuery(scope, { query, parameters }, { maxItemCount: 100 });
  const translated = translate(parseQuery(query, parameters));
  if (!translated) throw new Error(`${query} is not translated`);
  const { sql, params } = statementFor(scope, translated);
  const extra = translated.projection.kind === 'count' ? [] : [21, 0];
  return db.prepare<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...params, ...extra).map((row) => row.detail);
}

describe('the app queries run through indexes', () => {
  const db = ordersDatabase(3000);

  it.each(APP_QUERIES)('%s: through an index, in its order, no table scan and no sort', (_name, query) => {
    const container = query.includes('product') ? 'shop/products' : CONTAINER;
    const plan = queryPlanOf(db, query, container);
    expect(plan).toHaveLength(1);
    // SEARCH: a range of an index. SCAN … USING INDEX documents_query_…: the container's own partial index
    // walked in ORDER BY order, which TOP stops after a page.
    expect(plan[0]).toMatch(/^(SEARCH documents USING (COVERING )?INDEX|SCAN documents USING INDEX documents_query_)/);
    expect(plan.some((step) => step.includes('TEMP B-TREE'))).toBe(false);
  });

  it('names indexes by their definition, so the same shape reuses one', () => {
    const names = () =>
      db
        .prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'documents_query_%'")
        .all()
        .map((row) => row.name)
        .sort();
    const before = names();
    queryPlanOf(db, 'SELECT TOP 5 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC');
    expect(names()).toEqual(before);
    queryPlanOf(db, 'SELECT TOP 5 * FROM c WHERE c.customerId = @customerId ORDER BY c.updatedAt');
    expect(names()).toHaveLength(before.length + 1);
  });

  it('stops after a page for ORDER BY + TOP: no sorter in the program, so LIMIT ends the index walk', () => {
    const query = 'SELECT TOP 21 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC';
    const page = executeQuery({ db, container: CONTAINER }, { query, parameters }, { maxItemCount: 21 });
    expect(page.documents).toHaveLength(21);
    const { sql, params } = statementFor({ db, container: CONTAINER }, translate(parseQuery(query, parameters))!);
    const rows = db.prepare<{ opcode: string }>(`EXPLAIN ${sql}`).all(...params, 21, 0);
    expect(rows.some((row) => row.opcode.startsWith('Sorter'))).toBe(false);
  });
});

describe('a bounded number of query indexes', () => {
  it('answers new shapes without an index once the database holds the most it may', () => {
    const db = documentsDatabase();
    store(db, [
      { id: 'a', rank: 2 },
      { id: 'b', rank: 1 },
      { id: 'c', rank: 3 },
    ]);
    const scope = { db, container: CONTAINER };
    for (let i = 0; i < MAX_QUERY_INDEXES; i++) executeQuery(scope, { query: `SELECT * FROM c ORDER BY c.field${i}` }, {});
    const count = () => db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name LIKE 'documents_query_%'").get()?.n;
    expect(count()).toBe(MAX_QUERY_INDEXES);
    const page = executeQuery(scope, { query: 'SELECT VALUE c.id FROM c ORDER BY c.rank DESC' }, { maxItemCount: 2 });
    expect(page.documents).toEqual(['c', 'a']);
    expect(executeQuery(scope, { query: 'SELECT VALUE c.id FROM c ORDER BY c.rank DESC' }, { continuation: page.continuation }).documents).toEqual(['b']);
    expect(count()).toBe(MAX_QUERY_INDEXES);
  });
});
