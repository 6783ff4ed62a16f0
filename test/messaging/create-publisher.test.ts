import { describe, expect, it } from 'vitest';
import { createPublisher, EmbeddedBrokerPublisher, ServiceBusEventPublisher } from '../../src/messaging';
import { sampleEvent } from './events';

const EMULATOR =
  'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';

describe('createPublisher', () => {
  it('publishes to a Service Bus namespace when a connection string is set (connecting only on first send)', async () => {
    const publisher = createPublisher({ kind: 'namespace', connectionString: EMULATOR });
    expect(publisher).toBeInstanceOf(ServiceBusEventPublisher);
    await publisher.close();
  });

  it('publishes to the embedded broker under the embedded host', async () => {
    const publisher = createPublisher({ kind: 'embedded', url: 'http://127.0.0.1:7071/servicebus' });
    expect(publisher).toBeInstanceOf(EmbeddedBrokerPublisher);
    await publisher.close();
  });

  it('without a broker, fails on publish and names the setting to fix', async () => {
    const publisher = createPublisher({ kind: 'none' });
    await expect(publisher.publish([sampleEvent('OrderFulfilled')])).rejects.toThrow(/ServiceBusConnection/);
    await publisher.close();
  });
});
