/**
 * The task hub in SQLite, as the Durable Task Framework's storage providers keep it: one row per instance,
 * the current execution's history, the checkpoint of a running execution (its TaskLedger, and how far its
 * inbox was consumed) and an inbox of events delivered to an execution. The runner writes through: an
 * episode's commit is one transaction (instance row with the checkpoint, appended history), so a process
 * killed at any point restarts from a consistent hub.
 *
 * Only running instances stay in the heap (the records the runner mutates, with their histories, so that an
 * episode does not read SQLite); a finished instance is read back from SQLite when asked for.
 */
import type { SqliteDatabase, SqlValue } from '../storage/sqlite';
import type { FailureDetailsPayload, HistoryEvent, ParentLink } from './history';
import { isTerminal, type InstanceQuery, type InstanceRecord, type InstanceSummary, type RuntimeStatus } from './instance-store';

export interface InstancePage {
  records: InstanceSummary[];
  /** Opaque token for the next page, absent on the last one. */
  continuationToken?: string;
}

/** An event delivered to an execution, with its inbox row. */
export interface InboxEntry {
  seq: number;
  event: HistoryEvent;
}

/** What a running execution needs to resume: its ledger and how far its inbox was consumed. */
export interface ExecutionCheckpoint {
  /** The serialized TaskLedger. */
  ledger: string;
  /** The inbox sequence number of the last event an episode consumed (episodes consume in order). */
  inboxConsumed: number;
}

export interface UnfinishedInstance {
  record: InstanceRecord;
  /** The serialized TaskLedger of its execution, or null before its first episode. */
  ledger: string | null;
}

