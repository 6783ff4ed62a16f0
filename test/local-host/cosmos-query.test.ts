import { describe, expect, it } from 'vitest';
import { executeQuery, fallbackCount, queryPlan, QueryError, type QueryInput } from '../../src/local-host/cosmos/query';
import { CONTAINER, documentsDatabase, drain, reference, store } from './cosmos-query-support';

/** Documents with every awkward case: missing properties, null, booleans beside numbers, mixed types, ties. */
const DOCUMENTS = [
  { id: 'a', status: 'Pending', createdAt: '2026-01-03T10:00:00Z', total: 10, flag: true, customerId: 'c1', tags: ['x'] },
  { id: 'b', status: 'Processing', createdAt: '2026-01-01T10:00:00Z', total: 2.5, flag: false, customerId: 'c2' },
  { id: 'c', status: 'Pending', createdAt: '2026-01-03T10:00:00Z', total: 1, flag: 1, customerId: 'c1', nested: { level: 3 } },
  { id: 'd', status: null, createdAt: '2026-01-02T10:00:00Z', total: '10', customerId: 'c2' },
  { id: 'e', createdAt: '2026-01-05T10:00:00Z', total: 0, flag: 0, nested: { level: 'high' } },
  { id: 'f', status: 'Completed', createdAt: '2026-01-04T10:00:00Z', total: -3, flag: null, customerId: 'c1', 'odd key': 7 },
  { id: 'g', status: 'Pending', createdAt: '2026-01-03T10:00:00Z', total: 10, customerId: 'c3', nested: { level: 2 }, tags: [] },
  { id: 'h', status: 'pending', createdAt: 5, total: true, customerId: 'c1' },
];

const parameters = [
  { name: '@status', value: 'Pending' },
  { name: '@customerId', value: 'c1' },
  { name: '@afterCreatedAt', value: '2026-01-03T10:00:00Z' },
  { name: '@afterId', value: 'g' },
  { name: '@before', value: '2026-01-04T00:00:00Z' },
  { name: '@ten', value: 10 },
  { name: '@yes', value: true },
  { name: '@nothing', value: null },
];

