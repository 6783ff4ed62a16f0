/**
 * Dispatches one Service Bus trigger from a real namespace with @azure/service-bus, used when the trigger's
 * `connection` setting (a connection string) or its identity form (`<connection>__fullyQualifiedNamespace`,
 * with `__clientId` for a user-assigned identity, signed in with DefaultAzureCredential) is present. Settlement mirrors the Functions extension: peek-lock,
 * complete on success, abandon on failure; Service Bus itself counts deliveries and dead-letters.
 */
import type { FunctionInvoker, HostService, RegisteredFunction } from '../contracts';
import { errorMessage, type HostLogger } from '../logger';
import type { DeliveredMessage } from './message';
import { toInvocationRequest } from './trigger-data';

import type { ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';

/** A connection string, or a namespace host name reached with an Entra ID identity, as the Functions host reads them. */
export type NamespaceConnection = { connectionString: string } | { fullyQualifiedNamespace: string; clientId?: string };

export type AzureConsumerOptions = NamespaceConnection & {
  fn: RegisteredFunction;
  queueName?: string;
  topicName?: string;
  subscriptionName?: string;
  invoker: FunctionInvoker;
  logger: HostLogger;
  maxConcurrentCalls: number;
};

/** The trigger's connection from the environment, the way the Functions host resolves it; undefined when absent. */
export function namespaceConnection(connection: string, env: NodeJS.ProcessEnv = process.env): NamespaceConnection | undefined {
  const connectionString = env[connection];
  if (connectionString) return { connectionString };
  const fullyQualifiedNamespace = env[`${connection}__fullyQualifiedNamespace`];
  if (!fullyQualifiedNamespace) return undefined;
  const clientId = env[`${connection}__clientId`];
  return clientId ? { fullyQualifiedNamespace, clientId } : { fullyQualifiedNamespace };
}

function toDelivered(m: ServiceBusReceivedMessage): DeliveredMessage {
  const delivered: DeliveredMessage = {
    body: (m.body as DeliveredMessage['body']) ?? null,
    messageId: String(m.messageId ?? ''),
    deliveryCount: m.deliveryCount ?? 1,
    applicationProperties: { ...(m.applicationProperties ?? {}) },
  };
  if (m.enqueuedTimeUtc) delivered.enqueuedTimeUtc = m.enqueuedTimeUtc;
  if (m.expiresAtUtc) delivered.expiresAtUtc = m.expiresAtUtc;
  if (m.correlationId !== undefined) delivered.correlationId = String(m.correlationId);
  if (m.contentType) delivered.contentType = m.contentType;
  if (m.subject) delivered.subject = m.subject;
  if (m.sessionId) delivered.sessionId = m.sessionId;
  if (m.replyTo) delivered.replyTo = m.replyTo;
  if (m.to) delivered.to = m.to;
  if (m.lockToken) delivered.lockToken = m.lockToken;
  if (m.sequenceNumber !== undefined) delivered.sequenceNumber = m.sequenceNumber.toNumber();
  return delivered;
}

export class AzureServiceBusConsumer implements HostService {
  readonly #options: AzureConsumerOptions;
  #client: ServiceBusClient | undefined;
  #receiver: ServiceBusReceiver | undefined;
  #subscription: { close(): Promise<void> } | undefined;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(options: AzureConsumerOptions) {
    this.#options = options;
  }

  get entityLabel(): string {
    const { queueName, topicName, subscriptionName } = this.#options;
    return queueName ?? `${topicName}/subscriptions/${subscriptionName}`;
  }

  async start(): Promise<void> {
    // Loaded lazily: the AMQP stack costs start-up time and is only needed for a real namespace.
    const { ServiceBusClient: Client } = await import('@azure/service-bus');
    const { queueName, topicName, subscriptionName, maxConcurrentCalls, fn, logger } = this.#options;
    if ('connectionString' in this.#options) {
      this.#client = new Client(this.#options.connectionString);
    } else {
      const { DefaultAzureCredential } = await import('@azure/identity');
      const { fullyQualifiedNamespace, clientId } = this.#options;
      this.#client = new Client(fullyQualifiedNamespace, new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}));
    }
    this.#receiver = queueName
      ? this.#client.createReceiver(queueName, { receiveMode: 'peekLock' })
      : this.#client.createReceiver(topicName as string, subscriptionName as string, { receiveMode: 'peekLock' });
    const receiver = this.#receiver;
    this.#subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          this.#inFlight++;
          try {
            await this.#options.invoker.invoke(fn, toInvocationRequest(toDelivered(message)));
            await receiver.completeMessage(message);
          } catch (err) {
            logger.warn(`message ${String(message.messageId)} failed (delivery ${message.deliveryCount ?? '?'}): ${errorMessage(err)}; abandoned`, fn.name);
            await receiver.abandonMessage(message).catch((e: unknown) => logger.error(`abandon failed: ${errorMessage(e)}`, fn.name));
          } finally {
            this.#inFlight--;
            if (this.#inFlight === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
          }
        },
        processError: async (args) => {
          logger.error(`receiving from ${this.entityLabel} failed (${args.errorSource}): ${errorMessage(args.error)}`, fn.name);
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls },
    );
  }

  async drain(): Promise<void> {
    await this.#subscription?.close();
    if (this.#inFlight > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#receiver?.close();
    await this.#client?.close();
  }
}
