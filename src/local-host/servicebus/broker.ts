/**
 * The in-process Service Bus namespace: queues and topics from Config.json, duplicate detection at the
 * sending entity, scheduled enqueue, topic fan-out through subscription rules, forwarding, and a
 * dead-letter queue per receivable entity.
 *
 * Everything it accepts is in its SQLite database (the data folder's servicebus.sqlite, or `:memory:`)
 * before the send returns: a batch, with its fan-out to every matching subscription, commits in one
 * transaction. Scheduled messages wait in the database too; one timer waits for the earliest.
 */
import { randomUUID } from 'node:crypto';
import type { HostClock } from '../contracts';
import { noFaults, type FaultInjector } from '../faults/fault-injector';
import { decideSendFault } from '../faults/send-faults';
import type { HostLogger } from '../logger';
import {
  defaultDuplicateDetection,
  undeclaredDefaults,
  type BrokerConfig,
  type DuplicateDetection,
  type SubscriptionConfig,
} from './config';
import { RuleMatcher } from './filters';
import { cloneMessage, toOutgoing, type BrokerMessage, type OutgoingMessage } from './message';
import { MessageStore, type DeadLetterEvent } from './message-store';
import { BrokerStorage } from './broker-storage';
import type { StateLocation } from '../storage/state-location';

export class UnknownEntityError extends Error {
  constructor(readonly entity: string) {
    super(`The messaging entity "${entity}" is not declared in the Service Bus config.`);
  }
}

export interface SendResult {
  entity: string;
  messageId: string;
  sequenceNumber?: number;
  /** Dropped by duplicate detection (the send still succeeds, as in Service Bus). */
  duplicate: boolean;
  scheduled: boolean;
}

export interface EntityInfo {
  path: string;
  kind: 'queue' | 'subscription' | 'topic';
  declared: boolean;
  active: number;
  locked: number;
  deadLetter: number;
  maxDeliveryCount?: number;
}

/** Duplicate detection at one sending entity; the history is in the broker's database. */
class DuplicateDetector {
  constructor(
    readonly settings: DuplicateDetection,
    private readonly entity: string,
    private readonly storage: BrokerStorage,
  ) {}

  /** True when `messageId` was already accepted within the window; otherwise records it. */
  isDuplicate(messageId: string, nowMs: number): boolean {
    if (!this.settings.enabled) return false;
    return this.storage.isDuplicate(this.entity, messageId, nowMs, this.settings.windowMs);
  }
}

interface QueueEntity {
  kind: 'queue';
  name: string;
  declared: boolean;
  store: MessageStore;
  duplicates: DuplicateDetector;
}

interface SubscriptionEntity {
  name: string;
  config: SubscriptionConfig;
  declared: boolean;
  store: MessageStore;
}

interface TopicEntity {
  kind: 'topic';
  name: string;
  declared: boolean;
  defaultTtlMs: number;
  duplicates: DuplicateDetector;
  subscriptions: Map<string, SubscriptionEntity>;
}

export interface BrokerTotals {
  sent: number;
  duplicatesDropped: number;
  delivered: number;
  completed: number;
  abandoned: number;
  deadLettered: number;
  locksExpired: number;
}

export interface BrokerOptions {
  config: BrokerConfig;
  clock: HostClock;
  logger: HostLogger;
  /** When true, sending to an entity missing from the config fails instead of creating a queue. */
  strict?: boolean;
  /** The fault plan's send faults (default: none). */
  faults?: FaultInjector;
  /** Where the messages are kept (default: an in-memory database, gone at close). */
  state?: StateLocation;
}

const maxForwardHops = 4;

export function subscriptionPath(topic: string, subscription: string): string {
  return `${topic}/subscriptions/${subscription}`;
}