/** Queries whose answer must equal the reference evaluator's, document for document and in the same order. */
const AGREED: string[] = [
  // The app's own queries.
  'SELECT TOP 21 * FROM c ORDER BY c.createdAt DESC, c.id DESC',
  'SELECT TOP 21 * FROM c WHERE c.customerId = @customerId ORDER BY c.createdAt DESC, c.id DESC',
  'SELECT TOP 21 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC',
  'SELECT TOP 21 * FROM c WHERE c.customerId = @customerId AND c.status = @status ORDER BY c.createdAt DESC, c.id DESC',
  'SELECT TOP 3 * FROM c WHERE c.status = @status AND (c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId)) ORDER BY c.createdAt DESC, c.id DESC',
  'SELECT TOP 2 * FROM c WHERE c.status = @status AND c.createdAt < @before ORDER BY c.createdAt, c.id',
  "SELECT * FROM c WHERE c.docType = 'product'",
  'SELECT c.id FROM c',
  'SELECT VALUE COUNT(1) FROM c',
  "SELECT VALUE COUNT(1) FROM c WHERE c.status = 'Pending'",
  // Comparisons: only values of the same type compare; booleans are not numbers; null is not missing.
  'SELECT VALUE c.id FROM c WHERE c.total = 10',
  'SELECT VALUE c.id FROM c WHERE c.total = @ten',
  'SELECT VALUE c.id FROM c WHERE c.total > 1',
  'SELECT VALUE c.id FROM c WHERE c.total >= 1 AND c.total <= 10',
  'SELECT VALUE c.id FROM c WHERE 1 < c.total',
  "SELECT VALUE c.id FROM c WHERE c.total < '2'",
  'SELECT VALUE c.id FROM c WHERE c.flag = true',
  'SELECT VALUE c.id FROM c WHERE c.flag = @yes',
  'SELECT VALUE c.id FROM c WHERE c.flag = false',
  'SELECT VALUE c.id FROM c WHERE c.flag = 1',
  'SELECT VALUE c.id FROM c WHERE c.flag',
  'SELECT VALUE c.id FROM c WHERE c.status = null',
  'SELECT VALUE c.id FROM c WHERE c.flag = @nothing',
  'SELECT VALUE c.id FROM c WHERE c.status < null',
  'SELECT VALUE c.id FROM c WHERE c.total < null ORDER BY c.total, c.id',
  "SELECT VALUE c.id FROM c WHERE c.status > 'P'",
  "SELECT VALUE c.id FROM c WHERE c.status >= 'Pending' AND c.status < 'Q'",
  "SELECT VALUE c.id FROM c WHERE c.nested.level > 1",
  "SELECT VALUE c.id FROM c WHERE c['odd key'] = 7",
  "SELECT VALUE c.id FROM c WHERE c.tags[0] = 'x'",
  // Logic: OR, NOT, IN, type checks.
  "SELECT VALUE c.id FROM c WHERE c.status = 'Completed' OR c.total = 0",
  'SELECT VALUE c.id FROM c WHERE NOT (c.total > 1)',
  'SELECT VALUE c.id FROM c WHERE NOT (c.total > 1 OR c.total < 0)',
  "SELECT VALUE c.id FROM c WHERE c.status IN ('Pending', 'Completed')",
  'SELECT VALUE c.id FROM c WHERE c.total IN (10, 1, -3)',
  'SELECT VALUE c.id FROM c WHERE IS_DEFINED(c.status)',
  'SELECT VALUE c.id FROM c WHERE NOT IS_DEFINED(c.status)',
  'SELECT VALUE c.id FROM c WHERE IS_NULL(c.status) OR IS_BOOL(c.flag)',
  'SELECT VALUE c.id FROM c WHERE IS_NUMBER(c.total) AND NOT IS_STRING(c.createdAt)',
  "SELECT VALUE c.id FROM c WHERE STARTSWITH(c.status, 'Pe')",
  'SELECT VALUE c.id FROM c WHERE true',
  'SELECT VALUE c.id FROM c WHERE false',
  // ORDER BY over mixed types (undefined < null < false < true < numbers < strings), with a unique last key.
  'SELECT VALUE c.id FROM c ORDER BY c.status, c.id',
  'SELECT VALUE c.id FROM c ORDER BY c.status DESC, c.id DESC',
  'SELECT VALUE c.id FROM c ORDER BY c.total DESC, c.id',
  'SELECT VALUE c.id FROM c ORDER BY c.flag, c.id DESC',
  'SELECT VALUE c.id FROM c ORDER BY c.createdAt, c.id',
  'SELECT TOP 3 VALUE c.id FROM c ORDER BY c.id DESC',
  // Projections.
  'SELECT c.id, c.nested.level, c.missing, c.total AS amount FROM c ORDER BY c.id',
  'SELECT VALUE c.nested FROM c ORDER BY c.id',
  'SELECT VALUE {"key": c.id, "parts": [c.status, c.missing, 1]} FROM c ORDER BY c.id',
  'SELECT r.id FROM root r WHERE r.total = 10 ORDER BY r.id',
  // Outside the translated subset: answered by the fallback, so trivially equal, but the paging still applies.
  'SELECT VALUE c.id FROM c WHERE c.id > c.status',
  "SELECT VALUE UPPER(c.id) FROM c WHERE CONTAINS(c.status, 'end')",
  'SELECT VALUE SUM(c.nested.level) FROM c',
];

