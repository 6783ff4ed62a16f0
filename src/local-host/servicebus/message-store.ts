/**
 * One receivable entity (a queue or a subscription) with peek-lock semantics: a received message is locked
 * and counted as delivered; complete removes it; abandon makes it available again at once, or moves it to
 * the dead-letter queue once it has been delivered MaxDeliveryCount times.
 *
 * A lock lasts until the message is settled or until the deadline its receiver sets with `expireLockAt`
 * (the consumer works it out from LockDuration and the Functions host's lock renewal). When it expires the
 * message becomes available again while the first handler may still run, and settling with the lost lock
 * fails with LockLostError, as it does on Service Bus.
 *
 * Messages live in the broker's SQLite database, not in the heap: a receive reads the next available one
 * by index and stores its delivery count before handing it out, so a crash after delivery still counts it.
 * The heap holds the counts and the locks currently held (at most the consumers' concurrency).
 */
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../contracts';
import { BrokerStorage, entityKey, messageFromRow, type MessageRow } from './broker-storage';
import type { EntitySettings } from './config';
import type { BrokerMessage } from './message';

/** Settling with a lock that expired (or was already used): the message is no longer this receiver's. */
export class LockLostError extends Error {
  constructor(
    readonly path: string,
    readonly lockToken: string,
  ) {
    super(`The lock ${lockToken} on ${path} is not held: it expired or the message was already settled.`);
    this.name = 'LockLostError';
  }
}

export interface DeadLetterEvent {
  message: BrokerMessage;
  store: MessageStore;
}

interface HeldLock {
  sequenceNumber: number;
  deliveryCount: number;
}

const rowColumns = 'seq, dead, delivery_count, message_id, enqueued, expires, body, props, dead_reason, dead_description, dead_source';

export class MessageStore {
  readonly #storage: BrokerStorage;
  readonly #key: string;
  #available: number;
  #deadLettered: number;
  readonly #locked = new Map<string, HeldLock>();
  readonly #listeners = new Set<() => void>();
  /** Pending lock deadlines by lock token. */
  readonly #lockWatches = new Map<string, AbortController>();
  /** Running totals since start, for the host's stats endpoint and the benchmark. */
  readonly totals = { delivered: 0, completed: 0, abandoned: 0, deadLettered: 0, locksExpired: 0 };

  constructor(
    /** `queue` or `topic/subscriptions/name`. */
    readonly path: string,
    readonly settings: EntitySettings,
    private readonly clock: HostClock,
    private readonly onDeadLetter: (event: DeadLetterEvent) => void = () => undefined,
    /** The broker's database (a private in-memory one when the store stands alone). */
    storage?: BrokerStorage,
  ) {
    this.#storage = storage ?? BrokerStorage.open();
    this.#key = entityKey(path);
    // What an earlier run left here (its locks are gone, so all of it is available).
    const count = (dead: number): number =>
      Number(this.#storage.db.prepare<{ n: number }>('SELECT COUNT(*) AS n FROM messages WHERE entity = ? AND dead = ?').get(this.#key, dead)?.n ?? 0);
    this.#available = count(0);
    this.#deadLettered = count(1);
  }

  get activeCount(): number {
    return this.#available;
  }

  get lockedCount(): number {
    return this.#locked.size;
  }

  get deadLetterCount(): number {
    return this.#deadLettered;
  }

  /** Called whenever a message becomes available. Returns the unsubscribe function. */
  onAvailable(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stores a new message; receivers see it once the surrounding transaction (if any) commits. */
  enqueue(message: BrokerMessage): void {
    this.#storage.insertMessage(this.#key, message);
    this.#storage.afterCommit(() => {
      this.#available += 1;
      this.#notify();
    });
  }