export class ServiceBusBroker {
  readonly strict: boolean;
  readonly #queues = new Map<string, QueueEntity>();
  readonly #topics = new Map<string, TopicEntity>();
  readonly #clock: HostClock;
  readonly #logger: HostLogger;
  readonly #matcher: RuleMatcher;
  readonly #abort = new AbortController();
  readonly #storage: BrokerStorage;
  /** The timer for the earliest scheduled message: when it is due, and how to cancel it. */
  #scheduler: { at: number; cancel: AbortController; done: Promise<void> } | undefined;
  readonly #faults: FaultInjector;
  #sent = 0;
  #duplicatesDropped = 0;

  constructor(options: BrokerOptions) {
    this.strict = options.strict ?? false;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#faults = options.faults ?? noFaults;
    this.#matcher = new RuleMatcher((m) => this.#logger.warn(m, 'servicebus'));
    this.#storage = BrokerStorage.open(options.state);
    for (const q of options.config.queues) {
      this.#queues.set(q.name.toLowerCase(), {
        kind: 'queue',
        name: q.name,
        declared: true,
        store: this.#newStore(q.name, q.settings),
        duplicates: new DuplicateDetector(q.duplicateDetection, q.name, this.#storage),
      });
    }
    for (const t of options.config.topics) {
      const topic: TopicEntity = {
        kind: 'topic',
        name: t.name,
        declared: true,
        defaultTtlMs: t.defaultTtlMs,
        duplicates: new DuplicateDetector(t.duplicateDetection, t.name, this.#storage),
        subscriptions: new Map(),
      };
      for (const s of t.subscriptions) {
        topic.subscriptions.set(s.name.toLowerCase(), {
          name: s.name,
          config: s,
          declared: true,
          store: this.#newStore(subscriptionPath(t.name, s.name), s.settings),
        });
      }
      this.#topics.set(t.name.toLowerCase(), topic);
    }
    // Scheduled messages a previous run accepted fire at their time, or at once when it has passed.
    this.#armScheduler(this.#storage.nextScheduledAt());
  }

