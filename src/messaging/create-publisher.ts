import type { AppConfig } from '../config';
import { SERVICE_BUS_CONNECTION_SETTING, SERVICE_BUS_NAMESPACE_SETTING } from '../config';
import type { EventPublisher } from '../services/ports';
import { EmbeddedBrokerPublisher } from './embedded-broker-publisher';
import { ServiceBusEventPublisher } from './service-bus-publisher';

export type ClosablePublisher = EventPublisher & { close(): Promise<void> };

/** The publisher the settings call for; call it once per process and close it on shutdown. */
export function createPublisher(serviceBus: AppConfig['serviceBus']): ClosablePublisher {
  switch (serviceBus.kind) {
    case 'namespace':
    case 'identity':
      return ServiceBusEventPublisher.forNamespace(serviceBus);
    case 'embedded':
      return new EmbeddedBrokerPublisher(serviceBus.url);
    case 'none':
      return unconfiguredPublisher();
  }
}

/**
 * Fails on use rather than at start-up, so parts of the app that never publish (listing products,
 * seeding the database) still run without a broker.
 */
function unconfiguredPublisher(): ClosablePublisher {
  return {
    async publish() {
      throw new Error(
        `No message broker is configured: set the ${SERVICE_BUS_CONNECTION_SETTING} app setting to a Service Bus ` +
          `connection string, or ${SERVICE_BUS_NAMESPACE_SETTING} to its host name for an identity ` +
          '(or run under the embedded host, which sets EMBEDDED_SERVICEBUS_URL).',
      );
    },
    async close() {},
  };
}
