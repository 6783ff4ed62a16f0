import type { AnySagaEvent } from '../domain';
import { toMessage, type OutgoingMessage } from './envelope';
import type { QueueName } from './queues';
import { queuesFor } from './routes';

/**
 * The messages to send, grouped by queue. Within a queue they keep the order of `events`, so a
 * participant sees one order's events in the order they were published.
 */
export function planDeliveries(events: readonly AnySagaEvent[], resend?: string): Map<QueueName, OutgoingMessage[]> {
  const plan = new Map<QueueName, OutgoingMessage[]>();
  for (const event of events) {
    for (const queue of queuesFor(event)) {
      const messages = plan.get(queue) ?? [];
      messages.push(toMessage(event, resend));
      plan.set(queue, messages);
    }
  }
  return plan;
}
