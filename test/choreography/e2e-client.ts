import type { AnySagaEvent, Order, OrderSaga, Product } from '../../src/domain';
import { waitFor } from '../local-host/helpers';

const FINAL_STATUSES = ['Completed', 'Cancelled', 'Failed'];

interface EntityInfo {
  path: string;
  active: number;
  locked: number;
  deadLetter: number;
}

export interface DeadLetter {
  messageId: string;
  deliveryCount: number;
  deadLetterReason: string | null;
  body: unknown;
}

/** The app's HTTP API and the embedded broker's endpoints, as a client sees them. */
export class SagaClient {
  constructor(private readonly baseUrl: string) {}

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  async placeOrder(request: Record<string, unknown>): Promise<Order> {
    const response = await fetch(`${this.baseUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sagaStyle: 'choreography', ...request }),
    });
    if (response.status !== 202) throw new Error(`POST /api/orders answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Order;
  }

  async order(orderId: string): Promise<Order> {
    return (await this.get<Order>(`/api/orders/${orderId}`)).body;
  }

  async saga(orderId: string): Promise<OrderSaga> {
    return (await this.get<OrderSaga>(`/api/orders/${orderId}/saga`)).body;
  }

  async product(productId: string): Promise<Product> {
    return (await this.get<Product>(`/api/products/${productId}`)).body;
  }

  /** Polls the order until the saga has reached a final status. */
  async finalOrder(orderId: string, timeoutMs = 30_000): Promise<Order> {
    return waitFor(
      async () => {
        const order = await this.order(orderId);
        return FINAL_STATUSES.includes(order.status) ? order : null;
      },
      `order ${orderId} to reach a final status`,
      timeoutMs,
      50,
    );
  }

  /** Sends a message to a queue of the embedded broker, as any other publisher would. */
  async send(queue: string, body: AnySagaEvent | string, messageId: string): Promise<void> {
    const response = await fetch(`${this.baseUrl}/servicebus/${queue}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', BrokerProperties: JSON.stringify({ MessageId: messageId }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`Sending to ${queue} answered ${response.status}: ${await response.text()}`);
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    return (await this.get<{ messages: DeadLetter[] }>(`/admin/servicebus/${queue}/deadletter`)).body.messages;
  }

  /** Waits until no queue holds a message, waiting or in a handler, twice in a row. */
  async quiet(queues: readonly string[]): Promise<void> {
    let quietPolls = 0;
    await waitFor(
      async () => {
        const { entities } = (await this.get<{ entities: EntityInfo[] }>('/admin/servicebus')).body;
        const busy = entities.some((entity) => queues.includes(entity.path) && entity.active + entity.locked > 0);
        quietPolls = busy ? 0 : quietPolls + 1;
        return quietPolls >= 2;
      },
      'the choreography queues to drain',
      30_000,
      100,
    );
  }
}