/** The layout below; a file with another one is refused rather than misread. */
const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS instances (
  instance_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  version TEXT,
  runtime_status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  custom_status TEXT,
  created_time INTEGER NOT NULL,
  last_updated_time INTEGER NOT NULL,
  execution_id TEXT NOT NULL,
  generation INTEGER NOT NULL,
  failure_details TEXT,
  parent TEXT,
  runtime_state TEXT,
  inbox_consumed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS instances_by_created ON instances (created_time, instance_id);
CREATE INDEX IF NOT EXISTS instances_by_status ON instances (runtime_status, created_time, instance_id);
CREATE TABLE IF NOT EXISTS history (
  instance_id TEXT NOT NULL,
  first_index INTEGER NOT NULL,
  events TEXT NOT NULL,
  PRIMARY KEY (instance_id, first_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  execution_id TEXT NOT NULL,
  event TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_by_instance ON inbox (instance_id, seq);
`;

const summaryColumns =
  'instance_id, name, version, runtime_status, input, output, custom_status, created_time, last_updated_time, execution_id, generation, failure_details, parent';

interface SummaryRow {
  instance_id: string;
  name: string;
  version: string | null;
  runtime_status: string;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  created_time: number;
  last_updated_time: number;
  execution_id: string;
  generation: number;
  failure_details: string | null;
  parent: string | null;
}

const terminalStatuses: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

function toSummary(row: SummaryRow): InstanceSummary {
  const summary: InstanceSummary = {
    instanceId: row.instance_id,
    name: row.name,
    version: row.version,
    runtimeStatus: row.runtime_status as RuntimeStatus,
    input: row.input,
    output: row.output,
    customStatus: row.custom_status,
    createdTime: new Date(Number(row.created_time)),
    lastUpdatedTime: new Date(Number(row.last_updated_time)),
    executionId: row.execution_id,
    generation: Number(row.generation),
  };
  if (row.failure_details !== null) summary.failureDetails = JSON.parse(row.failure_details) as FailureDetailsPayload;
  if (row.parent !== null) summary.parent = JSON.parse(row.parent) as ParentLink;
  return summary;
}

function rowValues(record: InstanceSummary): SqlValue[] {
  return [
    record.name,
    record.version,
    record.runtimeStatus,
    record.input,
    record.output,
    record.customStatus,
    record.createdTime.getTime(),
    record.lastUpdatedTime.getTime(),
    record.executionId,
    record.generation,
    record.failureDetails ? JSON.stringify(record.failureDetails) : null,
    record.parent ? JSON.stringify(record.parent) : null,
  ];
}

interface PageKey {
  t: number;
  id: string;
}

function encodeToken(key: PageKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeToken(token: string): PageKey {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<PageKey> | null;
    if (parsed && typeof parsed.t === 'number' && Number.isFinite(parsed.t) && typeof parsed.id === 'string') return { t: parsed.t, id: parsed.id };
  } catch {
    // fall through
  }
  throw new RangeError('The continuation token is not valid.');
}

/** A GLOB pattern matching ids that start with `prefix` (SQLite serves a literal GLOB prefix from the primary key). */
function prefixPattern(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;
}

function whereClause(query: InstanceQuery): { sql: string; params: SqlValue[] } {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  if (query.createdTimeFrom) {
    conditions.push('created_time >= ?');
    params.push(query.createdTimeFrom.getTime());
  }
  if (query.createdTimeTo) {
    conditions.push('created_time <= ?');
    params.push(query.createdTimeTo.getTime());
  }
  if (query.runtimeStatus && query.runtimeStatus.length > 0) {
    conditions.push(`runtime_status IN (${query.runtimeStatus.map(() => '?').join(', ')})`);
    params.push(...query.runtimeStatus);
  }
  if (query.instanceIdPrefix !== undefined && query.instanceIdPrefix !== '') {
    conditions.push('instance_id GLOB ?');
    params.push(prefixPattern(query.instanceIdPrefix));
  }
  return { sql: conditions.length > 0 ? conditions.join(' AND ') : '1', params };
}

export class TaskHubStore {
  readonly #db: SqliteDatabase;
  /** Running instances: the records the runner mutates, histories included. */
  readonly #live = new Map<string, InstanceRecord>();
  #closed = false;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    const version = Number(db.prepare<{ user_version: number }>('PRAGMA user_version').get()?.user_version ?? 0);
    const hasTables = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'instances'").get() !== undefined;
    if (version !== schemaVersion && (version !== 0 || hasTables)) {
      db.close();
      throw new Error(`The task hub in ${db.location} has layout ${version}, this host writes layout ${schemaVersion}; move the file away or start with another --data-dir.`);
    }
    db.transaction(() => {
      db.exec(schema);
      db.exec(`PRAGMA user_version = ${schemaVersion}`);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Instance records held in the heap (running instances only). */
  get liveRecords(): number {
    return this.#live.size;
  }

  /** Stored instances, finished ones included. */
  get size(): number {
    return Number(this.#db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM instances').get()?.n ?? 0);
  }

  transaction<T>(work: () => T): T {
    return this.#db.transaction(work);
  }

  /** The instance with its current execution's history. */
  get(instanceId: string): InstanceRecord | undefined {
    const live = this.#live.get(instanceId);
    if (live) return live;
    const summary = this.#readSummary(instanceId);
    return summary ? { ...summary, history: this.#readHistory(instanceId) } : undefined;
  }

  /** The instance without reading its history from SQLite (a running one comes with it anyway). */
  summary(instanceId: string): InstanceSummary | undefined {
    return this.#live.get(instanceId) ?? this.#readSummary(instanceId);
  }

  /** Inserts a new instance, replacing a finished one of the same id with its history and inbox. */
  create(record: InstanceRecord): void {
    this.transaction(() => {
      this.#db
        .prepare(
          `INSERT OR REPLACE INTO instances (instance_id, name, version, runtime_status, input, output, custom_status, created_time, last_updated_time,
             execution_id, generation, failure_details, parent, runtime_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
        )
        .run(record.instanceId, ...rowValues(record));
      this.resetExecution(record.instanceId);
      this.#appendHistory(record.instanceId, 0, record.history);
    });
    if (isTerminal(record.runtimeStatus)) this.#live.delete(record.instanceId);
    else this.#live.set(record.instanceId, record);
  }

  /**
   * Writes the instance row after a change, with `appended` (already pushed onto record.history) and the
   * execution's checkpoint: null clears it, undefined leaves it. Consuming an inbox event is moving the
   * watermark, so an episode's commit is two statements. A finished instance leaves the heap and its inbox
   * is emptied.
   */
  save(record: InstanceRecord, appended: readonly HistoryEvent[], checkpoint: ExecutionCheckpoint | null | undefined): void {
    const terminal = isTerminal(record.runtimeStatus);
    const write = checkpoint !== undefined || terminal;
    this.transaction(() => {
      this.#db
        .prepare(
          `UPDATE instances SET name = ?, version = ?, runtime_status = ?, input = ?, output = ?, custom_status = ?, created_time = ?,
             last_updated_time = ?, execution_id = ?, generation = ?, failure_details = ?, parent = ?,
             runtime_state = CASE WHEN ? THEN ? ELSE runtime_state END,
             inbox_consumed = MAX(inbox_consumed, ?) WHERE instance_id = ?`,
        )
        .run(...rowValues(record), write ? 1 : 0, terminal ? null : (checkpoint?.ledger ?? null), checkpoint?.inboxConsumed ?? 0, record.instanceId);
      this.#appendHistory(record.instanceId, record.history.length - appended.length, appended);
      if (terminal) this.#db.prepare('DELETE FROM inbox WHERE instance_id = ?').run(record.instanceId);
    });
    if (terminal) this.#live.delete(record.instanceId);
  }

  /** Drops the history and inbox of the instance's execution (continueAsNew starts a new one). */
  resetExecution(instanceId: string): void {
    this.transaction(() => {
      this.#db.prepare('DELETE FROM history WHERE instance_id = ?').run(instanceId);
      this.#db.prepare('DELETE FROM inbox WHERE instance_id = ?').run(instanceId);
    });
  }

  delete(instanceId: string): boolean {
    const deleted = this.transaction(() => {
      this.resetExecution(instanceId);
      return this.#db.prepare('DELETE FROM instances WHERE instance_id = ?').run(instanceId).changes > 0;
    });
    this.#live.delete(instanceId);
    return deleted;
  }

  /** Deletes the finished instances that match; running ones are never purged by a filter. */
  deleteFinished(query: InstanceQuery): number {
    const statuses = (query.runtimeStatus && query.runtimeStatus.length > 0 ? query.runtimeStatus : terminalStatuses).filter(isTerminal);
    if (statuses.length === 0) return 0;
    const where = whereClause({ ...query, runtimeStatus: statuses });
    return this.transaction(() => {
      const ids = this.#db.prepare<{ instance_id: string }>(`SELECT instance_id FROM instances WHERE ${where.sql}`).all(...where.params);
      for (const { instance_id: id } of ids) this.delete(id);
      return ids.length;
    });
  }

  /**
   * One page of a query, oldest first so that paging is stable while new instances arrive; the token is the
   * last key seen. `top` undefined returns everything. Throws RangeError on a malformed token.
   */
  page(query: InstanceQuery, top: number | undefined, continuationToken: string | undefined): InstancePage {
    const where = whereClause(query);
    const params = [...where.params];
    let sql = `SELECT ${summaryColumns} FROM instances WHERE ${where.sql}`;
    if (continuationToken) {
      const after = decodeToken(continuationToken);
      sql += ' AND (created_time > ? OR (created_time = ? AND instance_id > ?))';
      params.push(after.t, after.t, after.id);
    }
    sql += ' ORDER BY created_time, instance_id';
    const limited = top !== undefined && top > 0;
    if (limited) {
      sql += ' LIMIT ?';
      params.push(top + 1);
    }
    const rows = this.#db.prepare<SummaryRow>(sql).all(...params);
    const records = rows.slice(0, limited ? top : rows.length).map((row) => this.#live.get(row.instance_id) ?? toSummary(row));
    const last = records[records.length - 1];
    if (!limited || rows.length <= top || !last) return { records };
    return { records, continuationToken: encodeToken({ t: last.createdTime.getTime(), id: last.instanceId }) };
  }

  /** Every stored instance with its history (for tests and tools; the HTTP API pages instead). */
  all(): InstanceRecord[] {
    const rows = this.#db.prepare<{ instance_id: string }>('SELECT instance_id FROM instances ORDER BY created_time, instance_id').all();
    return rows.map((row) => this.get(row.instance_id)).filter((record): record is InstanceRecord => record !== undefined);
  }

  /** Every instance that has not finished, loaded into the heap, with its execution's runtime state. */
  unfinished(): UnfinishedInstance[] {
    const placeholders = terminalStatuses.map(() => '?').join(', ');
    const rows = this.#db
      .prepare<SummaryRow & { runtime_state: string | null }>(
        `SELECT ${summaryColumns}, runtime_state FROM instances WHERE runtime_status NOT IN (${placeholders}) ORDER BY created_time, instance_id`,
      )
      .all(...terminalStatuses);
    return rows.map((row) => {
      const record = this.#live.get(row.instance_id) ?? { ...toSummary(row), history: this.#readHistory(row.instance_id) };
      this.#live.set(record.instanceId, record);
      return { record, ledger: row.runtime_state };
    });
  }

  /** Persists an event delivered to an execution; returns its inbox sequence number. */
  enqueue(instanceId: string, executionId: string, event: HistoryEvent): number {
    const result = this.#db.prepare('INSERT INTO inbox (instance_id, execution_id, event) VALUES (?, ?, ?)').run(instanceId, executionId, JSON.stringify(event));
    return Number(result.lastInsertRowid);
  }

  /** The execution's events not yet consumed by an episode, oldest first. */
  inbox(instanceId: string, executionId: string): InboxEntry[] {
    return this.#db
      .prepare<{ seq: number; event: string }>(
        `SELECT seq, event FROM inbox WHERE instance_id = ? AND execution_id = ?
           AND seq > (SELECT inbox_consumed FROM instances WHERE instance_id = ?) ORDER BY seq`,
      )
      .all(instanceId, executionId, instanceId)
      .map((row) => ({ seq: Number(row.seq), event: JSON.parse(row.event) as HistoryEvent }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#live.clear();
    this.#db.close();
  }

  #readSummary(instanceId: string): InstanceSummary | undefined {
    const row = this.#db.prepare<SummaryRow>(`SELECT ${summaryColumns} FROM instances WHERE instance_id = ?`).get(instanceId);
    return row ? toSummary(row) : undefined;
  }

  #readHistory(instanceId: string): HistoryEvent[] {
    const rows = this.#db.prepare<{ events: string }>('SELECT events FROM history WHERE instance_id = ? ORDER BY first_index').all(instanceId);
    return rows.flatMap((row) => JSON.parse(row.events) as HistoryEvent[]);
  }

  #appendHistory(instanceId: string, firstIndex: number, events: readonly HistoryEvent[]): void {
    if (events.length === 0) return;
    this.#db.prepare('INSERT OR REPLACE INTO history (instance_id, first_index, events) VALUES (?, ?, ?)').run(instanceId, firstIndex, JSON.stringify(events));
  }
}
