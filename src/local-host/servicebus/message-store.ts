/**
 * One receivable entity (a queue or a subscription) with peek-lock semantics: a received message is locked
 * and counted as delivered; complete removes it; abandon makes it available again at once, or moves it to
 * the dead-letter queue once it has been delivered MaxDeliveryCount times.
 *
 * A lock lasts until the message is settled or until the deadline its receiver sets with `expireLockAt`
 * (the consumer works it out from LockDuration and the Functions host's lock renewal). When it expires the
 * message becomes available again while the first handler may still run, and settling with the lost lock
 * fails with LockLostError, as it does on Service Bus.
 */
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../contracts';
import type { EntitySettings } from './config';
import { cloneMessage, type BrokerMessage } from './message';

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

export class MessageStore {
  /** Available messages in sequence order. */
  #active: BrokerMessage[] = [];
  readonly #locked = new Map<string, BrokerMessage>();
  #deadLetter: BrokerMessage[] = [];
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
  ) {}

  get activeCount(): number {
    return this.#active.length;
  }

  get lockedCount(): number {
    return this.#locked.size;
  }

  get deadLetterCount(): number {
    return this.#deadLetter.length;
  }

  /** Called whenever a message becomes available. Returns the unsubscribe function. */
  onAvailable(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  enqueue(message: BrokerMessage): void {
    this.#insertActive(message);
    this.#notify();
  }

  /** Locks and returns the next live message, or undefined when none is available. */
  receive(): BrokerMessage | undefined {
    const now = this.clock.now();
    while (this.#active.length > 0) {
      const message = this.#active.shift() as BrokerMessage;
      if (message.expiresAtUtc.getTime() <= now.getTime()) {
        if (this.settings.deadLetteringOnMessageExpiration) {
          this.#toDeadLetter(message, 'TTLExpiredException', 'The message expired and was dead lettered.');
        }
        continue;
      }
      message.deliveryCount += 1;
      this.totals.delivered += 1;
      message.lockToken = randomUUID();
      message.lockedUntilUtc = new Date(now.getTime() + this.settings.lockDurationMs);
      this.#locked.set(message.lockToken, message);
      return message;
    }
    return undefined;
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
    if (!this.#locked.has(lockToken)) return 'notHeld';
    const message = this.#take(lockToken);
    this.totals.locksExpired += 1;
    if (message.deliveryCount >= this.settings.maxDeliveryCount) {
      this.#toDeadLetter(message, 'MaxDeliveryCountExceeded', `The lock expired on delivery ${message.deliveryCount} of ${this.settings.maxDeliveryCount}.`);
      return 'deadlettered';
    }
    // A copy, so the first handler's view of the message (and its lock token) stays its own.
    this.enqueue(cloneMessage(message));
    return 'redelivered';
  }

  /** Stops every lock deadline (the broker is closing). */
  close(): void {
    for (const watch of this.#lockWatches.values()) watch.abort();
    this.#lockWatches.clear();
  }

  complete(lockToken: string): void {
    this.#take(lockToken);
    this.totals.completed += 1;
  }

  /** Releases the lock after a failed delivery; at MaxDeliveryCount the message is dead-lettered. */
  abandon(lockToken: string, errorDescription?: string): 'redelivered' | 'deadlettered' {
    const message = this.#take(lockToken);
    this.totals.abandoned += 1;
    if (message.deliveryCount >= this.settings.maxDeliveryCount) {
      this.#toDeadLetter(
        message,
        'MaxDeliveryCountExceeded',
        errorDescription ?? `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`,
      );
      return 'deadlettered';
    }
    this.enqueue(message);
    return 'redelivered';
  }

  deadLetter(lockToken: string, reason: string, description?: string): void {
    this.#toDeadLetter(this.#take(lockToken), reason, description);
  }

  deadLetters(): BrokerMessage[] {
    return [...this.#deadLetter];
  }

  activeMessages(): BrokerMessage[] {
    return [...this.#active];
  }

  /** Removes a dead-lettered message by sequence number and returns it. */
  takeDeadLetter(sequenceNumber: number): BrokerMessage | undefined {
    const index = this.#deadLetter.findIndex((m) => m.sequenceNumber === sequenceNumber);
    if (index < 0) return undefined;
    return this.#deadLetter.splice(index, 1)[0];
  }

  #take(lockToken: string): BrokerMessage {
    const message = this.#locked.get(lockToken);
    if (!message) throw new LockLostError(this.path, lockToken);
    this.#locked.delete(lockToken);
    this.#lockWatches.get(lockToken)?.abort();
    this.#lockWatches.delete(lockToken);
    delete message.lockToken;
    delete message.lockedUntilUtc;
    return message;
  }

  #toDeadLetter(message: BrokerMessage, reason: string, description?: string): void {
    message.deadLetterReason = reason;
    if (description !== undefined) message.deadLetterErrorDescription = description;
    message.deadLetterSource = this.path;
    this.totals.deadLettered += 1;
    this.#deadLetter.push(message);
    this.onDeadLetter({ message, store: this });
  }

  #insertActive(message: BrokerMessage): void {
    // Abandoned messages go back before later ones, so redelivery is immediate, as in Service Bus.
    let index = this.#active.length;
    while (index > 0 && (this.#active[index - 1] as BrokerMessage).sequenceNumber > message.sequenceNumber) index--;
    this.#active.splice(index, 0, message);
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
