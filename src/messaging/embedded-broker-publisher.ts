import { TransientFault, type AnySagaEvent } from '../domain';
import type { EventPublisher, PublishOptions } from '../services/ports';
import { planDeliveries } from './deliveries';
import type { OutgoingMessage } from './envelope';

export interface EmbeddedBrokerPublisherOptions {
  /** Per request; the broker is in the same process tree, so anything slow is a fault. */
  timeoutMs?: number;
}

/**
 * Publishes to the embedded host's in-process broker through its Service Bus REST-style endpoint
 * (`POST {url}/{queue}/messages`). Node's fetch keeps connections alive by default, so a burst of
 * orders reuses sockets without a custom agent.
 */
export class EmbeddedBrokerPublisher implements EventPublisher {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(url: string, options: EmbeddedBrokerPublisherOptions = {}) {
    this.baseUrl = url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async publish(events: readonly AnySagaEvent[], options: PublishOptions = {}): Promise<void> {
    const plan = planDeliveries(events, options.resend);
    await Promise.all(
      [...plan].map(async ([queue, messages]) => {
        // One at a time per queue, so the broker enqueues them in the order they were published.
        for (const message of messages) await this.send(queue, message, options.signal);
      }),
    );
  }

  async close(): Promise<void> {
    // Nothing to release: fetch's pooled sockets close themselves when idle.
  }

  private async send(queue: string, message: OutgoingMessage, signal?: AbortSignal): Promise<void> {
    const url = `${this.baseUrl}/${encodeURIComponent(queue)}/messages`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': message.contentType,
          BrokerProperties: JSON.stringify({
            MessageId: message.messageId,
            Label: message.subject,
            CorrelationId: message.correlationId,
          }),
          'x-application-properties': JSON.stringify(message.applicationProperties),
        },
        body: JSON.stringify(message.body),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransientFault(`Could not reach the embedded broker at ${url}: ${reason}`, { cause: error });
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      throw new TransientFault(`The embedded broker refused a message for queue "${queue}": HTTP ${response.status} ${body}`.trim());
    }
    // Drain the body so the socket goes back to the pool.
    await response.arrayBuffer().catch(() => undefined);
  }
}
