import createQuery from '@zeit/cosmosdb-query';
import { openDatabase, type SqliteDatabase } from '../../src/local-host/storage/sqlite';
import { executeQuery, type QueryInput, type QueryScope } from '../../src/local-host/cosmos/query';

export const CONTAINER = 'shop/orders';

/** A database with the server's `documents` table, as the embedded Cosmos DB server creates it. */
export function documentsDatabase(file = ':memory:'): SqliteDatabase {
  const db = openDatabase(file);
  db.exec(`CREATE TABLE IF NOT EXISTS documents (
    container TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, lsn INTEGER NOT NULL,
    PRIMARY KEY (container, pk, id));
  CREATE INDEX IF NOT EXISTS documents_by_lsn ON documents(container, lsn);`);
  return db;
}

/** Stores documents partitioned by id, in the given order (which is their rowid and _rid order). */
export function store(db: SqliteDatabase, documents: Array<{ id: string } & Record<string, unknown>>, container = CONTAINER): void {
  const insert = db.prepare('INSERT INTO documents (container, pk, id, body, lsn) VALUES (?, ?, ?, ?, ?)');
  const base = (db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM documents').get()?.n ?? 0) + 1;
  db.transaction(() => {
    documents.forEach((document, i) => {
      const rid = String(base + i).padStart(8, '0');
      insert.run(container, JSON.stringify(document.id), document.id, JSON.stringify({ ...document, _rid: rid }), base + i);
    });
  });
}

/** Every result of a query, page by page (`maxItemCount` per page), as the SDK would drain it. */
export function drain(scope: QueryScope, input: QueryInput, maxItemCount?: number): unknown[] {
  const results: unknown[] = [];
  let continuation: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = executeQuery(scope, input, { maxItemCount, continuation });
    results.push(...page.documents);
    continuation = page.continuation;
    if (!continuation) return results;
  }
  throw new Error('The query never ran out of pages');
}

/** The reference answer: @zeit/cosmosdb-query over the same documents in memory (what the old server did). */
export function reference(db: SqliteDatabase, input: QueryInput, container = CONTAINER): unknown[] {
  const documents = db
    .prepare<{ body: string }>('SELECT body FROM documents WHERE container = ? ORDER BY rowid')
    .all(container)
    .map((row) => JSON.parse(row.body) as object);
  return (createQuery(input.query).exec(documents, { parameters: input.parameters ?? [] }) as { result: unknown[] }).result;
}
