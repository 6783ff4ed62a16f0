/**
 * One receivable entity (a queue or a subscription) with peek-lock semantics: a received message is locked
 * and counted as delivered; complete removes it; abandon makes it available again at once, or moves it to
 * the dead-letter queue once it has been delivered MaxDeliveryCount times.
 *
 * Lock expiry is simplified: the Functions host renews locks while a handler runs, so a lock here lasts
 * until the message is settled. `lockedUntilUtc` is still set from LockDuration for display.
 */
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../contracts';
import type { EntitySettings } from './config';
import type { BrokerMessage } from './message';

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
  /** Running totals since start, for the host's stats endpoint and the benchmark. */
  readonly totals = { delivered: 0, completed: 0, abandoned: 0, deadLettered: 0 };

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
    if (!message) throw new Error(`The lock ${lockToken} on ${this.path} is not held (already settled?).`);
    this.#locked.delete(lockToken);
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
