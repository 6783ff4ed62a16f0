/**
 * Expression indexes, created the first time a query shape needs one. Cosmos DB indexes every path; here each
 * translated query names the index that serves it (equality paths, then the ORDER BY or range path) and gets
 * it on demand. Each index is partial, `WHERE container = '<db>/<container>'`, so only that container's
 * documents carry it and writes to the other containers pay nothing for it. Names are a hash of the
 * definition: the same shape finds the same index after a restart.
 */
import { createHash } from 'node:crypto';
import type { SqliteDatabase } from '../../storage/sqlite';
import { rankTerm, sqlString, valueTerm } from './sql-terms';
import type { IndexColumn } from './translate';

/** Beyond this many query-made indexes in one database, new shapes run without one (correct, but scanning). */
export const MAX_QUERY_INDEXES = 64;

const known = new WeakMap<SqliteDatabase, Set<string>>();

export function indexDefinition(container: string, columns: readonly IndexColumn[]): { name: string; sql: string } {
  const terms = columns.flatMap(({ path, descending }) => {
    const direction = descending ? ' DESC' : '';
    return [`${rankTerm(path)}${direction}`, `${valueTerm(path)}${direction}`];
  });
  const where = `container = ${sqlString(container)}`;
  const body = `ON documents(${terms.join(', ')}) WHERE ${where}`;
  const name = `documents_query_${createHash('sha256').update(body).digest('hex').slice(0, 20)}`;
  return { name, sql: `CREATE INDEX IF NOT EXISTS ${name} ${body}` };
}

/** Creates the index for a query shape unless it exists (or the database already holds the most it may). */
export function ensureIndex(db: SqliteDatabase, container: string, columns: readonly IndexColumn[]): string | undefined {
  if (columns.length === 0) return undefined;
  let names = known.get(db);
  if (!names) {
    const rows = db.prepare<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'documents_query_%'").all();
    names = new Set(rows.map((row) => row.name));
    known.set(db, names);
  }
  const { name, sql } = indexDefinition(container, columns);
  if (names.has(name)) return name;
  if (names.size >= MAX_QUERY_INDEXES) return undefined;
  db.exec(sql);
  names.add(name);
  return name;
}
