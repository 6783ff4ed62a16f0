import type { ServiceBusClient, ServiceBusReceiver } from '@azure/service-bus';
import type { AppConfig } from '../config';
import { ORDERS_QUEUE } from './queues';
import { createServiceBusClient, type NamespaceSettings } from './service-bus-client';

/**
 * A round trip to the message broker for the health check: a configured connection proves nothing until the
 * broker has answered. `check` resolves when it did, and throws with the reason otherwise.
 */
export interface BrokerProbe {
  check(): Promise<void>;
  close(): Promise<void>;
}

export const BROKER_PROBE_TIMEOUT_MS = 3_000;

/** The part of `ServiceBusClient` the probe uses, so a test can hand it another. */
export type ReceiverFactory = Pick<ServiceBusClient, 'createReceiver' | 'close'>;

/**
 * Peeks one message on the `orders` queue: a request and its answer on the namespace's management link, with
 * no effect on any message. It needs the right to listen, which the triggers need anyway.
 */
export class ServiceBusQueueProbe implements BrokerProbe {
  private receiver: ServiceBusReceiver | undefined;

  constructor(
    private readonly client: ReceiverFactory,
    private readonly timeoutMs = BROKER_PROBE_TIMEOUT_MS,
  ) {}

  static forNamespace(settings: NamespaceSettings, timeoutMs?: number): ServiceBusQueueProbe {
    return new ServiceBusQueueProbe(createServiceBusClient(settings), timeoutMs);
  }

  async check(): Promise<void> {
    this.receiver ??= this.client.createReceiver(ORDERS_QUEUE, { receiveMode: 'peekLock' });
    try {
      await this.receiver.peekMessages(1, { abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Service Bus did not answer a peek on "${ORDERS_QUEUE}" within ${this.timeoutMs} ms: ${reason}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await this.receiver?.close().catch(() => undefined);
    await this.client.close();
  }
}

/** Asks the embedded host's broker which entities it has (`GET /admin/servicebus`), and wants `orders` among them. */
export class EmbeddedBrokerProbe implements BrokerProbe {
  private readonly entitiesUrl: string;

  /** `url` is EMBEDDED_SERVICEBUS_URL (`http://host:port/servicebus`); the listing is beside it on the same host. */
  constructor(
    url: string,
    private readonly timeoutMs = BROKER_PROBE_TIMEOUT_MS,
  ) {
    this.entitiesUrl = new URL('/admin/servicebus', url).href;
  }

  async check(): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.entitiesUrl, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`The embedded broker at ${this.entitiesUrl} did not answer within ${this.timeoutMs} ms: ${reason}`, { cause: error });
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw new Error(`The embedded broker at ${this.entitiesUrl} answered HTTP ${response.status}`);
    if (!hasEntity(body, ORDERS_QUEUE)) throw new Error(`The embedded broker at ${this.entitiesUrl} has no "${ORDERS_QUEUE}" queue`);
  }

  async close(): Promise<void> {}
}

function hasEntity(body: unknown, path: string): boolean {
  if (typeof body !== 'object' || body === null || !('entities' in body) || !Array.isArray(body.entities)) return false;
  return body.entities.some((entity: unknown) => typeof entity === 'object' && entity !== null && 'path' in entity && entity.path === path);
}

/** The probe for the configured broker, or null when there is none to probe. */
export function createBrokerProbe(serviceBus: AppConfig['serviceBus']): BrokerProbe | null {
  switch (serviceBus.kind) {
    case 'namespace':
    case 'identity':
      return ServiceBusQueueProbe.forNamespace(serviceBus);
    case 'embedded':
      return new EmbeddedBrokerProbe(serviceBus.url);
    case 'none':
      return null;
  }
}