  /** Locks and returns the next live message, or undefined when none is available. */
  receive(): BrokerMessage | undefined {
    if (this.#available === 0 || this.#storage.closed) return undefined;
    const { db } = this.#storage;
    const now = this.clock.now();
    for (;;) {
      const row = db.prepare<MessageRow>(`SELECT ${rowColumns} FROM messages WHERE entity = ? AND dead = 0 AND locked = 0 ORDER BY seq LIMIT 1`).get(this.#key);
      if (!row) {
        this.#available = 0;
        return undefined;
      }
      this.#available -= 1;
      const message = messageFromRow(row);
      if (message.expiresAtUtc.getTime() <= now.getTime()) {
        if (this.settings.deadLetteringOnMessageExpiration) {
          this.#toDeadLetter(message, 'TTLExpiredException', 'The message expired and was dead lettered.');
        } else {
          db.prepare('DELETE FROM messages WHERE entity = ? AND seq = ?').run(this.#key, message.sequenceNumber);
        }
        continue;
      }
      // Counted before it is handed out: a crash during the delivery still uses one up, as in Service Bus.
      db.prepare('UPDATE messages SET locked = 1, delivery_count = delivery_count + 1 WHERE entity = ? AND seq = ?').run(this.#key, message.sequenceNumber);
      message.deliveryCount += 1;
      this.totals.delivered += 1;
      message.lockToken = randomUUID();
      message.lockedUntilUtc = new Date(now.getTime() + this.settings.lockDurationMs);
      this.#locked.set(message.lockToken, { sequenceNumber: message.sequenceNumber, deliveryCount: message.deliveryCount });
      return message;
    }
  }

  isLocked(lockToken: string): boolean {
    return this.#locked.has(lockToken);
  }

  /** Makes the lock expire `ms` from now unless the message is settled first. */
  expireLockAfter(lockToken: string, ms: number): void {
    if (!this.#locked.has(lockToken)) return;
    const at = new Date(this.clock.now().getTime() + ms);
    this.#lockWatches.get(lockToken)?.abort();
    const watch = new AbortController();
    this.#lockWatches.set(lockToken, watch);
    this.clock.sleepUntil(at, watch.signal).then(
      () => {
        if (this.#lockWatches.get(lockToken) === watch) this.expireLock(lockToken);
      },
      () => undefined,
    );
  }

  /**
   * The lock is gone: the message is available again (its delivery count grows on the next receive), or
   * dead-lettered when it has used up its deliveries. The holder's later settle fails with LockLostError.
   */
  expireLock(lockToken: string): 'redelivered' | 'deadlettered' | 'notHeld' {
    if (!this.#locked.has(lockToken) || this.#storage.closed) return 'notHeld';
    const held = this.#take(lockToken);
    this.totals.locksExpired += 1;
    if (held.deliveryCount >= this.settings.maxDeliveryCount) {
      this.#deadLetterHeld(held, 'MaxDeliveryCountExceeded', `The lock expired on delivery ${held.deliveryCount} of ${this.settings.maxDeliveryCount}.`);
      return 'deadlettered';
    }
    this.#release(held);
    return 'redelivered';
  }

  /** Stops every lock deadline and forgets the locks (the broker is closing; they do not outlive it). */
  close(): void {
    for (const watch of this.#lockWatches.values()) watch.abort();
    this.#lockWatches.clear();
    this.#locked.clear();
  }

  complete(lockToken: string): void {
    const held = this.#take(lockToken);
    this.#storage.db.prepare('DELETE FROM messages WHERE entity = ? AND seq = ?').run(this.#key, held.sequenceNumber);
    this.totals.completed += 1;
  }

  /** Releases the lock after a failed delivery; at MaxDeliveryCount the message is dead-lettered. */
  abandon(lockToken: string, errorDescription?: string): 'redelivered' | 'deadlettered' {
    const held = this.#take(lockToken);
    this.totals.abandoned += 1;
    if (held.deliveryCount >= this.settings.maxDeliveryCount) {
      this.#deadLetterHeld(held, 'MaxDeliveryCountExceeded', errorDescription ?? `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`);
      return 'deadlettered';
    }
    this.#release(held);
    return 'redelivered';
  }

  deadLetter(lockToken: string, reason: string, description?: string): void {
    this.#deadLetterHeld(this.#take(lockToken), reason, description);
  }

  deadLetters(): BrokerMessage[] {
    return this.#rows(1);
  }

  /** The available messages in sequence order (not those locked by a receiver). */
  activeMessages(): BrokerMessage[] {
    return this.#rows(0);
  }

  /** Removes a dead-lettered message by sequence number and returns it. */
  takeDeadLetter(sequenceNumber: number): BrokerMessage | undefined {
    const { db } = this.#storage;
    const row = db.prepare<MessageRow>(`SELECT ${rowColumns} FROM messages WHERE entity = ? AND seq = ? AND dead = 1`).get(this.#key, sequenceNumber);
    if (!row) return undefined;
    db.prepare('DELETE FROM messages WHERE entity = ? AND seq = ?').run(this.#key, sequenceNumber);
    this.#storage.afterCommit(() => {
      this.#deadLettered -= 1;
    });
    return messageFromRow(row);
  }

  #rows(dead: number): BrokerMessage[] {
    if (this.#storage.closed) return [];
    return this.#storage.db
      .prepare<MessageRow>(`SELECT ${rowColumns} FROM messages WHERE entity = ? AND dead = ? AND locked = 0 ORDER BY seq`)
      .all(this.#key, dead)
      .map(messageFromRow);
  }

  #take(lockToken: string): HeldLock {
    const held = this.#locked.get(lockToken);
    if (!held || this.#storage.closed) throw new LockLostError(this.path, lockToken);
    this.#locked.delete(lockToken);
    this.#lockWatches.get(lockToken)?.abort();
    this.#lockWatches.delete(lockToken);
    return held;
  }

  /** Makes a message whose lock is gone available again, ahead of later ones, as in Service Bus. */
  #release(held: HeldLock): void {
    this.#storage.db.prepare('UPDATE messages SET locked = 0 WHERE entity = ? AND seq = ?').run(this.#key, held.sequenceNumber);
    this.#available += 1;
    this.#notify();
  }

  #deadLetterHeld(held: HeldLock, reason: string, description?: string): void {
    const row = this.#storage.db.prepare<MessageRow>(`SELECT ${rowColumns} FROM messages WHERE entity = ? AND seq = ?`).get(this.#key, held.sequenceNumber);
    if (!row) return;
    this.#toDeadLetter(messageFromRow(row), reason, description);
  }

  #toDeadLetter(message: BrokerMessage, reason: string, description?: string): void {
    message.deadLetterReason = reason;
    if (description !== undefined) message.deadLetterErrorDescription = description;
    message.deadLetterSource = this.path;
    this.#storage.db
      .prepare('UPDATE messages SET dead = 1, locked = 0, dead_reason = ?, dead_description = ?, dead_source = ? WHERE entity = ? AND seq = ?')
      .run(reason, description ?? null, this.path, this.#key, message.sequenceNumber);
    this.totals.deadLettered += 1;
    this.#deadLettered += 1;
    this.onDeadLetter({ message, store: this });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
