import { beforeEach, describe, expect, it } from 'vitest';
import { CosmosCore } from '../../src/local-host/cosmos/cosmos-core';
import type { CosmosResponse } from '../../src/local-host/cosmos/protocol';
import { openDatabase } from '../../src/local-host/storage/sqlite';

/* The protocol core on its own: plain requests in, plain answers out, SQLite in memory. */
let core: CosmosCore;

function send(method: string, path: string, headers: Record<string, string> = {}, body?: unknown): CosmosResponse {
  return core.handle({ method, path, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
}

const parsed = (response: CosmosResponse): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;
const pk = (value: unknown): Record<string, string> => ({ 'x-ms-documentdb-partitionkey': JSON.stringify([value]) });
const docs = '/dbs/shop/colls/stock/docs';

beforeEach(() => {
  core = new CosmosCore(openDatabase(':memory:'));
  expect(send('POST', '/dbs', {}, { id: 'shop' }).status).toBe(201);
  expect(send('POST', '/dbs/shop/colls', {}, { id: 'stock', partitionKey: { paths: ['/pk'] } }).status).toBe(201);
});

describe('databases and containers', () => {
  it('answers 409 for a second create, 404 with a problem body for what is not there, and keeps the partition key and indexing policy', () => {
    expect(send('POST', '/dbs', {}, { id: 'shop' }).status).toBe(409);
    const missing = send('GET', '/dbs/nowhere');
    expect(missing.status).toBe(404);
    expect(parsed(missing)).toMatchObject({ code: 'NotFound' });
    const policy = { indexingMode: 'consistent', compositeIndexes: [[{ path: '/a', order: 'ascending' }, { path: '/b', order: 'descending' }]] };
    send('POST', '/dbs/shop/colls', {}, { id: 'orders', partitionKey: { paths: ['/id'] }, indexingPolicy: policy });
    expect(parsed(send('GET', '/dbs/shop/colls/orders'))).toMatchObject({ id: 'orders', partitionKey: { paths: ['/id'] }, indexingPolicy: policy });
    const replaced = send('PUT', '/dbs/shop/colls/orders', {}, { id: 'orders', partitionKey: { paths: ['/id'] }, indexingPolicy: { indexingMode: 'none' } });
    expect(replaced.status).toBe(200);
    expect(parsed(send('GET', '/dbs/shop/colls/orders'))).toMatchObject({ indexingPolicy: { indexingMode: 'none' } });
    expect(send('PUT', '/dbs/shop/colls/orders', {}, { id: 'orders', partitionKey: { paths: ['/other'] } }).status).toBe(400);
    expect((parsed(send('GET', '/dbs/shop/colls')).DocumentCollections as unknown[]).length).toBe(2);
  });

  it('deletes a container with its documents, and a database with its containers', () => {
    send('POST', docs, pk('a'), { id: '1', pk: 'a' });
    expect(send('DELETE', '/dbs/shop/colls/stock').status).toBe(204);
    send('POST', '/dbs/shop/colls', {}, { id: 'stock', partitionKey: { paths: ['/pk'] } });
    expect(send('GET', `${docs}/1`, pk('a')).status).toBe(404);
    expect(send('DELETE', '/dbs/shop').status).toBe(204);
    expect(send('GET', '/dbs/shop/colls/stock').status).toBe(404);
  });

  it('has one partition key range', () => {
    const ranges = parsed(send('GET', '/dbs/shop/colls/stock/pkranges'));
    expect(ranges).toMatchObject({ _count: 1, PartitionKeyRanges: [{ id: '0', minInclusive: '', maxExclusive: 'FF' }] });
  });
});

describe('documents', () => {
  it('creates with system properties, refuses a second create with 409, reads back what it stored', () => {
    const created = send('POST', docs, pk('a'), { id: '1', pk: 'a', count: 5 });
    expect(created.status).toBe(201);
    const body = parsed(created);
    expect(body).toMatchObject({ id: '1', pk: 'a', count: 5 });
    expect(body._etag).toEqual(created.headers.etag);
    expect(typeof body._rid).toBe('string');
    expect(typeof body._self).toBe('string');
    expect(typeof body._ts).toBe('number');
    expect(created.headers['x-ms-request-charge']).toBe('1');
    expect(created.headers['x-ms-session-token']).toMatch(/^0:-1#\d+$/);
    expect(send('POST', docs, pk('a'), { id: '1', pk: 'a' }).status).toBe(409);
    expect(send('GET', `${docs}/1`, pk('a')).body).toBe(created.body);
    expect(send('GET', `${docs}/1`, pk('b')).status).toBe(404);
  });

  it('replaces with a new ETag and the same _rid, and answers 412 for a stale If-Match', () => {
    const first = parsed(send('POST', docs, pk('a'), { id: '1', pk: 'a', count: 5 }));
    const second = send('PUT', `${docs}/1`, { ...pk('a'), 'if-match': String(first._etag) }, { ...first, count: 4 });
    expect(second.status).toBe(200);
    expect(parsed(second)).toMatchObject({ count: 4, _rid: first._rid });
    expect(parsed(second)._etag).not.toEqual(first._etag);
    const stale = send('PUT', `${docs}/1`, { ...pk('a'), 'if-match': String(first._etag) }, { id: '1', pk: 'a', count: 3 });
    expect(stale.status).toBe(412);
    expect(parsed(send('GET', `${docs}/1`, pk('a')))).toMatchObject({ count: 4 });
    expect(send('PUT', `${docs}/2`, pk('a'), { id: '2', pk: 'a' }).status).toBe(404);
    expect(send('DELETE', `${docs}/1`, { ...pk('a'), 'if-match': String(first._etag) }).status).toBe(412);
  });

  it('upserts (201 then 200), deletes (204 then 404) and patches', () => {
    expect(send('POST', docs, { ...pk('a'), 'x-ms-documentdb-is-upsert': 'true' }, { id: '1', pk: 'a', n: 1 }).status).toBe(201);
    expect(send('POST', docs, { ...pk('a'), 'x-ms-documentdb-is-upsert': 'true' }, { id: '1', pk: 'a', n: 2 }).status).toBe(200);
    const patched = send('PATCH', `${docs}/1`, pk('a'), [
      { op: 'incr', path: '/n', value: 3 },
      { op: 'set', path: '/tags', value: ['x'] },
      { op: 'add', path: '/tags/-', value: 'y' },
    ]);
    expect(patched.status).toBe(200);
    expect(parsed(patched)).toMatchObject({ n: 5, tags: ['x', 'y'] });
    expect(send('PATCH', `${docs}/1`, pk('a'), [{ op: 'set', path: '/pk', value: 'b' }]).status).toBe(400);
    expect(send('DELETE', `${docs}/1`, pk('a')).status).toBe(204);
    expect(send('DELETE', `${docs}/1`, pk('a')).status).toBe(404);
  });

  it('answers 400 problem documents for bad input, never a 500', () => {
    for (const response of [
      send('POST', docs, pk('a'), '{not json'),
      send('POST', docs, pk('a'), '[1,2]'),
      send('POST', docs, pk('a'), { pk: 'a' }),
      send('POST', docs, pk('a'), { id: 'a/b', pk: 'a' }),
      send('POST', docs, pk('b'), { id: '1', pk: 'a' }),
      send('POST', docs, { 'x-ms-documentdb-partitionkey': 'not json' }, { id: '1', pk: 'a' }),
      send('POST', docs, { 'content-type': 'application/query+json', 'x-ms-documentdb-isquery': 'true' }, { query: 'SELEC nothing' }),
      send('POST', docs, { 'x-ms-cosmos-is-batch-request': 'true', ...pk('a') }, { not: 'an array' }),
      send('GET', docs, { 'a-im': 'Incremental feed', 'if-none-match': 'yesterday' }),
    ]) {
      expect(response.status).toBe(400);
      expect(parsed(response)).toMatchObject({ code: 'BadRequest', message: expect.any(String) });
    }
  });

  it('stores a document without a partition key value under {}', () => {
    expect(send('POST', docs, { 'x-ms-documentdb-partitionkey': '[{}]' }, { id: 'loose' }).status).toBe(201);
    expect(send('GET', `${docs}/loose`, { 'x-ms-documentdb-partitionkey': '[{}]' }).status).toBe(200);
  });
});

describe('queries and feeds', () => {
  it('answers queries, scoped to a partition when the header names one, paged by x-ms-max-item-count', () => {
    for (let index = 0; index < 5; index += 1) send('POST', docs, pk(index % 2 ? 'odd' : 'even'), { id: `d${index}`, pk: index % 2 ? 'odd' : 'even', n: index });
    const query = { 'content-type': 'application/query+json', 'x-ms-documentdb-isquery': 'true' };
    const all = parsed(send('POST', docs, query, { query: 'SELECT * FROM c WHERE c.n >= @min', parameters: [{ name: '@min', value: 1 }] }));
    expect((all.Documents as Array<{ id: string }>).map((document) => document.id).sort()).toEqual(['d1', 'd2', 'd3', 'd4']);
    const even = parsed(send('POST', docs, { ...query, ...pk('even') }, { query: 'SELECT VALUE c.n FROM c' }));
    expect((even.Documents as number[]).sort()).toEqual([0, 2, 4]);
    const first = send('POST', docs, { ...query, 'x-ms-max-item-count': '2' }, { query: 'SELECT * FROM c ORDER BY c.n' });
    expect(parsed(first)._count).toBe(2);
    expect(first.headers['x-ms-continuation']).toBeTruthy();
    const plan = send('POST', docs, { ...query, 'x-ms-cosmos-is-query-plan-request': 'True' }, { query: 'SELECT * FROM c' });
    expect(parsed(plan)).toMatchObject({ queryInfo: expect.any(Object), queryRanges: [{ min: '', max: 'FF' }] });
  });

  it('reads the feed in pages with a continuation', () => {
    for (let index = 0; index < 5; index += 1) send('POST', docs, pk('a'), { id: `d${index}`, pk: 'a' });
    const seen: string[] = [];
    let continuation: string | undefined;
    do {
      const page = send('GET', docs, { 'x-ms-max-item-count': '2', ...(continuation ? { 'x-ms-continuation': continuation } : {}) });
      seen.push(...(parsed(page).Documents as Array<{ id: string }>).map((document) => document.id));
      continuation = page.headers['x-ms-continuation'];
    } while (continuation);
    expect(seen).toEqual(['d0', 'd1', 'd2', 'd3', 'd4']);
  });

  it('serves the change feed from the log sequence number: from now (304), then what changed, each document once at its latest version', () => {
    send('POST', docs, pk('a'), { id: 'old', pk: 'a' });
    const feedHeaders = { 'a-im': 'Incremental feed', 'x-ms-documentdb-partitionkeyrangeid': '0' };
    const now = send('GET', docs, { ...feedHeaders, 'if-none-match': '*' });
    expect(now.status).toBe(304);
    const token = now.headers.etag ?? '';
    expect(send('GET', docs, { ...feedHeaders, 'if-none-match': token }).status).toBe(304);
    send('POST', docs, pk('a'), { id: 'x', pk: 'a', v: 1 });
    send('POST', docs, pk('a'), { id: 'y', pk: 'a' });
    send('POST', docs, { ...pk('a'), 'x-ms-documentdb-is-upsert': 'true' }, { id: 'x', pk: 'a', v: 2 });
    const changes = send('GET', docs, { ...feedHeaders, 'if-none-match': token });
    expect(changes.status).toBe(200);
    expect((parsed(changes).Documents as Array<{ id: string; v?: number }>).map((document) => [document.id, document.v])).toEqual([
      ['y', undefined],
      ['x', 2],
    ]);
    expect(send('GET', docs, { ...feedHeaders, 'if-none-match': changes.headers.etag ?? '' }).status).toBe(304);
    const beginning = send('GET', docs, feedHeaders);
    expect((parsed(beginning).Documents as Array<{ id: string }>).map((document) => document.id)).toEqual(['old', 'y', 'x']);
  });
});
