/**
 * One SQLite API for the embedded host's stores, whichever driver this Node.js has: better-sqlite3 (the
 * dependency, built for the Node.js that installed it) or, when that binary cannot load (another Node.js
 * ABI, e.g. the suite's second run on Node 22) and Node.js ships `node:sqlite` (22.5+), the built-in one.
 *
 * Every store opens its file in WAL mode with `synchronous = NORMAL`: a commit is in the operating system's
 * hands before the call returns, so it survives the process being killed (`kill -9`, a crash); only a power
 * cut can take the last commits, which is the trade SQLite recommends for WAL.
 */
import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | Buffer | null;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = Record<string, SqlValue>> {
  run(...params: SqlValue[]): RunResult;
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
}

export interface SqliteDatabase {
  /** `better-sqlite3` or `node:sqlite`. */
  readonly driver: string;
  /** The file, or `:memory:`. */
  readonly location: string;
  exec(sql: string): void;
  prepare<Row = Record<string, SqlValue>>(sql: string): Statement<Row>;
  /** Runs `work` in one transaction (BEGIN IMMEDIATE … COMMIT, ROLLBACK when it throws); nesting joins the outer one. */
  transaction<T>(work: () => T): T;
  close(): void;
}

interface NativeStatement {
  run(...params: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

interface NativeDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): NativeStatement;
  close(): unknown;
}

type Opener = (file: string) => NativeDatabase;

const localRequire = createRequire(__filename);

function betterSqlite(): Opener | undefined {
  try {
    const Database = localRequire('better-sqlite3') as new (file: string) => NativeDatabase;
    // The module loads lazily; opening a database is what loads the native binary.
    new Database(':memory:').close();
    return (file) => new Database(file);
  } catch {
    return undefined;
  }
}

function nodeSqlite(): Opener | undefined {
  try {
    const { DatabaseSync } = localRequire('node:sqlite') as { DatabaseSync: new (file: string) => NativeDatabase };
    return (file) => new DatabaseSync(file);
  } catch {
    return undefined;
  }
}

let driver: { name: string; open: Opener } | undefined;

function resolveDriver(): { name: string; open: Opener } {
  if (driver) return driver;
  const better = betterSqlite();
  if (better) return (driver = { name: 'better-sqlite3', open: better });
  const builtIn = nodeSqlite();
  if (builtIn) return (driver = { name: 'node:sqlite', open: builtIn });
  throw new Error(
    'No SQLite driver could be loaded: better-sqlite3 did not load (run `npm rebuild better-sqlite3` for this Node.js) ' +
      'and this Node.js has no node:sqlite (it needs 22.5 or later). Start the host with --in-memory to run without one.',
  );
}

class Database implements SqliteDatabase {
  readonly #native: NativeDatabase;
  readonly #statements = new Map<string, NativeStatement>();
  #depth = 0;

  constructor(
    readonly driver: string,
    readonly location: string,
    native: NativeDatabase,
  ) {
    this.#native = native;
  }

  exec(sql: string): void {
    this.#native.exec(sql);
  }

  prepare<Row = Record<string, SqlValue>>(sql: string): Statement<Row> {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#native.prepare(sql);
      this.#statements.set(sql, statement);
    }
    const native = statement;
    return {
      run: (...params) => {
        const result = native.run(...params);
        return { changes: Number(result.changes), lastInsertRowid: result.lastInsertRowid };
      },
      get: (...params) => native.get(...params) as Row | undefined,
      all: (...params) => native.all(...params) as Row[],
    };
  }

  transaction<T>(work: () => T): T {
    if (this.#depth > 0) return work();
    this.#native.exec('BEGIN IMMEDIATE');
    this.#depth++;
    try {
      const result = work();
      this.#native.exec('COMMIT');
      return result;
    } catch (err) {
      this.#native.exec('ROLLBACK');
      throw err;
    } finally {
      this.#depth--;
    }
  }

  close(): void {
    this.#statements.clear();
    this.#native.close();
  }
}

/**
 * Opens (creating when needed) a database file, or an in-memory one for `:memory:`, tuned for one writer
 * process: WAL, synchronous NORMAL, a 5 s busy timeout, foreign keys on.
 */
export function openDatabase(file: string): SqliteDatabase {
  const { name, open } = resolveDriver();
  const db = new Database(name, file, open(file));
  if (file !== ':memory:') {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
  }
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA temp_store = MEMORY');
  return db;
}
