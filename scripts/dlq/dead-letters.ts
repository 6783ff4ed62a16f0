import type { ServiceBusClient, ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';

const PAGE = 100;
const RECEIVE_WAIT_MS = 3_000;

/** Up to `limit` dead letters of a queue, without locking or changing them. */
export async function peekDeadLetters(client: ServiceBusClient, queue: string, limit: number): Promise<ServiceBusReceivedMessage[]> {
  const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter' });
  const found: ServiceBusReceivedMessage[] = [];
  try {
    while (found.length < limit) {
      // peekMessages continues after the last message it returned on this receiver.
      const page = await receiver.peekMessages(Math.min(PAGE, limit - found.length));
      if (page.length === 0) break;
      found.push(...page);
    }
  } finally {
    await receiver.close();
  }
  return found;
}

/**
 * A dead letter as a new message for its queue. It gets a new message id: duplicate detection would drop a
 * copy with the old one inside the detection window, and a message that was retried to exhaustion usually
 * dead-letters within it. The original id and reason ride along as application properties.
 */
export function resubmission(message: ServiceBusReceivedMessage): ServiceBusMessage {
  const originalId = message.messageId?.toString() ?? '';
  const copy: ServiceBusMessage = {
    body: message.body,
    messageId: `${originalId}:resubmitted:${message.sequenceNumber?.toString() ?? Date.now()}`.slice(-128),
    applicationProperties: {
      ...message.applicationProperties,
      resubmittedFromMessageId: originalId,
      ...(message.deadLetterReason ? { resubmittedAfter: message.deadLetterReason } : {}),
    },
  };
  if (message.contentType !== undefined) copy.contentType = message.contentType;
  if (message.subject !== undefined) copy.subject = message.subject;
  if (message.correlationId !== undefined) copy.correlationId = message.correlationId;
  return copy;
}

/**
 * Moves up to `limit` dead letters back to the queue: each is locked, sent again as a new message, and only
 * then completed, so a failure in between leaves it in the dead-letter queue (and at worst sends it twice).
 */
export async function resubmitDeadLetters(
  client: ServiceBusClient,
  queue: string,
  limit: number,
  onResubmitted: (message: ServiceBusReceivedMessage) => void,
): Promise<number> {
  const receiver = client.createReceiver(queue, { subQueueType: 'deadLetter', receiveMode: 'peekLock' });
  const sender = client.createSender(queue);
  let count = 0;
  try {
    while (count < limit) {
      const batch = await receiver.receiveMessages(Math.min(PAGE, limit - count), { maxWaitTimeInMs: RECEIVE_WAIT_MS });
      if (batch.length === 0) break;
      for (const message of batch) {
        await sender.sendMessages(resubmission(message));
        await receiver.completeMessage(message);
        onResubmitted(message);
        count += 1;
      }
    }
  } finally {
    await Promise.allSettled([receiver.close(), sender.close()]);
  }
  return count;
}
