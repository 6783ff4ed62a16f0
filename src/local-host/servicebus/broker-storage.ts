/**
 * The broker's SQLite database: every accepted message (active, dead-lettered, scheduled), its delivery
 * count, the sequence number and the duplicate-detection history, so a restart (even after `kill -9`)
 * finds what Service Bus would still hold. Locks are not stored: at open every message is available again,
 * as after a broker failover, with its delivery count kept. Dead-lettered messages have a table of their
 * own, so the active table holds only what receivers may still get and needs no second index.
 *
 * Writes made inside `transaction` become visible to receivers only after the commit: what they change in
 * memory (counts, listeners) runs through `afterCommit`, so a rolled-back send leaves no trace anywhere.
 */
import { openDatabase, type SqliteDatabase, type SqlValue } from '../storage/sqlite';
import { inMemory, storeFile, type StateLocation } from '../storage/state-location';
import type { BrokerMessage, OutgoingMessage } from './message';

/** Raised with the schema when it changes; a file written by another version is refused, not misread. */
const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS broker_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS messages (
  entity TEXT NOT NULL,
  seq INTEGER NOT NULL,
  delivery_count INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  enqueued INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  body BLOB NOT NULL,
  props TEXT NOT NULL,
  PRIMARY KEY (entity, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dead_letters (
  entity TEXT NOT NULL,
  seq INTEGER NOT NULL,
  delivery_count INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  enqueued INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  body BLOB NOT NULL,
  props TEXT NOT NULL,
  dead_reason TEXT,
  dead_description TEXT,
  dead_source TEXT,
  PRIMARY KEY (entity, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scheduled (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  at INTEGER NOT NULL,
  hops INTEGER NOT NULL,
  message_id TEXT NOT NULL,
  body BLOB NOT NULL,
  props TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scheduled_due ON scheduled (at);
CREATE TABLE IF NOT EXISTS duplicates (
  entity TEXT NOT NULL,
  message_id TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (entity, message_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS duplicates_expiry ON duplicates (expires);
`;

const optionalFields = ['contentType', 'correlationId', 'subject', 'sessionId', 'replyTo', 'replyToSessionId', 'to', 'timeToLiveMs'] as const;

/** The optional fields of a message, kept together as JSON. */
type StoredProps = Pick<OutgoingMessage, (typeof optionalFields)[number] | 'applicationProperties'>;

/** The columns `messages` and `dead_letters` share, in their order. */
function messageValues(entity: string, message: BrokerMessage): SqlValue[] {
  return [
    entity,
    message.sequenceNumber,
    message.deliveryCount,
    message.messageId,
    message.enqueuedTimeUtc.getTime(),
    message.expiresAtUtc.getTime(),
    message.body,
    propsOf(message),
  ];
}

function propsOf(message: OutgoingMessage | BrokerMessage): string {
  const props: StoredProps = {};
  const source = message as unknown as Record<string, unknown>;
  const target = props as Record<string, unknown>;
  for (const key of optionalFields) if (source[key] !== undefined) target[key] = source[key];
  if (message.applicationProperties && Object.keys(message.applicationProperties).length > 0) props.applicationProperties = message.applicationProperties;
  return JSON.stringify(props);
}

/** node:sqlite hands BLOBs back as Uint8Array, better-sqlite3 as Buffer. */
function toBuffer(value: SqlValue | Uint8Array): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(String(value ?? ''));
}

export interface MessageRow {
  seq: number;
  delivery_count: number;
  message_id: string;
  enqueued: number;
  expires: number;
  body: Buffer | Uint8Array;
  props: string;
  dead_reason?: string | null;
  dead_description?: string | null;
  dead_source?: string | null;
}

export const messageColumns = 'seq, delivery_count, message_id, enqueued, expires, body, props';
export const deadLetterColumns = `${messageColumns}, dead_reason, dead_description, dead_source`;

export function messageFromRow(row: MessageRow): BrokerMessage {
  const { applicationProperties, ...fields } = JSON.parse(row.props) as StoredProps;
  const message: BrokerMessage = {
    ...fields,
    body: toBuffer(row.body),
    messageId: row.message_id,
    applicationProperties: applicationProperties ?? {},
    sequenceNumber: Number(row.seq),
    enqueuedTimeUtc: new Date(Number(row.enqueued)),
    expiresAtUtc: new Date(Number(row.expires)),
    deliveryCount: Number(row.delivery_count),
  };
  if (row.dead_reason !== null && row.dead_reason !== undefined) message.deadLetterReason = row.dead_reason;
  if (row.dead_description !== null && row.dead_description !== undefined) message.deadLetterErrorDescription = row.dead_description;
  if (row.dead_source !== null && row.dead_source !== undefined) message.deadLetterSource = row.dead_source;
  return message;
}

export interface ScheduledRow {
  id: number;
  entity: string;
  at: number;
  hops: number;
}

/** The storage key of an entity: names are case-insensitive in Service Bus. */
export function entityKey(path: string): string {
  return path.toLowerCase();
}

const sweepEveryMs = 30_000;
/** Sequence numbers are reserved in blocks, so the counter is written once per block rather than per send. */
const sequenceBlock = 1_000;

export class BrokerStorage {
  readonly db: SqliteDatabase;
  #pending: Array<() => void> | undefined;
  #sequence: number;
  /** The highest sequence number the database has promised (numbers up to it may be in use). */
  #reserved: number;
  #nextSweepAt = 0;
  #closed = false;

  private constructor(db: SqliteDatabase) {
    this.db = db;
    const version = Number(db.prepare<{ user_version: number }>('PRAGMA user_version').get()?.user_version ?? 0);
    if (version !== 0 && version !== schemaVersion) {
      db.close();
      throw new Error(
        `${db.location} holds Service Bus state in format ${version}; this host reads format ${schemaVersion}. Move the data folder aside to start empty.`,
      );
    }
    db.exec(schema);
    db.exec(`PRAGMA user_version = ${schemaVersion}`);
    const stored = db.prepare<{ value: number }>("SELECT value FROM broker_meta WHERE key = 'sequence'").get()?.value ?? 0;
    const highest = (table: string): number => Number(db.prepare<{ seq: number | null }>(`SELECT MAX(seq) AS seq FROM ${table}`).get()?.seq ?? 0);
    // Numbers of a block reserved but unused before a crash are skipped: they only have to keep growing.
    this.#sequence = Math.max(Number(stored), highest('messages'), highest('dead_letters'));
    this.#reserved = this.#sequence;
  }

  static open(location: StateLocation = inMemory): BrokerStorage {
    return new BrokerStorage(openDatabase(storeFile(location, 'servicebus')));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `work` in one transaction; what it scheduled with `afterCommit` runs once the commit is done. */
  transaction<T>(work: () => T): T {
    if (this.#pending) return work();
    if (this.#closed) throw new Error('The embedded Service Bus broker is closed.');
    const pending: Array<() => void> = [];
    this.#pending = pending;
    let result: T;
    try {
      result = this.db.transaction(work);
    } catch (err) {
      // A block reservation rolled back with the work; the next number reserves again.
      this.#reserved = this.#sequence;
      throw err;
    } finally {
      this.#pending = undefined;
    }
    for (const effect of pending) effect();
    return result;
  }

  /** Runs `effect` after the current transaction commits (at once outside one); dropped on rollback. */
  afterCommit(effect: () => void): void {
    if (this.#pending) this.#pending.push(effect);
    else effect();
  }

  /** The next sequence number, stored with the write that uses it so numbers keep growing across restarts. */
  nextSequence(): number {
    if (this.#sequence >= this.#reserved) {
      this.#reserved = this.#sequence + sequenceBlock;
      this.db.prepare("INSERT INTO broker_meta (key, value) VALUES ('sequence', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(this.#reserved);
    }
    this.#sequence += 1;
    return this.#sequence;
  }

  insertMessage(entity: string, message: BrokerMessage): void {
    this.db
      .prepare('INSERT INTO messages (entity, seq, delivery_count, message_id, enqueued, expires, body, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(...messageValues(entity, message));
  }

  insertDeadLetter(entity: string, message: BrokerMessage): void {
    this.db
      .prepare(
        'INSERT INTO dead_letters (entity, seq, delivery_count, message_id, enqueued, expires, body, props, dead_reason, dead_description, dead_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        ...messageValues(entity, message),
        message.deadLetterReason ?? null,
        message.deadLetterErrorDescription ?? null,
        message.deadLetterSource ?? null,
      );
  }

  /**
   * True when `messageId` was accepted by `entity` within the window; otherwise records it until
   * `expiresAt`. An indexed lookup; expired entries are swept in bulk every 30 s.
   */
  isDuplicate(entity: string, messageId: string, now: number, windowMs: number): boolean {
    if (now >= this.#nextSweepAt) {
      this.db.prepare('DELETE FROM duplicates WHERE expires <= ?').run(now);
      this.#nextSweepAt = now + sweepEveryMs;
    }
    const key = entityKey(entity);
    const seen = this.db.prepare<{ expires: number }>('SELECT expires FROM duplicates WHERE entity = ? AND message_id = ?').get(key, messageId);
    if (seen && Number(seen.expires) > now) return true;
    this.db
      .prepare('INSERT INTO duplicates (entity, message_id, expires) VALUES (?, ?, ?) ON CONFLICT (entity, message_id) DO UPDATE SET expires = excluded.expires')
      .run(key, messageId, now + windowMs);
    return false;
  }

  duplicateHistorySize(): number {
    return Number(this.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM duplicates').get()?.n ?? 0);
  }

  schedule(entity: string, message: OutgoingMessage & { messageId: string }, at: number, hops: number): void {
    this.db
      .prepare('INSERT INTO scheduled (entity, at, hops, message_id, body, props) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entity, at, hops, message.messageId, message.body, propsOf(message));
  }

  /** The earliest scheduled enqueue time, or undefined when nothing is scheduled. */
  nextScheduledAt(): number | undefined {
    const at = this.db.prepare<{ at: number | null }>('SELECT MIN(at) AS at FROM scheduled').get()?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  dueScheduled(now: number, limit: number): ScheduledRow[] {
    return this.db.prepare<ScheduledRow>('SELECT id, entity, at, hops FROM scheduled WHERE at <= ? ORDER BY at, id LIMIT ?').all(now, limit);
  }

  /** Removes a scheduled message and returns it as it was sent (without its enqueue time). */
  takeScheduled(id: number): (OutgoingMessage & { messageId: string }) | undefined {
    const row = this.db.prepare<{ message_id: string; body: Buffer | Uint8Array; props: string }>('SELECT message_id, body, props FROM scheduled WHERE id = ?').get(id);
    if (!row) return undefined;
    this.db.prepare('DELETE FROM scheduled WHERE id = ?').run(id);
    const { applicationProperties, ...fields } = JSON.parse(row.props) as StoredProps;
    return { ...fields, body: toBuffer(row.body), messageId: row.message_id, applicationProperties: applicationProperties ?? {} };
  }

  scheduledCount(): number {
    return Number(this.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM scheduled').get()?.n ?? 0);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}
