import {
  type ServiceBusClient,
  ServiceBusError,
  type ServiceBusErrorCode,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusSender,
} from '@azure/service-bus';
import { TransientFault, type AnySagaEvent } from '../domain';
import type { EventPublisher, PublishOptions } from '../services/ports';
import { planDeliveries } from './deliveries';
import { createServiceBusClient, type NamespaceSettings } from './service-bus-client';

/** The part of `ServiceBusClient` the publisher uses, so tests can hand it a fake. */
export type SenderFactory = Pick<ServiceBusClient, 'createSender' | 'close'>;

/**
 * Publishes to a Service Bus namespace (Azure or the emulator) over AMQP/TCP.
 * One client per process: the emulator allows 10 connections per namespace, and every client is one.
 */
export class ServiceBusEventPublisher implements EventPublisher {
  private readonly senders = new Map<string, ServiceBusSender>();

  constructor(private readonly client: SenderFactory) {}

  /** The SDK's default transport is AMQP over TCP; WebSockets would not reach the emulator. */
  static fromConnectionString(connectionString: string): ServiceBusEventPublisher {
    return ServiceBusEventPublisher.forNamespace({ kind: 'namespace', connectionString });
  }

  /** A connection string, or `ServiceBusConnection__fullyQualifiedNamespace` with an identity. */
  static forNamespace(settings: NamespaceSettings): ServiceBusEventPublisher {
    return new ServiceBusEventPublisher(createServiceBusClient(settings));
  }

  /**
   * A failure on one queue fails the whole call even if other queues got their messages: the caller
   * publishes everything again, and duplicate detection (messageId = event id) drops what arrived.
   */
  async publish(events: readonly AnySagaEvent[], options: PublishOptions = {}): Promise<void> {
    const plan = planDeliveries(events, options.resend);
    await Promise.all([...plan].map(([queue, messages]) => this.sendAll(queue, messages, options.signal)));
  }

  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    await Promise.allSettled(senders.map((sender) => sender.close()));
    await this.client.close();
  }

  /** `abortSignal` cuts the SDK's own retries short (they take a minute against a broker that never answers). */
  private async sendAll(queue: string, messages: readonly ServiceBusMessage[], abortSignal?: AbortSignal): Promise<void> {
    const sender = this.senderFor(queue);
    try {
      for (const batch of await this.batches(sender, queue, messages, abortSignal)) await sender.sendMessages(batch, { abortSignal });
    } catch (error) {
      throw asPublishFault(queue, error);
    }
  }

  private senderFor(queue: string): ServiceBusSender {
    let sender = this.senders.get(queue);
    if (!sender) {
      sender = this.client.createSender(queue);
      this.senders.set(queue, sender);
    }
    return sender;
  }

  /** Packs messages into as few size-limited batches as it takes, in order. */
  private async batches(
    sender: ServiceBusSender,
    queue: string,
    messages: readonly ServiceBusMessage[],
    abortSignal?: AbortSignal,
  ): Promise<ServiceBusMessageBatch[]> {
    const batches: ServiceBusMessageBatch[] = [];
    let batch = await sender.createMessageBatch({ abortSignal });
    for (const message of messages) {
      if (batch.tryAddMessage(message)) continue;
      if (batch.count > 0) {
        batches.push(batch);
        batch = await sender.createMessageBatch({ abortSignal });
        if (batch.tryAddMessage(message)) continue;
      }
      throw new MessageTooLarge(
        `Event ${String(message.messageId)} does not fit in a message to queue "${queue}" (${batch.maxSizeInBytes} bytes max)`,
      );
    }
    if (batch.count > 0) batches.push(batch);
    return batches;
  }
}

class MessageTooLarge extends Error {
  override readonly name = 'MessageTooLarge';
}

/** Faults that waiting cannot fix: the settings or the message must change first. */
const PERMANENT_CODES: ReadonlySet<ServiceBusErrorCode> = new Set<ServiceBusErrorCode>([
  'MessagingEntityNotFound',
  'MessagingEntityDisabled',
  'MessageSizeExceeded',
  'UnauthorizedAccess',
]);

/**
 * The SDK has already retried; what is left becomes a transient fault for the caller's own retry
 * policy, unless it is permanent, which is rethrown unchanged so nobody retries it in vain.
 */
function asPublishFault(queue: string, error: unknown): Error {
  if (error instanceof MessageTooLarge) return error;
  if (error instanceof ServiceBusError && PERMANENT_CODES.has(error.code)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new TransientFault(`Could not send to Service Bus queue "${queue}": ${message}`, { cause: error });
}
