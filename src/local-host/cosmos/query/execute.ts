import type { SqliteDatabase, SqlValue, Statement } from '../../storage/sqlite';
import { decodeContinuation, encodeContinuation, queryFingerprint } from './continuation';
import { evaluateByScan } from './fallback';
import { ensureIndex } from './indexes';
import { parseQuery, topCount, type ParsedQuery } from './parse';
import { evaluate } from './project';
import { jsonPath, rankTerm, sqlString, valueTerm } from './sql-terms';
import { translate, type TranslatedQuery } from './translate';

export interface QueryScope {
  db: SqliteDatabase;
  container: string;
  /** The `documents.pk` value when the request is scoped to one partition. */
  partitionKey?: string;
}
export interface QueryInput {
  query: string;
  parameters?: Array<{ name: string; value: unknown }>;
}
export interface QueryPage {
  documents: unknown[];
  continuation?: string;
}
export interface PageRequest {
  maxItemCount?: number;
  continuation?: string;
}

/** Cosmos DB's page size when the request names none (or asks for "as many as fit", -1). */
export const DEFAULT_PAGE_SIZE = 100;

/**
 * The SQL statement a translated query runs as (exported for the tests' EXPLAIN QUERY PLAN).
 *
 * ORDER BY keeps documents that lack the property, first when ascending, as the service has done since 2022
 * (it used to leave them out, and @zeit/cosmosdb-query still does for a single ORDER BY property); types
 * order undefined, null, false, true, numbers, strings, arrays, objects. Unlike the service, a multi-property
 * ORDER BY does not ask for a composite index in the container's indexing policy.
 */
export function statementFor(scope: QueryScope, translated: TranslatedQuery, forceIndex = true): { sql: string; params: SqlValue[] } {
  const index = ensureIndex(scope.db, scope.container, translated.indexColumns);
  // Without statistics SQLite takes `container = ?` on documents_by_lsn for a few rows and sorts them; the
  // index made for this very shape is the right one (unless one partition is asked for: its key is tighter).
  const table = forceIndex && index && scope.partitionKey === undefined ? `documents INDEXED BY ${index}` : 'documents';
  const conditions = [`container = ${sqlString(scope.container)}`];
  const params: SqlValue[] = [];
  if (scope.partitionKey !== undefined) {
    conditions.push('pk = ?');
    params.push(scope.partitionKey);
  }
  if (translated.where !== '1') conditions.push(translated.where);
  params.push(...translated.whereParams);
  const where = conditions.join(' AND ');
  if (translated.projection.kind === 'count') return { sql: `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, params };
  const pinned = new Set(translated.pinnedRanks.map((path) => jsonPath(path)));
  const order = translated.orderBy.flatMap(({ path, descending }) => {
    const direction = descending ? ' DESC' : '';
    const value = `${valueTerm(path)}${direction}`;
    return pinned.has(jsonPath(path)) ? [value] : [`${rankTerm(path)}${direction}`, value];
  });
  const mixed = new Set(translated.orderBy.map((column) => column.descending)).size > 1;
  const lastDescending = translated.orderBy[translated.orderBy.length - 1]?.descending ?? false;
  // The rowid makes every order total (stable pages); it follows the index's walk so no sort is needed.
  // Without ORDER BY or filter (a whole-container read, page after page) documents_by_lsn gives the order.
  if (order.length === 0 && translated.indexColumns.length === 0) order.push('lsn');
  order.push(!mixed && lastDescending ? 'rowid DESC' : 'rowid');
  return { sql: `SELECT body FROM ${table} WHERE ${where} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`, params };
}

function project(translated: TranslatedQuery, parsed: ParsedQuery, body: string): unknown {
  const document = JSON.parse(body) as unknown;
  const { projection } = translated;
  if (projection.kind === 'value') return evaluate(projection.expression, document, translated.alias, parsed.parameters);
  if (projection.kind === 'properties') {
    const result: Record<string, unknown> = {};
    for (const { name, expression } of projection.properties) {
      const value = evaluate(expression, document, translated.alias, parsed.parameters);
      if (value !== undefined) result[name] = value;
    }
    return result;
  }
  return document;
}

/** Runs a query in one partition, or across the container, and returns one page of its results. */
export function executeQuery(scope: QueryScope, input: QueryInput, page: PageRequest): QueryPage {
  const parsed = parseQuery(input.query, input.parameters);
  const fingerprint = queryFingerprint(input.query, input.parameters);
  const start = decodeContinuation(page.continuation, fingerprint);
  const pageSize = page.maxItemCount !== undefined && page.maxItemCount > 0 ? page.maxItemCount : DEFAULT_PAGE_SIZE;
  const translated = translate(parsed);

  if (!translated) {
    const all = evaluateByScan(scope.db, scope.container, scope.partitionKey, parsed);
    const documents = all.slice(start, start + pageSize);
    const next = start + documents.length;
    return next < all.length ? { documents, continuation: encodeContinuation(fingerprint, next) } : { documents };
  }

  const { sql, params } = statementFor(scope, translated);
  let statement: Statement<{ body: string; n: number }>;
  try {
    statement = scope.db.prepare(sql);
  } catch (err) {
    // A filter SQLite folds to a constant (`c.a < null` is never true) leaves no plan that uses the index.
    if (!(err instanceof Error && err.message.includes('no query solution'))) throw err;
    statement = scope.db.prepare(statementFor(scope, translated, false).sql);
  }
  if (translated.projection.kind === 'count') {
    // One page holds the whole aggregate; TOP/OFFSET apply to the single result row.
    const row = statement.get(...params);
    const skip = (parsed.offset ?? 0) + start;
    const keep = Math.min(topCount(parsed) ?? 1, parsed.limit ?? 1);
    return { documents: skip === 0 && keep > 0 ? [row?.n ?? 0] : [] };
  }

  // The query's own window (TOP, OFFSET … LIMIT), then this page inside it.
  const top = topCount(parsed) ?? Infinity;
  const windowSize = Math.min(top, parsed.limit ?? Infinity);
  const remaining = windowSize - start;
  if (remaining <= 0) return { documents: [] };
  const take = Math.min(pageSize, remaining);
  // One row more than the page tells whether another page exists.
  const probe = take < remaining ? take + 1 : take;
  const rows = statement.all(...params, probe, (parsed.offset ?? 0) + start);
  const more = rows.length > take;
  const documents: unknown[] = [];
  for (const row of rows.slice(0, take)) {
    const projected = project(translated, parsed, row.body);
    // SELECT VALUE of an undefined property yields nothing for that document.
    if (projected !== undefined) documents.push(projected);
  }
  return more ? { documents, continuation: encodeContinuation(fingerprint, start + take) } : { documents };
}
