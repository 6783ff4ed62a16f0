/**
 * Dispatches one Service Bus trigger from the embedded broker, like the Functions Service Bus extension:
 * up to maxConcurrentCalls messages at once, complete on success, abandon on failure (the broker redelivers
 * at once and dead-letters at MaxDeliveryCount). One failing message never blocks the others.
 */
import type { FunctionInvoker, HostService, RegisteredFunction } from '../contracts';
import { errorMessage, type HostLogger } from '../logger';
import type { BrokerMessage } from './message';
import type { MessageStore } from './message-store';
import { toBatchInvocationRequest, toInvocationRequest } from './trigger-data';

export interface EmbeddedConsumerOptions {
  fn: RegisteredFunction;
  store: MessageStore;
  invoker: FunctionInvoker;
  logger: HostLogger;
  maxConcurrentCalls: number;
  /** For `cardinality: 'many'`. */
  maxMessageBatchSize: number;
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
      const messages: BrokerMessage[] = [];
      const limit = this.#batch ? maxMessageBatchSize : 1;
      while (messages.length < limit) {
        const message = store.receive();
        if (!message) break;
        messages.push(message);
      }
      if (messages.length === 0) return;
      this.#inFlight++;
      void this.#dispatch(messages).finally(() => {
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

  async #dispatch(messages: BrokerMessage[]): Promise<void> {
    const { fn, store, invoker, logger } = this.#options;
    const request = this.#batch ? toBatchInvocationRequest(messages) : toInvocationRequest(messages[0] as BrokerMessage);
    const started = Date.now();
    const label = messages.length === 1 ? `message ${(messages[0] as BrokerMessage).messageId}` : `${messages.length} messages`;
    let error: unknown;
    try {
      await invoker.invoke(fn, request);
    } catch (err) {
      error = err ?? new Error('The function failed.');
    }
    const elapsed = Date.now() - started;
    if (elapsed > store.settings.lockDurationMs) {
      logger.warn(`${label} took ${elapsed} ms, longer than the lock duration of ${store.path}; Azure would need lock renewal here`, fn.name);
    }
    for (const message of messages) {
      const lockToken = message.lockToken as string;
      if (error === undefined) {
        store.complete(lockToken);
        continue;
      }
      const attempt = `${message.deliveryCount}/${store.settings.maxDeliveryCount}`;
      const outcome = store.abandon(lockToken, errorMessage(error));
      logger.warn(`message ${message.messageId} failed (delivery ${attempt}): ${errorMessage(error)}${outcome === 'deadlettered' ? '; dead-lettered' : '; abandoned'}`, fn.name);
    }
    if (error === undefined) logger.debug(`${label} completed (${elapsed} ms)`, fn.name);
  }
}
