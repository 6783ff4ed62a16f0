import type { ServiceBusMessage, ServiceBusMessageBatch, ServiceBusSender } from '@azure/service-bus';
import type { TokenCredential } from '@azure/identity';
import { ServiceBusClient, ServiceBusError } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { TransientFault } from '../../src/domain';
import {
  createPublisher,
  createServiceBusClient,
  describeNamespace,
  ORDER_EVENTS_QUEUE,
  ServiceBusEventPublisher,
  type SenderFactory,
} from '../../src/messaging';
import { orderCreated, sampleEvent } from './events';

/** A sender whose batches hold `perBatch` messages, recording what was sent where. */
function fakeClient(options: { perBatch?: number; failWith?: Error } = {}) {
  const sent: { queue: string; messages: ServiceBusMessage[] }[] = [];
  const created: string[] = [];
  let closed = 0;
  const client: SenderFactory = {
    createSender(queue: string) {
      created.push(queue);
      const sender = {
        async createMessageBatch() {
          const messages: ServiceBusMessage[] = [];
          return {
            get count() {
              return messages.length;
            },
            maxSizeInBytes: 1024,
            messages,
            tryAddMessage(message: ServiceBusMessage) {
              if (messages.length >= (options.perBatch ?? 100)) return false;
              messages.push(message);
              return true;
            },
          } as unknown as ServiceBusMessageBatch;
        },
        async sendMessages(batch: ServiceBusMessageBatch & { messages: ServiceBusMessage[] }) {
          if (options.failWith) throw options.failWith;
          sent.push({ queue, messages: [...batch.messages] });
        },
        async close() {
          closed += 1;
        },
      };
      return sender as unknown as ServiceBusSender;
    },
    async close() {
      closed += 1;
    },
  };
  return { client, sent, created, closedCount: () => closed };
}

describe('ServiceBusEventPublisher', () => {
  it('sends each queue its messages in batches, in order, with one sender per queue', async () => {
    const fake = fakeClient({ perBatch: 2 });
    const publisher = new ServiceBusEventPublisher(fake.client);
    const events = ['a', 'b', 'c'].map((orderId) => sampleEvent('OrderFulfilled', orderId));
    await publisher.publish(events);
    await publisher.publish([sampleEvent('InventoryReleased', 'd')]);

    expect(fake.created).toEqual([ORDER_EVENTS_QUEUE]);
    expect(fake.sent.map((batch) => batch.messages.map((m) => m.applicationProperties?.orderId))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
    ]);
    expect(fake.sent[0].messages[0]).toMatchObject({ messageId: events[0].id, subject: 'OrderFulfilled', contentType: 'application/json' });
  });

  it('closes its senders and the client', async () => {
    const fake = fakeClient();
    const publisher = new ServiceBusEventPublisher(fake.client);
    await publisher.publish([orderCreated('choreography')]);
    await publisher.close();
    expect(fake.closedCount()).toBe(3); // two senders and the client
  });

  it('turns a retryable broker error into a transient fault', async () => {
    const busy = new ServiceBusError('busy', 'ServiceBusy');
    const publisher = new ServiceBusEventPublisher(fakeClient({ failWith: busy }).client);
    await expect(publisher.publish([orderCreated('orchestration')])).rejects.toBeInstanceOf(TransientFault);
  });

  it('rethrows an error that retrying cannot fix', async () => {
    const missing = new ServiceBusError('no such queue', 'MessagingEntityNotFound');
    const publisher = new ServiceBusEventPublisher(fakeClient({ failWith: missing }).client);
    await expect(publisher.publish([orderCreated('orchestration')])).rejects.toBe(missing);
  });

  it('refuses a message too large for any batch', async () => {
    const publisher = new ServiceBusEventPublisher(fakeClient({ perBatch: 0 }).client);
    await expect(publisher.publish([orderCreated('orchestration')])).rejects.toThrow(/does not fit/);
  });
});

const connectionString = process.env.SERVICEBUS_TEST_CONNECTION;

describe('ServiceBusEventPublisher against a real namespace', () => {
  it('delivers an event that a receiver reads back intact', async ({ skip }) => {
    skip(!connectionString, 'set SERVICEBUS_TEST_CONNECTION to a namespace (or the emulator) with the queues of servicebus/Config.json');
    // A fresh order id each run: duplicate detection would drop a message id seen in the last 5 minutes.
    const event = sampleEvent('OrderFulfilled', `it-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    const client = new ServiceBusClient(String(connectionString));
    const publisher = new ServiceBusEventPublisher(client);
    const receiver = client.createReceiver(ORDER_EVENTS_QUEUE, { receiveMode: 'receiveAndDelete' });
    try {
      await publisher.publish([event]);
      const deadline = Date.now() + 30_000;
      let found: ServiceBusMessage | undefined;
      while (!found && Date.now() < deadline) {
        const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 2_000 });
        found = messages.find((message) => message.messageId === event.id);
      }
      expect(found).toMatchObject({ subject: 'OrderFulfilled', correlationId: event.correlationId, body: event });
      expect(found?.applicationProperties).toMatchObject({ orderId: event.orderId, eventType: 'OrderFulfilled' });
    } finally {
      await receiver.close();
      await publisher.close();
    }
  });
});

describe('createServiceBusClient', () => {
  const credentialFor = (clientIds: (string | undefined)[]) => (clientId?: string): TokenCredential => {
    clientIds.push(clientId);
    return { getToken: async () => ({ token: 'test-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  };

  it('connects to the namespace host name with the identity, naming the user-assigned client id', async () => {
    const clientIds: (string | undefined)[] = [];
    const client = createServiceBusClient(
      { kind: 'identity', fullyQualifiedNamespace: 'petstore.servicebus.windows.net', clientId: 'client-1' },
      credentialFor(clientIds),
    );
    try {
      expect(client.fullyQualifiedNamespace).toBe('petstore.servicebus.windows.net');
      expect(clientIds).toEqual(['client-1']);
    } finally {
      await client.close();
    }
  });

  it('uses a connection string as it is, without asking for a credential', async () => {
    const clientIds: (string | undefined)[] = [];
    const client = createServiceBusClient(
      { kind: 'namespace', connectionString: 'Endpoint=sb://localhost;SharedAccessKeyName=k;SharedAccessKey=s;UseDevelopmentEmulator=true;' },
      credentialFor(clientIds),
    );
    try {
      expect(client.fullyQualifiedNamespace).toBe('localhost');
      expect(clientIds).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('describes where it goes without the key of a connection string', () => {
    expect(describeNamespace({ kind: 'namespace', connectionString: 'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=secret' })).toBe(
      'ns.servicebus.windows.net (connection string)',
    );
    expect(describeNamespace({ kind: 'identity', fullyQualifiedNamespace: 'ns.servicebus.windows.net', clientId: 'c' })).toBe('ns.servicebus.windows.net (identity c)');
  });
});

describe('createPublisher', () => {
  it('publishes through a real namespace client for the identity form too', async () => {
    const publisher = createPublisher({ kind: 'identity', fullyQualifiedNamespace: 'petstore.servicebus.windows.net' });
    try {
      expect(publisher).toBeInstanceOf(ServiceBusEventPublisher);
    } finally {
      await publisher.close();
    }
  });
});