describe('query engine answers as the reference evaluator does', () => {
  const db = documentsDatabase();
  store(db, DOCUMENTS);
  const scope = { db, container: CONTAINER };

  it.each(AGREED)('%s', (query) => {
    const input: QueryInput = { query, parameters };
    const expected = reference(db, input);
    expect(drain(scope, input)).toEqual(expected);
    // Page by page (2 at a time) the results are the same, each exactly once.
    expect(drain(scope, input, 2)).toEqual(expected);
  });

  it('only sees its own container and, when scoped, its own partition', () => {
    const other = documentsDatabase();
    store(other, DOCUMENTS);
    store(other, [{ id: 'z', status: 'Pending', createdAt: '2026-01-09T00:00:00Z' }], 'shop/other');
    expect(drain({ db: other, container: CONTAINER }, { query: 'SELECT VALUE c.id FROM c' })).toHaveLength(DOCUMENTS.length);
    expect(drain({ db: other, container: 'shop/other' }, { query: 'SELECT VALUE c.id FROM c' })).toEqual(['z']);
    const scoped = { db: other, container: CONTAINER, partitionKey: JSON.stringify('c') };
    expect(drain(scoped, { query: "SELECT VALUE c.id FROM c WHERE c.status = 'Pending'" })).toEqual(['c']);
    expect(drain(scoped, { query: 'SELECT VALUE c.id FROM c WHERE c.id > c.status' })).toEqual(['c']);
  });
});

describe('Cosmos DB semantics where the reference evaluator is older than the service', () => {
  const db = documentsDatabase();
  store(db, DOCUMENTS);
  const scope = { db, container: CONTAINER };
  const ids = (query: string) => drain(scope, { query, parameters });

  it('compares values of different types as undefined, so neither = nor != nor NOT of them matches', () => {
    // The service's table: a number and a string, or a boolean and a number, are neither equal nor unequal.
    expect(ids("SELECT VALUE c.id FROM c WHERE c.total != '10'")).toEqual([]);
    expect(ids('SELECT VALUE c.id FROM c WHERE c.total != 10')).toEqual(['b', 'c', 'e', 'f']);
    expect(ids('SELECT VALUE c.id FROM c WHERE NOT (c.total = 10)')).toEqual(['b', 'c', 'e', 'f']);
    expect(ids("SELECT VALUE c.id FROM c WHERE NOT (c.status IN ('Pending'))")).toEqual(['b', 'f', 'h']);
    expect(ids('SELECT VALUE c.id FROM c WHERE c.flag != true')).toEqual(['b']);
    // The reference evaluator takes `1 = true` and `null = 'Pending'` as false, so their NOT as true: c, e, f and d.
    expect(ids('SELECT VALUE c.id FROM c WHERE NOT (c.total > 1 OR c.flag = true)')).toEqual([]);
    expect(ids("SELECT VALUE c.id FROM c WHERE NOT (c.status = 'Pending' AND c.total >= 10)")).toEqual(['b', 'c', 'e', 'f', 'h']);
  });

  it('orders documents that lack the property first (ascending), as the service does since 2022', () => {
    expect(ids('SELECT VALUE c.id FROM c ORDER BY c.status')).toEqual(['e', 'd', 'f', 'a', 'c', 'g', 'b', 'h']);
    expect(ids('SELECT VALUE c.id FROM c ORDER BY c.status DESC')).toEqual(['h', 'b', 'g', 'c', 'a', 'f', 'd', 'e']);
  });

  it('breaks ties in insertion order, following the direction, and pages through them without loss', () => {
    const tied = 'SELECT VALUE c.id FROM c WHERE c.createdAt = @afterCreatedAt ORDER BY c.createdAt DESC';
    expect(ids(tied)).toEqual(['g', 'c', 'a']);
    expect(drain(scope, { query: tied, parameters }, 1)).toEqual(['g', 'c', 'a']);
  });
});

