/** Lock renewal in the embedded consumer: renewed up to maxAutoLockRenewalDuration, lost after it. */
import { describe, expect, it } from 'vitest';
import { realClock } from '../../src/local-host/clock';
import type { FunctionInvoker, RegisteredFunction } from '../../src/local-host/contracts';
import { createLogger } from '../../src/local-host/logger';
import { ServiceBusBroker } from '../../src/local-host/servicebus/broker';
import { parseBrokerConfig } from '../../src/local-host/servicebus/config';
import { EmbeddedServiceBusConsumer } from '../../src/local-host/servicebus/embedded-consumer';
import { captureLogs, waitFor } from './helpers';

const fn = { name: 'f', trigger: { type: 'serviceBusTrigger', direction: 'in' }, triggerName: 'm', bindings: {} } as RegisteredFunction;

/** Runs one message through a handler that takes 300 ms on a queue whose LockDuration is 100 ms. */
async function deliveriesWith(maxAutoLockRenewalMs: number): Promise<{ counts: number[]; log: string }> {
  const logs = captureLogs();
  const logger = createLogger({ level: 'warn', sink: logs.sink });
  const config = parseBrokerConfig(
    JSON.stringify({ UserConfig: { Namespaces: [{ Name: 'ns', Queues: [{ Name: 'q', Properties: { LockDuration: 'PT0.1S', MaxDeliveryCount: 5 } }] }] } }),
  );
  const broker = new ServiceBusBroker({ config, clock: realClock, logger });
  const store = broker.queueStore('q', 'test');
  const counts: number[] = [];
  let finished = 0;
  const invoker: FunctionInvoker = {
    invoke: async (_fn, request) => {
      const count = Number((request.triggerMetadata?.deliveryCount as { int?: number } | undefined)?.int);
      counts.push(count);
      if (count === 1) await new Promise((resolve) => setTimeout(resolve, 300));
      finished++;
      return { outputData: [] };
    },
  };
  const consumer = new EmbeddedServiceBusConsumer({ fn, store, invoker, logger, maxConcurrentCalls: 4, maxMessageBatchSize: 1, maxAutoLockRenewalMs });
  await consumer.start();
  broker.send('q', [{ body: Buffer.from('{}'), messageId: 'm1' }]);
  await waitFor(() => finished === counts.length && store.activeCount + store.lockedCount === 0 && finished > 0, 'the message to be settled', 3_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  await consumer.drain();
  await broker.close();
  return { counts, log: logs.text() };
}

describe('Service Bus lock renewal', () => {
  it('keeps the lock of a handler slower than LockDuration while renewal lasts', async () => {
    const { counts, log } = await deliveriesWith(2_000);
    expect(counts).toEqual([1]);
    expect(log).not.toContain('lock lost');
  });

  it('loses it when renewal is off: the message is delivered again while the first handler runs', async () => {
    const { counts, log } = await deliveriesWith(0);
    expect(counts).toEqual([1, 2]);
    expect(log).toContain('message m1 (delivery 1): lock lost');
  });

  it('loses it once renewal has run out', async () => {
    const { counts } = await deliveriesWith(150);
    expect(counts).toEqual([1, 2]);
  });
});
