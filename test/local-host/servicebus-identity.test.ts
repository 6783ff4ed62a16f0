import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import type { RegisteredFunction } from '../../src/local-host/contracts';
import { CoreRegistry } from '../../src/local-host/core-module';
import { Invoker } from '../../src/local-host/invoker';
import { createLogger } from '../../src/local-host/logger';
import { AzureServiceBusConsumer, namespaceConnection } from '../../src/local-host/servicebus/azure-consumer';
import { ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { createServiceBusTriggers } from '../../src/local-host/servicebus/triggers';

const quiet = createLogger({ level: 'silent' });

describe('the identity form of a trigger connection on the embedded host', () => {
  it('reads <connection>__fullyQualifiedNamespace and __clientId when there is no connection string, as the Functions host does', () => {
    expect(namespaceConnection('Sb', {})).toBeUndefined();
    expect(namespaceConnection('Sb', { Sb__fullyQualifiedNamespace: 'ns.servicebus.windows.net' })).toEqual({ fullyQualifiedNamespace: 'ns.servicebus.windows.net' });
    expect(namespaceConnection('Sb', { Sb__fullyQualifiedNamespace: 'ns.servicebus.windows.net', Sb__clientId: 'c-1' })).toEqual({
      fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      clientId: 'c-1',
    });
    expect(namespaceConnection('Sb', { Sb: 'Endpoint=sb://x/;', Sb__fullyQualifiedNamespace: 'ns.servicebus.windows.net' })).toEqual({ connectionString: 'Endpoint=sb://x/;' });
  });

  it('receives from the real namespace, as the app then publishes there', () => {
    const broker = new ServiceBusBroker({ config: { queues: [], topics: [] }, clock: createVirtualClock(), logger: quiet });
    const invoker = new Invoker(new CoreRegistry(() => undefined), quiet);
    const fn: RegisteredFunction = {
      name: 'f',
      triggerName: 'message',
      trigger: { type: 'serviceBusTrigger', direction: 'in', queueName: 'orders', connection: 'SB_TEST_IDENTITY_CONNECTION' },
      bindings: {},
    };
    process.env.SB_TEST_IDENTITY_CONNECTION__fullyQualifiedNamespace = 'example.servicebus.windows.net';
    try {
      const [trigger] = createServiceBusTriggers({ functions: [fn], broker, invoker, logger: quiet, hostJson: {} });
      expect(trigger).toMatchObject({ source: 'azure', connection: 'SB_TEST_IDENTITY_CONNECTION', entity: 'orders' });
      expect(trigger?.service).toBeInstanceOf(AzureServiceBusConsumer);
    } finally {
      delete process.env.SB_TEST_IDENTITY_CONNECTION__fullyQualifiedNamespace;
    }
  });
});
