import { ServiceBusClient } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../src/local-host/clock';
import type { RegisteredFunction } from '../../src/local-host/contracts';
import { startHost } from '../../src/local-host/host';
import { Invoker } from '../../src/local-host/invoker';
import { CoreRegistry } from '../../src/local-host/core-module';
import { createLogger } from '../../src/local-host/logger';
import { AzureServiceBusConsumer } from '../../src/local-host/servicebus/azure-consumer';
import { ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { EmbeddedServiceBusConsumer } from '../../src/local-host/servicebus/embedded-consumer';
import { createServiceBusTriggers } from '../../src/local-host/servicebus/triggers';
import { fixture, globalList, waitFor } from './helpers';

const quiet = createLogger({ level: 'silent' });

function trigger(connection: string): RegisteredFunction {
  return {
    name: 'f',
    triggerName: 'message',
    trigger: { type: 'serviceBusTrigger', direction: 'in', queueName: 'orders', connection },
    bindings: {},
  };
}

describe('choosing between the embedded broker and a real namespace', () => {
  it('uses the real namespace exactly when the trigger connection setting is present', () => {
    const broker = new ServiceBusBroker({ config: { queues: [], topics: [] }, clock: createVirtualClock(), logger: quiet });
    const invoker = new Invoker(new CoreRegistry(() => undefined), quiet);
    process.env.SB_TEST_REAL_CONNECTION = 'Endpoint=sb://example.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s';
    try {
      const [real, embedded] = createServiceBusTriggers({
        functions: [trigger('SB_TEST_REAL_CONNECTION'), { ...trigger('SB_TEST_UNSET_CONNECTION'), name: 'g' }],
        broker,
        invoker,
        logger: quiet,
        hostJson: {},
      });
      expect(real).toMatchObject({ source: 'azure', connection: 'SB_TEST_REAL_CONNECTION', entity: 'orders' });
      expect(real?.service).toBeInstanceOf(AzureServiceBusConsumer);
      expect(embedded).toMatchObject({ source: 'embedded', connection: 'SB_TEST_UNSET_CONNECTION' });
      expect(embedded?.service).toBeInstanceOf(EmbeddedServiceBusConsumer);
    } finally {
      delete process.env.SB_TEST_REAL_CONNECTION;
    }
  });
});

// A real namespace cannot be reached from CI; set SERVICEBUS_TEST_CONNECTION (and SERVICEBUS_TEST_QUEUE, an
// existing queue, default "embedded-host-test") to run this against Azure Service Bus.
const connection = process.env.SERVICEBUS_TEST_CONNECTION;
describe.skipIf(!connection)('a real Service Bus namespace (needs SERVICEBUS_TEST_CONNECTION)', () => {
  it('receives with peek-lock, completes on success and redelivers after a failure', async () => {
    const queue = process.env.SERVICEBUS_TEST_QUEUE ?? 'embedded-host-test';
    const received = globalList<{ message: Record<string, unknown>; metadata: Record<string, unknown> }>('__azureReceived');
    const host = await startHost({ appDir: fixture('servicebus-azure-app'), port: 0, quiet: true, env: { SERVICEBUS_TEST_QUEUE: queue } });
    const client = new ServiceBusClient(connection as string);
    try {
      expect(host.banner).toContain(`azureQueueHandler: serviceBusTrigger queue ${queue} (Azure via SERVICEBUS_TEST_CONNECTION)`);
      const sender = client.createSender(queue);
      const runId = `run-${Date.now()}`;
      await sender.sendMessages([{ body: { runId, ok: true } }, { body: { runId, fail: true } }]);
      await waitFor(() => received.some((r) => r.message.runId === runId && r.message.ok), 'the good message', 30_000);
      await waitFor(
        () => received.filter((r) => r.message.runId === runId && r.message.fail).some((r) => Number(r.metadata.deliveryCount) >= 2),
        'a redelivery of the failing message',
        60_000,
      );
      await sender.close();
    } finally {
      await client.close();
      await host.stop();
    }
  });
});