  /** The store a queue trigger receives from; an undeclared queue is created with defaults. */
  queueStore(name: string, usedBy: string): MessageStore {
    const existing = this.#queues.get(name.toLowerCase());
    if (existing) return existing.store;
    if (this.#topics.has(name.toLowerCase())) throw new Error(`${usedBy}: "${name}" is a topic, not a queue.`);
    return this.#createQueue(name, usedBy).store;
  }

  /** The store a topic trigger receives from; undeclared topics and subscriptions are created with defaults. */
  subscriptionStore(topicName: string, subscriptionName: string, usedBy: string): MessageStore {
    let topic = this.#topics.get(topicName.toLowerCase());
    if (!topic) {
      if (this.#queues.has(topicName.toLowerCase())) throw new Error(`${usedBy}: "${topicName}" is a queue, not a topic.`);
      this.#logger.warn(`topic "${topicName}" (used by ${usedBy}) is not declared in the Service Bus config; using defaults`, 'servicebus');
      topic = {
        kind: 'topic',
        name: topicName,
        declared: false,
        defaultTtlMs: undeclaredDefaults.defaultTtlMs,
        duplicates: new DuplicateDetector(defaultDuplicateDetection, topicName, this.#storage),
        subscriptions: new Map(),
      };
      this.#topics.set(topicName.toLowerCase(), topic);
    }
    const existing = topic.subscriptions.get(subscriptionName.toLowerCase());
    if (existing) return existing.store;
    this.#logger.warn(
      `subscription "${subscriptionName}" of topic "${topic.name}" (used by ${usedBy}) is not declared in the Service Bus config; it receives every message, MaxDeliveryCount ${undeclaredDefaults.maxDeliveryCount}`,
      'servicebus',
    );
    const path = subscriptionPath(topic.name, subscriptionName);
    const sub: SubscriptionEntity = {
      name: subscriptionName,
      config: { name: subscriptionName, settings: undeclaredDefaults, rules: [] },
      declared: false,
      store: this.#newStore(path, undeclaredDefaults),
    };
    topic.subscriptions.set(subscriptionName.toLowerCase(), sub);
    return sub.store;
  }

  /** A receivable store by path (`queue` or `topic/subscriptions/name`). */
  store(path: string): MessageStore | undefined {
    const parts = path.split('/');
    if (parts.length === 1) return this.#queues.get(path.toLowerCase())?.store;
    if (parts.length === 3 && parts[1]?.toLowerCase() === 'subscriptions') {
      return this.#topics.get((parts[0] as string).toLowerCase())?.subscriptions.get((parts[2] as string).toLowerCase())?.store;
    }
    return undefined;
  }

  isSendEntity(name: string): boolean {
    return this.#queues.has(name.toLowerCase()) || this.#topics.has(name.toLowerCase());
  }

  /**
   * Sends to a queue or topic; returns once the messages are committed. Throws UnknownEntityError for an
   * undeclared entity when strict (and then none of the batch is sent).
   */
  send(entityName: string, messages: OutgoingMessage[]): SendResult[] {
    const fault = decideSendFault(this.#faults, entityName, messages);
    if (fault.before) throw fault.before;
    const results = this.#storage.transaction(() => messages.map((m) => this.#send(entityName, m, 0)));
    if (fault.after) throw fault.after;
    return results;
  }

  /** Moves a dead-lettered message back to its entity as a new message (delivery count starts again). */
  resubmit(path: string, sequenceNumber: number): SendResult | undefined {
    const store = this.store(path);
    if (!store) return undefined;
    return this.#storage.transaction(() => {
      const message = store.takeDeadLetter(sequenceNumber);
      if (!message) return undefined;
      // A new message: enqueued now with the entity's TTL, so a message that expired is not dead on arrival.
      const { timeToLiveMs: _expired, ...outgoing } = toOutgoing(message);
      const fresh = this.#toBrokerMessage(outgoing, store.settings.defaultTtlMs);
      store.enqueue(fresh);
      return { entity: path, messageId: fresh.messageId, sequenceNumber: fresh.sequenceNumber, duplicate: false, scheduled: false };
    });
  }

  /** Message ids the duplicate detection remembers (expired ones until the next sweep). */
  duplicateHistorySize(): number {
    return this.#storage.closed ? 0 : this.#storage.duplicateHistorySize();
  }

  /** Messages accepted with a ScheduledEnqueueTimeUtc still to come. */
  scheduledCount(): number {
    return this.#storage.closed ? 0 : this.#storage.scheduledCount();
  }

  entities(): EntityInfo[] {
    const out: EntityInfo[] = [];
    for (const q of this.#queues.values()) out.push(this.#info(q.store, 'queue', q.declared));
    for (const t of this.#topics.values()) {
      out.push({ path: t.name, kind: 'topic', declared: t.declared, active: 0, locked: 0, deadLetter: 0 });
      for (const s of t.subscriptions.values()) out.push(this.#info(s.store, 'subscription', s.declared));
    }
    return out;
  }

  /** Totals since start: messages accepted by sends, duplicates dropped, and settlements across every entity. */
  totals(): BrokerTotals {
    const totals: BrokerTotals = { sent: this.#sent, duplicatesDropped: this.#duplicatesDropped, delivered: 0, completed: 0, abandoned: 0, deadLettered: 0, locksExpired: 0 };
    const stores = [...this.#queues.values()].map((q) => q.store);
    for (const topic of this.#topics.values()) for (const sub of topic.subscriptions.values()) stores.push(sub.store);
    for (const store of stores) {
      totals.delivered += store.totals.delivered;
      totals.completed += store.totals.completed;
      totals.abandoned += store.totals.abandoned;
      totals.deadLettered += store.totals.deadLettered;
      totals.locksExpired += store.totals.locksExpired;
    }
    return totals;
  }

  /**
   * Stops the scheduler and the lock deadlines, then closes the database (call it after the consumers have
   * drained). Scheduled messages stay stored and fire after the next start; held locks are released.
   */
  async close(): Promise<void> {
    if (this.#abort.signal.aborted) return;
    this.#abort.abort();
    const scheduler = this.#scheduler;
    this.#scheduler = undefined;
    scheduler?.cancel.abort();
    for (const q of this.#queues.values()) q.store.close();
    for (const topic of this.#topics.values()) for (const sub of topic.subscriptions.values()) sub.store.close();
    await scheduler?.done;
    this.#storage.close();
  }

  #info(store: MessageStore, kind: 'queue' | 'subscription', declared: boolean): EntityInfo {
    return {
      path: store.path,
      kind,
      declared,
      active: store.activeCount,
      locked: store.lockedCount,
      deadLetter: store.deadLetterCount,
      maxDeliveryCount: store.settings.maxDeliveryCount,
    };
  }

  #newStore(path: string, settings: MessageStore['settings']): MessageStore {
    return new MessageStore(path, settings, this.#clock, (event) => this.#onDeadLetter(event), this.#storage);
  }

  #createQueue(name: string, usedBy: string): QueueEntity {
    this.#logger.warn(
      `queue "${name}" (used by ${usedBy}) is not declared in the Service Bus config; using defaults (MaxDeliveryCount ${undeclaredDefaults.maxDeliveryCount})`,
      'servicebus',
    );
    const queue: QueueEntity = {
      kind: 'queue',
      name,
      declared: false,
      store: this.#newStore(name, undeclaredDefaults),
      duplicates: new DuplicateDetector(defaultDuplicateDetection, name, this.#storage),
    };
    this.#queues.set(name.toLowerCase(), queue);
    return queue;
  }

  #send(entityName: string, outgoing: OutgoingMessage, hops: number): SendResult {
    let entity: QueueEntity | TopicEntity | undefined = this.#queues.get(entityName.toLowerCase()) ?? this.#topics.get(entityName.toLowerCase());
    if (!entity) {
      if (this.strict) throw new UnknownEntityError(entityName);
      entity = this.#createQueue(entityName, 'a sender');
    }
    const messageId = outgoing.messageId ?? randomUUID().replace(/-/g, '');
    const result: SendResult = { entity: entity.name, messageId, duplicate: false, scheduled: false };
    if (entity.duplicates.isDuplicate(messageId, this.#clock.now().getTime())) {
      this.#logger.debug(`duplicate message ${messageId} to ${entity.name} dropped`, 'servicebus');
      this.#duplicatesDropped += 1;
      return { ...result, duplicate: true };
    }
    const withId = { ...outgoing, messageId };
    this.#sent += 1;
    const at = outgoing.scheduledEnqueueTimeUtc;
    if (at && at.getTime() > this.#clock.now().getTime()) {
      this.#schedule(entity.name, withId, at, hops);
      return { ...result, scheduled: true };
    }
    return { ...result, sequenceNumber: this.#deliver(entity, withId, hops) };
  }

  #schedule(entityName: string, outgoing: OutgoingMessage & { messageId: string }, at: Date, hops: number): void {
    const { scheduledEnqueueTimeUtc: _at, ...message } = outgoing;
    this.#storage.schedule(entityName, message, at.getTime(), hops);
    this.#storage.afterCommit(() => this.#armScheduler(at.getTime()));
  }

  /** Makes sure a timer waits for `at` (or an earlier time it already waits for). */
  #armScheduler(at: number | undefined): void {
    if (at === undefined || this.#abort.signal.aborted) return;
    if (this.#scheduler && this.#scheduler.at <= at) return;
    this.#scheduler?.cancel.abort();
    const cancel = new AbortController();
    const done = this.#clock.sleepUntil(new Date(at), cancel.signal).then(
      () => {
        if (cancel.signal.aborted || this.#scheduler?.cancel !== cancel) return;
        this.#scheduler = undefined;
        this.#enqueueDue();
      },
      () => undefined,
    );
    this.#scheduler = { at, cancel, done };
  }

  /** Enqueues every scheduled message that is due, each in its own transaction, then waits for the next. */
  #enqueueDue(): void {
    const now = this.#clock.now().getTime();
    for (;;) {
      const due = this.#storage.dueScheduled(now, 256);
      for (const row of due) {
        try {
          this.#storage.transaction(() => {
            const outgoing = this.#storage.takeScheduled(row.id);
            if (!outgoing) return;
            let entity: QueueEntity | TopicEntity | undefined = this.#queues.get(row.entity.toLowerCase()) ?? this.#topics.get(row.entity.toLowerCase());
            // An undeclared queue a sender created in an earlier run is created again, as the send did.
            if (!entity && !this.strict) entity = this.#createQueue(row.entity, 'a scheduled message');
            if (!entity) {
              this.#logger.warn(`scheduled message ${outgoing.messageId} to "${row.entity}" dropped: the entity is no longer declared`, 'servicebus');
              return;
            }
            this.#deliver(entity, outgoing, row.hops);
          });
        } catch (err) {
          this.#logger.error(`scheduled message to "${row.entity}" could not be enqueued: ${err instanceof Error ? err.message : String(err)}`, 'servicebus');
          return;
        }
      }
      if (due.length < 256) break;
    }
    this.#armScheduler(this.#storage.nextScheduledAt());
  }

  #deliver(entity: QueueEntity | TopicEntity, outgoing: OutgoingMessage, hops: number): number {
    if (entity.kind === 'queue') {
      const forwardTo = entity.store.settings.forwardTo;
      if (forwardTo && hops < maxForwardHops) return this.#send(forwardTo, outgoing, hops + 1).sequenceNumber ?? -1;
      const message = this.#toBrokerMessage(outgoing, entity.store.settings.defaultTtlMs);
      entity.store.enqueue(message);
      return message.sequenceNumber;
    }
    const message = this.#toBrokerMessage(outgoing, entity.defaultTtlMs);
    for (const sub of entity.subscriptions.values()) {
      if (!this.#matcher.matches(sub.config.rules, message, sub.store.path)) continue;
      const forwardTo = sub.store.settings.forwardTo;
      if (forwardTo && hops < maxForwardHops) this.#send(forwardTo, toOutgoing(message), hops + 1);
      else sub.store.enqueue(this.#withTtl(cloneMessage(message), sub.store.settings.defaultTtlMs));
    }
    return message.sequenceNumber;
  }

  #withTtl(message: BrokerMessage, entityTtlMs: number): BrokerMessage {
    const ttl = Math.min(message.timeToLiveMs ?? entityTtlMs, entityTtlMs);
    message.expiresAtUtc = new Date(message.enqueuedTimeUtc.getTime() + ttl);
    return message;
  }

  #toBrokerMessage(outgoing: OutgoingMessage, entityTtlMs: number): BrokerMessage {
    const { scheduledEnqueueTimeUtc: _scheduled, applicationProperties, ...rest } = outgoing;
    const enqueued = this.#clock.now();
    const message: BrokerMessage = {
      ...rest,
      messageId: outgoing.messageId ?? randomUUID().replace(/-/g, ''),
      applicationProperties: { ...applicationProperties },
      sequenceNumber: this.#storage.nextSequence(),
      enqueuedTimeUtc: enqueued,
      expiresAtUtc: enqueued,
      deliveryCount: 0,
    };
    return this.#withTtl(message, entityTtlMs);
  }

  #onDeadLetter({ message, store }: DeadLetterEvent): void {
    this.#logger.warn(
      `message ${message.messageId} (#${message.sequenceNumber}) moved to ${store.path}/$DeadLetterQueue: ${message.deadLetterReason}${message.deadLetterErrorDescription ? ` (${message.deadLetterErrorDescription})` : ''}`,
      'servicebus',
    );
    const target = store.settings.forwardDeadLetteredMessagesTo;
    if (!target) return;
    // Let the caller finish its own bookkeeping before the forwarded copy becomes deliverable. The move is
    // one transaction: a crash before it leaves the message in the dead-letter queue, never nowhere.
    queueMicrotask(() => {
      if (this.#storage.closed) return;
      try {
        this.#storage.transaction(() => {
          if (store.takeDeadLetter(message.sequenceNumber)) this.#send(target, toOutgoing(message), 1);
        });
      } catch (err) {
        this.#logger.error(`dead-lettered message ${message.messageId} could not be forwarded to "${target}": ${err instanceof Error ? err.message : String(err)}`, 'servicebus');
      }
    });
  }
}
