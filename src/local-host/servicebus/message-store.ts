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
 * Messages live in the broker's SQLite database, not in the heap. The heap holds the sequence numbers of
 * the next few hundred available messages (read from the database in batches as receivers need them, so a
 * backlog of any size costs no memory), the locks currently held, and counts. A receive stores the new
 * delivery count before handing the message out, so a crash during the delivery still counts it.
 */
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../contracts';
import { BrokerStorage, deadLetterColumns, entityKey, messageColumns, messageFromRow, type MessageRow } from './broker-storage';
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

/** How many available sequence numbers the heap holds per entity; the rest wait in the database. */
const windowSize = 256;

export class MessageStore {
  readonly #storage: BrokerStorage;
  readonly #key: string;
  /**
   * Every available message with a sequence number up to `#loadedUpTo`, in order. Messages above it are
   * in the database only (`#moreStored`); a lock released goes back here, ahead of later messages.
   */
  readonly #window: number[] = [];
  #loadedUpTo = 0;
  #moreStored: boolean;
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
    // What an earlier run left here; its locks went with it, so all of it is available.
    const count = (table: string): number =>
      Number(this.#storage.db.prepare<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE entity = ?`).get(this.#key)?.n ?? 0);
    this.#available = count('messages');
    this.#deadLettered = count('dead_letters');
    this.#moreStored = this.#available > 0;
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
      const seq = message.sequenceNumber;
      if (seq <= this.#loadedUpTo) this.#makeAvailable(seq);
      else if (this.#moreStored || this.#window.length >= windowSize) this.#moreStored = true;
      else {
        this.#window.push(seq);
        this.#loadedUpTo = seq;
      }
      this.#notify();
    });
  }