describe('paging', () => {
  const db = documentsDatabase();
  store(db, DOCUMENTS);
  const scope = { db, container: CONTAINER };

  it('hands out a continuation while results remain and none after the last page', () => {
    const input = { query: 'SELECT VALUE c.id FROM c ORDER BY c.id' };
    const first = executeQuery(scope, input, { maxItemCount: 5 });
    expect(first.documents).toEqual(['a', 'b', 'c', 'd', 'e']);
    const second = executeQuery(scope, input, { maxItemCount: 5, continuation: first.continuation });
    expect(second).toEqual({ documents: ['f', 'g', 'h'] });
    expect(executeQuery(scope, input, { maxItemCount: 8 })).toEqual({ documents: DOCUMENTS.map((d) => d.id) });
  });

  it('stops TOP at its count even across pages', () => {
    expect(drain(scope, { query: 'SELECT TOP 5 VALUE c.id FROM c ORDER BY c.id' }, 2)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(executeQuery(scope, { query: 'SELECT TOP 3 VALUE c.id FROM c' }, { maxItemCount: 3 }).continuation).toBeUndefined();
  });

  it('applies OFFSET … LIMIT, in the translation and in the fallback', () => {
    expect(drain(scope, { query: 'SELECT VALUE c.id FROM c ORDER BY c.id OFFSET 2 LIMIT 3' }, 2)).toEqual(['c', 'd', 'e']);
    expect(drain(scope, { query: 'SELECT VALUE c.id FROM c ORDER BY c.id OFFSET @skip LIMIT 2', parameters: [{ name: '@skip', value: 6 }] })).toEqual(['g', 'h']);
    expect(drain(scope, { query: 'SELECT VALUE UPPER(c.id) FROM c OFFSET 1 LIMIT 2' })).toEqual(['B', 'C']);
  });

  it('refuses a continuation made by another query', () => {
    const { continuation } = executeQuery(scope, { query: 'SELECT * FROM c' }, { maxItemCount: 1 });
    expect(() => executeQuery(scope, { query: 'SELECT c.id FROM c' }, { continuation })).toThrow(QueryError);
    expect(() => executeQuery(scope, { query: 'SELECT c.id FROM c' }, { continuation: 'garbage' })).toThrow(/continuation/);
  });
});

describe('bad queries are a 400', () => {
  const db = documentsDatabase();
  store(db, DOCUMENTS);
  const scope = { db, container: CONTAINER };
  const failure = (input: QueryInput) => {
    try {
      executeQuery(scope, input, {});
    } catch (err) {
      return err;
    }
    throw new Error('The query did not fail');
  };

  it('reports a syntax error', () => {
    const err = failure({ query: 'SELECT * FORM c' });
    expect(err).toBeInstanceOf(QueryError);
    expect(err).toMatchObject({ status: 400, message: expect.stringMatching(/^Syntax error in the query/) });
  });

  it('names a parameter the request does not define', () => {
    expect(failure({ query: 'SELECT * FROM c WHERE c.id = @id' })).toMatchObject({ status: 400, message: expect.stringContaining('@id') });
    expect(() => queryPlan({ query: 'SELECT * FROM c WHERE c.id = @id' }, ['/id'])).toThrow(QueryError);
  });

  it('reports a query the fallback cannot run', () => {
    expect(failure({ query: 'SELECT VALUE NO_SUCH_FUNCTION(c.id) FROM c' })).toBeInstanceOf(QueryError);
  });
});

describe('fallback accounting', () => {
  it('counts the queries answered by a scan, and only those', () => {
    const db = documentsDatabase();
    store(db, DOCUMENTS);
    const scope = { db, container: CONTAINER };
    const before = fallbackCount();
    drain(scope, { query: 'SELECT TOP 21 * FROM c WHERE c.status = @status ORDER BY c.createdAt DESC, c.id DESC', parameters });
    expect(fallbackCount()).toBe(before);
    drain(scope, { query: 'SELECT VALUE c.id FROM c WHERE c.id > c.status' });
    expect(fallbackCount()).toBe(before + 1);
  });
});
