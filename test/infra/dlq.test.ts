import { randomUUID } from 'node:crypto';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scripts/lib/cli';
import { peekDeadLetters, resubmission, resubmitDeadLetters } from '../../scripts/dlq/dead-letters';
import { formatDeadLetter, formatSummary } from '../../scripts/dlq/format';
import { DLQ_USAGE, parseDlqOptions } from '../../scripts/dlq/options';
import { ALL_QUEUES } from '../../src/messaging/queues';

describe('npm run dlq: the command line', () => {
  it('lists 20 dead letters of a queue by default', () => {
    expect(parseDlqOptions(['--queue', 'orders'])).toEqual({ queue: 'orders', resubmit: false, limit: 20 });
  });

  it('takes --all, --max and --resubmit', () => {
    expect(parseDlqOptions(['--queue', 'payment-events', '--resubmit', '--all'])).toEqual({ queue: 'payment-events', resubmit: true, limit: 'all' });
    expect(parseDlqOptions(['-q', 'order-events', '--max', '5'])).toEqual({ queue: 'order-events', resubmit: false, limit: 5 });
  });

  it('answers --help with the usage', () => {
    expect(parseDlqOptions(['--help'])).toBeUndefined();
    expect(DLQ_USAGE).toContain('--resubmit');
    for (const queue of ALL_QUEUES) expect(DLQ_USAGE).toContain(queue);
  });

  it.each([
    [[], /--queue is required/],
    [['--queue', 'nope'], /--queue must be one of orders, inventory-events/],
    [['--queue', 'orders', '--max', '0'], /--max must be a whole number from 1 to 5000/],
    [['--queue', 'orders', '--all', '--max', '3'], /--all and --max exclude each other/],
    [['--queue', 'orders', '--purge'], /Unknown option '--purge'/],
    [['--queue'], /argument missing/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDlqOptions(argv)).toThrow(UsageError);
    expect(() => parseDlqOptions(argv)).toThrow(message);
  });
});

describe('npm run dlq: what it prints', () => {
  const message = {
    sequenceNumber: { toString: () => '42' },
    messageId: 'ord-1:OrderCreated',
    subject: 'OrderCreated',
    deadLetterReason: 'MaxDeliveryCountExceeded',
    deadLetterErrorDescription: 'Message could not be consumed after 5 delivery attempts.\n  at line 2',
    deliveryCount: 5,
    enqueuedTimeUtc: new Date('2026-05-01T10:00:00.000Z'),
  };

  it('shows the sequence number, enqueued time, delivery count, reason and description of each', () => {
    expect(formatDeadLetter(message)).toBe(
      [
        '#42  2026-05-01T10:00:00.000Z  deliveries 5  messageId ord-1:OrderCreated  OrderCreated',
        '    reason: MaxDeliveryCountExceeded',
        '    description: Message could not be consumed after 5 delivery attempts. at line 2',
      ].join('\n'),
    );
  });

  it('says when there is no reason or description, and shortens a long description', () => {
    expect(formatDeadLetter({ sequenceNumber: { toString: () => '1' } })).toBe(
      ['#1  enqueued time unknown  deliveries ?  messageId (none)', '    reason: (none)', '    description: (none)'].join('\n'),
    );
    const long = formatDeadLetter({ ...message, deadLetterErrorDescription: 'x'.repeat(1000) });
    expect(long.split('\n')[2]).toHaveLength('    description: '.length + 300);
    expect(long.endsWith('…')).toBe(true);
  });

  it('ends with a summary that says whether more remain', () => {
    expect(formatSummary('orders', 0, false, false)).toBe('No dead-lettered messages in orders.');
    expect(formatSummary('orders', 3, false, false)).toBe('3 message(s) dead-lettered in orders.');
    expect(formatSummary('orders', 20, false, true)).toBe('20 message(s) dead-lettered in orders (more remain: use --all or a larger --max).');
    expect(formatSummary('orders', 2, true, false)).toBe('2 message(s) resubmitted in orders.');
  });

  it('resubmits a copy with a new message id, so duplicate detection does not drop it, and keeps the original id', () => {
    const copy = resubmission({
      ...message,
      body: { type: 'OrderCreated' },
      contentType: 'application/json',
      correlationId: 'c-1',
      applicationProperties: { orderId: 'ord-1' },
      sequenceNumber: { toString: () => '42' },
    } as unknown as ServiceBusReceivedMessage);
    expect(copy).toEqual({
      body: { type: 'OrderCreated' },
      messageId: 'ord-1:OrderCreated:resubmitted:42',
      contentType: 'application/json',
      subject: 'OrderCreated',
      correlationId: 'c-1',
      applicationProperties: { orderId: 'ord-1', resubmittedFromMessageId: 'ord-1:OrderCreated', resubmittedAfter: 'MaxDeliveryCountExceeded' },
    });
  });
});

// A real broker cannot be reached from CI. Set SERVICEBUS_TEST_CONNECTION (the emulator's or an Azure
// namespace's connection string) and SERVICEBUS_TEST_QUEUE (default "orders"; no app may be consuming it).
const connection = process.env.SERVICEBUS_TEST_CONNECTION;

describe('npm run dlq against a real namespace', () => {
  it('lists a dead-lettered message and resubmits it to its queue', async ({ skip }) => {
    skip(!connection, 'set SERVICEBUS_TEST_CONNECTION to a namespace (or the emulator) with the queues of servicebus/Config.json');
    const queue = process.env.SERVICEBUS_TEST_QUEUE ?? 'orders';
    const client = new ServiceBusClient(String(connection));
    const messageId = `dlq-test-${randomUUID()}`;
    const receiver = client.createReceiver(queue);
    const sender = client.createSender(queue);
    try {
      await sender.sendMessages({ body: { test: messageId }, messageId, contentType: 'application/json' });
      const [received] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
      expect(received?.messageId).toBe(messageId);
      await receiver.deadLetterMessage(received, { deadLetterReason: 'TestReason', deadLetterErrorDescription: 'dead-lettered by the dlq test' });

      const listed = await peekDeadLetters(client, queue, 1000);
      const ours = listed.find((m) => m.messageId === messageId);
      expect(ours && formatDeadLetter(ours)).toMatch(/reason: TestReason\n {4}description: dead-lettered by the dlq test/);

      const resubmitted: string[] = [];
      await resubmitDeadLetters(client, queue, Number.MAX_SAFE_INTEGER, (m) => resubmitted.push(String(m.messageId)));
      expect(resubmitted).toContain(messageId);
      const deadline = Date.now() + 30_000;
      let back: ServiceBusReceivedMessage | undefined;
      while (!back && Date.now() < deadline) {
        for (const m of await receiver.receiveMessages(10, { maxWaitTimeInMs: 2_000 })) {
          if (m.applicationProperties?.resubmittedFromMessageId === messageId) back = m;
          await receiver.completeMessage(m);
        }
      }
      expect(back?.body).toEqual({ test: messageId });
      expect((await peekDeadLetters(client, queue, 1000)).some((m) => m.messageId === messageId)).toBe(false);
    } finally {
      await Promise.allSettled([receiver.close(), sender.close()]);
      await client.close();
    }
  });
});
