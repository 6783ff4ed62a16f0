/**
 * Dispatches one Service Bus trigger from the embedded broker, like the Functions Service Bus extension:
 * up to maxConcurrentCalls messages at once, complete on success, abandon on failure (the broker redelivers
 * at once and dead-letters at MaxDeliveryCount). One failing message never blocks the others.
 *
 * Locks behave as under the Functions host: it renews a message's lock while the handler runs, up to
 * `maxAutoLockRenewalDuration`, so a handler still running after the longer of that and LockDuration loses
 * the lock; the message is delivered again while the first handler goes on, and the first handler's
 * settle fails ("lock lost") without touching the new delivery. The `lockExpiry` fault makes the renewal
 * fail at once.
 */
import type { FunctionInvoker, HostService, RegisteredFunction } from '../contracts';
import { noFaults, type FaultInjector } from '../faults/fault-injector';
import { errorMessage, type HostLogger } from '../logger';
import type { BrokerMessage } from './message';
import { LockLostError, type MessageStore } from './message-store';
import { toBatchInvocationRequest, toInvocationRequest } from './trigger-data';

export interface EmbeddedConsumerOptions {
  fn: RegisteredFunction;
  store: MessageStore;
  invoker: FunctionInvoker;
  logger: HostLogger;
  maxConcurrentCalls: number;
  /** For `cardinality: 'many'`. */
  maxMessageBatchSize: number;
  /** host.json `extensions.serviceBus.maxAutoLockRenewalDuration` in ms (0: locks are not renewed). Default 5 min. */
  maxAutoLockRenewalMs?: number;
  faults?: FaultInjector;
}

export class EmbeddedServiceBusConsumer implements HostService {
  readonly #options: EmbeddedConsumerOptions;
  readonly #batch: boolean;
  #unsubscribe: (() => void) | undefined;
  #running = false;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: EmbeddedConsumerOptions) {
    this.#options = options;
    this.#batch = String(options.fn.trigger.cardinality ?? 'one').toLowerCase() === 'many';
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#unsubscribe = this.#options.store.onAvailable(() => this.#pump());
    this.#pump();
  }

  async drain(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    const { store, maxConcurrentCalls, maxMessageBatchSize } = this.#options;
    while (this.#running && this.#inFlight < maxConcurrentCalls) {
      // One batch per call for cardinality many, else a message per free call: received together, so
      // their delivery counts are stored with one commit.
      const messages = store.receiveMany(this.#batch ? maxMessageBatchSize : maxConcurrentCalls - this.#inFlight);
      if (messages.length === 0) return;
      for (const delivery of this.#batch ? [messages] : messages.map((m) => [m])) {
        this.#inFlight++;
        void this.#dispatch(delivery).finally(() => {
          this.#inFlight--;
          if (this.#inFlight === 0) {
            const waiters = this.#idleWaiters;
            this.#idleWaiters = [];
            for (const resolve of waiters) resolve();
          }
          // Redeliveries and newly arrived messages are picked up on the next turn.
          setImmediate(() => this.#pump());
        });
      }
    }
  }

  async #dispatch(messages: BrokerMessage[]): Promise<void> {
    const { fn, store, invoker, logger } = this.#options;
    const request = this.#batch ? toBatchInvocationRequest(messages) : toInvocationRequest(messages[0] as BrokerMessage);
    // Taken now: after a lock expires the broker hands the message out again under a new token.
    const deliveries = messages.map((message) => ({ messageId: message.messageId, deliveryCount: message.deliveryCount, lockToken: message.lockToken as string }));
    this.#watchLocks(deliveries);
    const started = Date.now();
    const label = messages.length === 1 ? `message ${(messages[0] as BrokerMessage).messageId}` : `${messages.length} messages`;
    let error: unknown;
    try {
      await invoker.invoke(fn, request);
    } catch (err) {
      error = err ?? new Error('The function failed.');
    }
    const elapsed = Date.now() - started;
    for (const delivery of deliveries) {
      try {
        if (error === undefined) {
          store.complete(delivery.lockToken);
          continue;
        }
        const attempt = `${delivery.deliveryCount}/${store.settings.maxDeliveryCount}`;
        const outcome = store.abandon(delivery.lockToken, errorMessage(error));
        logger.warn(`message ${delivery.messageId} failed (delivery ${attempt}): ${errorMessage(error)}${outcome === 'deadlettered' ? '; dead-lettered' : '; abandoned'}`, fn.name);
      } catch (err) {
        if (!(err instanceof LockLostError)) throw err;
        logger.warn(
          `message ${delivery.messageId} (delivery ${delivery.deliveryCount}): lock lost after ${elapsed} ms; its ${error === undefined ? 'completion' : 'abandon'} was not applied and the message stays with its later delivery`,
          fn.name,
        );
      }
    }
    if (error === undefined) logger.debug(`${label} completed (${elapsed} ms)`, fn.name);
  }

  /** Sets each lock's deadline: renewed up to maxAutoLockRenewalDuration, or lost at once under a lockExpiry fault. */
  #watchLocks(deliveries: Array<{ messageId: string; deliveryCount: number; lockToken: string }>): void {
    const { store, maxAutoLockRenewalMs = 5 * 60_000 } = this.#options;
    const faults = this.#options.faults ?? noFaults;
    const heldMs = maxAutoLockRenewalMs > 0 ? Math.max(store.settings.lockDurationMs, maxAutoLockRenewalMs) : store.settings.lockDurationMs;
    for (const delivery of deliveries) {
      const renewalFails = faults.decide('lockExpiry', `${store.path}|${delivery.messageId}|${delivery.deliveryCount}`);
      store.expireLockAfter(delivery.lockToken, renewalFails ? 0 : heldMs);
    }
  }
}
