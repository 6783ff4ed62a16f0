/**
 * The embedded Cosmos DB's storage in one SQLite file: databases and containers (their Cosmos DB resource
 * bodies), documents (one row each, the stored JSON with its system properties) and the log sequence number
 * that orders every write for the change feed and survives restarts.
 */
import type { SqliteDatabase } from '../storage/sqlite';

const schema = `
CREATE TABLE IF NOT EXISTS documents (
  container TEXT NOT NULL,
  pk TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL,
  lsn INTEGER NOT NULL,
  PRIMARY KEY (container, pk, id)
);
CREATE INDEX IF NOT EXISTS documents_by_lsn ON documents(container, lsn);
CREATE TABLE IF NOT EXISTS cosmos_databases (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cosmos_containers (
  container TEXT PRIMARY KEY,
  database TEXT NOT NULL,
  id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cosmos_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export type JsonObject = Record<string, unknown>;

export interface StoredDocument {
  body: string;
  lsn: number;
}

/** A container's resource body and what the server needs of it often. */
export interface ContainerInfo {
  /** `<databaseId>/<containerId>`, the documents table's `container` value. */
  key: string;
  databaseId: string;
  id: string;
  rid: string;
  self: string;
  partitionKeyPaths: string[];
  resource: JsonObject;
}

export class DocumentStore {
  readonly #db: SqliteDatabase;
  #lsn: number;
  #containers = new Map<string, ContainerInfo | null>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(schema);
    const row = db.prepare<{ value: number }>('SELECT value FROM cosmos_counters WHERE name = ?').get('lsn');
    this.#lsn = row ? Number(row.value) : 0;
  }

  get db(): SqliteDatabase {
    return this.#db;
  }

  /** The last log sequence number given out. */
  get lsn(): number {
    return this.#lsn;
  }

  /** The next log sequence number, persisted with the write that takes it (call inside a transaction). */
  nextLsn(): number {
    this.#lsn += 1;
    this.#db.prepare('INSERT INTO cosmos_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run('lsn', this.#lsn);
    return this.#lsn;
  }

  /** Runs `work` in one transaction; the log sequence number is put back when it throws. */
  transaction<T>(work: () => T): T {
    const before = this.#lsn;
    try {
      return this.#db.transaction(work);
    } catch (error) {
      this.#lsn = before;
      throw error;
    }
  }

  // Databases ---------------------------------------------------------------------------------------------

  database(id: string): JsonObject | undefined {
    const row = this.#db.prepare<{ body: string }>('SELECT body FROM cosmos_databases WHERE id = ?').get(id);
    return row ? (JSON.parse(row.body) as JsonObject) : undefined;
  }

  databases(): JsonObject[] {
    return this.#db
      .prepare<{ body: string }>('SELECT body FROM cosmos_databases ORDER BY rowid')
      .all()
      .map((row) => JSON.parse(row.body) as JsonObject);
  }

  insertDatabase(id: string, body: JsonObject): void {
    this.#db.prepare('INSERT INTO cosmos_databases (id, body) VALUES (?, ?)').run(id, JSON.stringify(body));
  }

  deleteDatabase(id: string): void {
    this.#db.transaction(() => {
      for (const container of this.containers(id)) this.deleteContainer(id, String(container.id));
      this.#db.prepare('DELETE FROM cosmos_databases WHERE id = ?').run(id);
    });
  }

  // Containers --------------------------------------------------------------------------------------------

  container(databaseId: string, id: string): ContainerInfo | undefined {
    const key = `${databaseId}/${id}`;
    const cached = this.#containers.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const row = this.#db.prepare<{ body: string }>('SELECT body FROM cosmos_containers WHERE container = ?').get(key);
    const info = row ? containerInfo(databaseId, JSON.parse(row.body) as JsonObject) : null;
    this.#containers.set(key, info);
    return info ?? undefined;
  }

  containers(databaseId: string): JsonObject[] {
    return this.#db
      .prepare<{ body: string }>('SELECT body FROM cosmos_containers WHERE database = ? ORDER BY rowid')
      .all(databaseId)
      .map((row) => JSON.parse(row.body) as JsonObject);
  }

  saveContainer(databaseId: string, body: JsonObject, replace: boolean): void {
    const id = String(body.id);
    const key = `${databaseId}/${id}`;
    const text = JSON.stringify(body);
    if (replace) this.#db.prepare('UPDATE cosmos_containers SET body = ? WHERE container = ?').run(text, key);
    else this.#db.prepare('INSERT INTO cosmos_containers (container, database, id, body) VALUES (?, ?, ?, ?)').run(key, databaseId, id, text);
    this.#containers.delete(key);
  }

  /** Deletes a container and every document in it. */
  deleteContainer(databaseId: string, id: string): void {
    const key = `${databaseId}/${id}`;
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM documents WHERE container = ?').run(key);
      this.#db.prepare('DELETE FROM cosmos_containers WHERE container = ?').run(key);
    });
    this.#containers.delete(key);
  }

  // Documents ---------------------------------------------------------------------------------------------

  read(container: string, pk: string, id: string): StoredDocument | undefined {
    return this.#db.prepare<StoredDocument>('SELECT body, lsn FROM documents WHERE container = ? AND pk = ? AND id = ?').get(container, pk, id);
  }

  insert(container: string, pk: string, id: string, body: string, lsn: number): void {
    this.#db.prepare('INSERT INTO documents (container, pk, id, body, lsn) VALUES (?, ?, ?, ?, ?)').run(container, pk, id, body, lsn);
  }

  update(container: string, pk: string, id: string, body: string, lsn: number): void {
    this.#db.prepare('UPDATE documents SET body = ?, lsn = ? WHERE container = ? AND pk = ? AND id = ?').run(body, lsn, container, pk, id);
  }

  delete(container: string, pk: string, id: string): void {
    this.#db.prepare('DELETE FROM documents WHERE container = ? AND pk = ? AND id = ?').run(container, pk, id);
  }

  /** One page of a container's documents in storage order (the read feed); `after` is the last page's end. */
  page(container: string, after: { pk: string; id: string } | undefined, limit: number): Array<{ pk: string; id: string; body: string }> {
    if (!after) {
      return this.#db.prepare<{ pk: string; id: string; body: string }>('SELECT pk, id, body FROM documents WHERE container = ? ORDER BY pk, id LIMIT ?').all(container, limit);
    }
    return this.#db
      .prepare<{ pk: string; id: string; body: string }>('SELECT pk, id, body FROM documents WHERE container = ? AND (pk, id) > (?, ?) ORDER BY pk, id LIMIT ?')
      .all(container, after.pk, after.id, limit);
  }

  /** Documents written after `lsn`, oldest write first: the change feed. */
  changesAfter(container: string, lsn: number, limit: number, pk?: string): Array<{ body: string; lsn: number }> {
    if (pk !== undefined) {
      return this.#db
        .prepare<{ body: string; lsn: number }>('SELECT body, lsn FROM documents WHERE container = ? AND lsn > ? AND pk = ? ORDER BY lsn LIMIT ?')
        .all(container, lsn, pk, limit);
    }
    return this.#db.prepare<{ body: string; lsn: number }>('SELECT body, lsn FROM documents WHERE container = ? AND lsn > ? ORDER BY lsn LIMIT ?').all(container, lsn, limit);
  }
}

export function containerInfo(databaseId: string, resource: JsonObject): ContainerInfo {
  const partitionKey = resource.partitionKey as { paths?: unknown } | undefined;
  const paths = Array.isArray(partitionKey?.paths) ? partitionKey.paths.filter((path): path is string => typeof path === 'string') : [];
  return {
    key: `${databaseId}/${String(resource.id)}`,
    databaseId,
    id: String(resource.id),
    rid: String(resource._rid),
    self: String(resource._self),
    partitionKeyPaths: paths,
    resource,
  };
}