  /** Locks and returns the next live message, or undefined when none is available. */
  receive(): BrokerMessage | undefined {
    if (this.#storage.closed) return undefined;
    const { db } = this.#storage;
    const now = this.clock.now().getTime();
    for (;;) {
      const seq = this.#window.length > 0 || this.#refill() ? this.#window.shift() : undefined;
      if (seq === undefined) return undefined;
      this.#available -= 1;
      // Counted before it is handed out: a crash during the delivery still uses one up, as in Service Bus.
      const row = db
        .prepare<MessageRow>(`UPDATE messages SET delivery_count = delivery_count + 1 WHERE entity = ? AND seq = ? AND expires > ? RETURNING ${messageColumns}`)
        .get(this.#key, seq, now);
      if (!row) {
        this.#expire(seq);
        continue;
      }
      const message = messageFromRow(row);
      this.totals.delivered += 1;
      message.lockToken = randomUUID();
      message.lockedUntilUtc = new Date(now + this.settings.lockDurationMs);
      this.#locked.set(message.lockToken, { sequenceNumber: seq, deliveryCount: message.deliveryCount });
      return message;
    }
  }

  /** Locks up to `limit` messages, their delivery counts stored in one transaction (one commit, not `limit`). */
  receiveMany(limit: number): BrokerMessage[] {
    if (this.#storage.closed || (this.#window.length === 0 && !this.#moreStored)) return [];
    return this.#storage.transaction(() => {
      const messages: BrokerMessage[] = [];
      while (messages.length < limit) {
        const message = this.receive();
        if (!message) break;
        messages.push(message);
      }
      return messages;
    });
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
      this.#deadLetterStored(held.sequenceNumber, 'MaxDeliveryCountExceeded', `The lock expired on delivery ${held.deliveryCount} of ${this.settings.maxDeliveryCount}.`);
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
      this.#deadLetterStored(
        held.sequenceNumber,
        'MaxDeliveryCountExceeded',
        errorDescription ?? `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`,
      );
      return 'deadlettered';
    }
    this.#release(held);
    return 'redelivered';
  }

  deadLetter(lockToken: string, reason: string, description?: string): void {
    this.#deadLetterStored(this.#take(lockToken).sequenceNumber, reason, description);
  }

  /** The dead-lettered messages in sequence order, the first `limit` of them. */
  deadLetters(limit = Number.MAX_SAFE_INTEGER): BrokerMessage[] {
    if (this.#storage.closed) return [];
    return this.#storage.db
      .prepare<MessageRow>(`SELECT ${deadLetterColumns} FROM dead_letters WHERE entity = ? ORDER BY seq LIMIT ?`)
      .all(this.#key, limit)
      .map(messageFromRow);
  }

  /** The available messages in sequence order (not those locked by a receiver), the first `limit` of them. */
  activeMessages(limit = Number.MAX_SAFE_INTEGER): BrokerMessage[] {
    if (this.#storage.closed) return [];
    const locked = new Set([...this.#locked.values()].map((held) => held.sequenceNumber));
    return this.#storage.db
      .prepare<MessageRow>(`SELECT ${messageColumns} FROM messages WHERE entity = ? ORDER BY seq LIMIT ?`)
      .all(this.#key, Math.min(limit + locked.size, Number.MAX_SAFE_INTEGER))
      .filter((row) => !locked.has(Number(row.seq)))
      .slice(0, limit)
      .map(messageFromRow);
  }

  /** Removes a dead-lettered message by sequence number and returns it. */
  takeDeadLetter(sequenceNumber: number): BrokerMessage | undefined {
    const row = this.#storage.db
      .prepare<MessageRow>(`DELETE FROM dead_letters WHERE entity = ? AND seq = ? RETURNING ${deadLetterColumns}`)
      .get(this.#key, sequenceNumber);
    if (!row) return undefined;
    this.#storage.afterCommit(() => {
      this.#deadLettered -= 1;
    });
    return messageFromRow(row);
  }

  /** Reads the next batch of available sequence numbers from the database; false when there are none. */
  #refill(): boolean {
    if (!this.#moreStored) return false;
    const rows = this.#storage.db
      .prepare<{ seq: number }>('SELECT seq FROM messages WHERE entity = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(this.#key, this.#loadedUpTo, windowSize);
    for (const row of rows) this.#window.push(Number(row.seq));
    if (rows.length < windowSize) this.#moreStored = false;
    const last = this.#window[this.#window.length - 1];
    if (last !== undefined) this.#loadedUpTo = Math.max(this.#loadedUpTo, last);
    return rows.length > 0;
  }

  /** A message whose time to live has passed (or that is gone): dead-lettered when so configured. */
  #expire(seq: number): void {
    if (this.settings.deadLetteringOnMessageExpiration) {
      this.#deadLetterStored(seq, 'TTLExpiredException', 'The message expired and was dead lettered.');
    } else {
      this.#storage.db.prepare('DELETE FROM messages WHERE entity = ? AND seq = ?').run(this.#key, seq);
    }
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
    this.#available += 1;
    this.#makeAvailable(held.sequenceNumber);
    this.#notify();
  }

  /** Puts an already loaded sequence number back into the window, in order. */
  #makeAvailable(seq: number): void {
    let index = this.#window.length;
    while (index > 0 && (this.#window[index - 1] as number) > seq) index--;
    this.#window.splice(index, 0, seq);
  }

  /** Moves a stored message to the dead-letter queue in one transaction. */
  #deadLetterStored(seq: number, reason: string, description?: string): void {
    const message = this.#storage.transaction(() => {
      const row = this.#storage.db.prepare<MessageRow>(`DELETE FROM messages WHERE entity = ? AND seq = ? RETURNING ${messageColumns}`).get(this.#key, seq);
      if (!row) return undefined;
      const dead = messageFromRow(row);
      dead.deadLetterReason = reason;
      if (description !== undefined) dead.deadLetterErrorDescription = description;
      dead.deadLetterSource = this.path;
      this.#storage.insertDeadLetter(this.#key, dead);
      return dead;
    });
    if (!message) return;
    this.totals.deadLettered += 1;
    this.#deadLettered += 1;
    this.onDeadLetter({ message, store: this });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
