import type { AnySagaEvent, Order, OrderSaga, Product, SagaStyle } from '../../src/domain';
import { waitFor } from '../local-host/helpers';

const FINAL_STATUSES = ['Completed', 'Cancelled', 'Failed'];

export interface EntityInfo {
  path: string;
  active: number;
  locked: number;
  deadLetter: number;
}

export interface DeadLetter {
  sequenceNumber: number;
  messageId: string;
  subject: string | null;
  deliveryCount: number;
  deadLetterReason: string | null;
  deadLetterErrorDescription: string | null;
  body: unknown;
}

export interface SendOutcome {
  messageId: string;
  sequenceNumber?: number;
  duplicate: boolean;
}

/** The status document of the Durable management API (`GET /runtime/webhooks/durabletask/instances/{id}`). */
export interface DurableInstance {
  name: string;
  instanceId: string;
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export interface RawResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

const DURABLE_INSTANCES = '/runtime/webhooks/durabletask/instances';

/** The app's HTTP API, the Durable management API and the embedded broker's endpoints, as a client sees them. */
export class SagaClient {
  /**
   * `sagaStyle`, when given, is added to every order this client places unless the request names one;
   * without it the server's default style applies.
   */
  constructor(
    private readonly baseUrl: string,
    private readonly options: { sagaStyle?: SagaStyle } = {},
  ) {}

  async get<T>(path: string): Promise<RawResponse<T>> {
    const response = await fetch(`${this.baseUrl}${path}`);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
  }

  /** POST /api/orders exactly as given (plus the client's saga style), whatever the answer. */
  async postOrder(request: Record<string, unknown>, headers: Record<string, string> = {}): Promise<RawResponse<Order>> {
    const body = this.options.sagaStyle ? { sagaStyle: this.options.sagaStyle, ...request } : request;
    const response = await fetch(`${this.baseUrl}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Order };
  }

  async placeOrder(request: Record<string, unknown>): Promise<Order> {
    const response = await this.postOrder(request);
    if (response.status !== 202) throw new Error(`POST /api/orders answered ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
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

  /** The Durable instance as the management API reports it, or null when there is none. */
  async durableInstance(instanceId: string): Promise<DurableInstance | null> {
    const { status, body } = await this.get<DurableInstance>(`${DURABLE_INSTANCES}/${encodeURIComponent(instanceId)}`);
    if (status === 404) return null;
    if (status !== 200 && status !== 202) throw new Error(`GET instance ${instanceId} answered ${status}`);
    return body;
  }

  /** Every Durable instance whose id starts with `prefix`. */
  async durableInstances(prefix: string): Promise<DurableInstance[]> {
    const { status, body } = await this.get<DurableInstance[]>(`${DURABLE_INSTANCES}?instanceIdPrefix=${encodeURIComponent(prefix)}&top=1000`);
    if (status !== 200) throw new Error(`GET instances answered ${status}`);
    return body;
  }

  /** Sends a message to a queue of the embedded broker, as any other publisher would. */
  async send(queue: string, body: AnySagaEvent | string, messageId: string, label?: string): Promise<SendOutcome> {
    const brokerProperties: Record<string, string> = { MessageId: messageId };
    if (label !== undefined) brokerProperties.Label = label;
    const response = await fetch(`${this.baseUrl}/servicebus/${queue}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', BrokerProperties: JSON.stringify(brokerProperties) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`Sending to ${queue} answered ${response.status}: ${await response.text()}`);
    const { messages } = (await response.json()) as { messages: SendOutcome[] };
    return messages[0] as SendOutcome;
  }

  async entity(queue: string): Promise<EntityInfo> {
    const { entities } = (await this.get<{ entities: EntityInfo[] }>('/admin/servicebus')).body;
    const entity = entities.find((candidate) => candidate.path === queue);
    if (!entity) throw new Error(`The broker has no entity ${queue}`);
    return entity;
  }

  async deadLetters(queue: string): Promise<DeadLetter[]> {
    return (await this.get<{ messages: DeadLetter[] }>(`/admin/servicebus/${queue}/deadletter`)).body.messages;
  }

  /** Messages waiting in a queue (not locked by a handler). */
  async activeMessages(queue: string): Promise<Array<{ messageId: string }>> {
    return (await this.get<{ messages: Array<{ messageId: string }> }>(`/admin/servicebus/${queue}/messages`)).body.messages;
  }

  /** Waits until no queue holds a message, waiting or in a handler, twice in a row. */
  async quiet(queues: readonly string[], timeoutMs = 30_000): Promise<void> {
    let quietPolls = 0;
    await waitFor(
      async () => {
        const { entities } = (await this.get<{ entities: EntityInfo[] }>('/admin/servicebus')).body;
        const busy = entities.some((entity) => queues.includes(entity.path) && entity.active + entity.locked > 0);
        quietPolls = busy ? 0 : quietPolls + 1;
        return quietPolls >= 2;
      },
      `queues ${queues.join(', ')} to drain`,
      timeoutMs,
      100,
    );
  }
}

/** A client whose orders use the choreography style unless a request says otherwise. */
export class ChoreographyClient extends SagaClient {
  constructor(baseUrl: string) {
    super(baseUrl, { sagaStyle: 'choreography' });
  }
}
