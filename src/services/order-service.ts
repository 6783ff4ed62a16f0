import {
  createEvent,
  priceOrder,
  toPublicOrder,
  toSagaOrder,
  type CreateOrderRequest,
  type Order,
  type SagaEvent,
  type SagaOrder,
  type StoredOrder,
} from '../domain';
import type { Clock, EventPublisher, OrderListQuery, OrderRepository, ProductRepository } from './ports';
import { hashIdempotencyKey, hashOrderRequest, newOrderId, orderIdForIdempotencyKey } from './order-identity';
import { newPaymentReference, type CardKeeper } from './payment-service';

/** Anything with a `warn` (console, a Functions InvocationContext). */
export interface ServiceLog {
  warn(message: string, ...details: unknown[]): void;
}

export interface OrderServiceDependencies {
  orders: OrderRepository;
  products: ProductRepository;
  publisher: EventPublisher;
  /** The payment step's side of accepting an order: the card number goes there and nowhere else. */
  cards: CardKeeper;
  clock: Clock;
  allowFailureSimulation: boolean;
  /**
   * How long the request path waits for the broker to take OrderCreated. Past it the order stays Pending,
   * the client still gets its 202 (the order is stored), and the sweeper sends OrderCreated later.
   */
  publishTimeoutMs?: number;
  log?: ServiceLog;
}

/** A few seconds: the SDK's own retries take a minute or more against a broker that never answers. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 3_000;

export type PlaceOrderResult =
  | { kind: 'accepted'; order: Order; published: boolean }
  | { kind: 'replayed'; order: Order }
  | { kind: 'idempotency-conflict' }
  | { kind: 'unknown-products'; productIds: string[] }
  | { kind: 'simulation-disabled' };

export interface PlaceOrderOptions {
  idempotencyKey?: string;
  /** The request's correlation id, for logs; messages about the order use the order id. */
  correlationId: string;
}

/** How many stranded orders one sweep republishes; the next sweep picks up the rest. */
const REPUBLISH_BATCH = 100;

/** Accepting orders: validate against the catalog, store, then announce OrderCreated to start the saga. */
export class OrderService {
  private readonly log: ServiceLog;

  constructor(private readonly deps: OrderServiceDependencies) {
    this.log = deps.log ?? console;
  }

  async placeOrder(request: CreateOrderRequest, options: PlaceOrderOptions): Promise<PlaceOrderResult> {
    if (request.simulateFailure !== undefined && !this.deps.allowFailureSimulation) return { kind: 'simulation-disabled' };

    const catalog = await this.deps.products.getMany(request.items.map((item) => item.productId));
    const priced = priceOrder(request.items, catalog);
    if (!priced.ok) return { kind: 'unknown-products', productIds: priced.unknownProductIds };

    const now = this.deps.clock.now().toISOString();
    const key = options.idempotencyKey;
    const orderId = key === undefined ? newOrderId() : orderIdForIdempotencyKey(request.customerId, key);
    // Kept before the order is stored, so a stored order always has its card; a retry keeps the first card.
    const paymentReference = await this.deps.cards.keepCard({
      orderId,
      paymentReference: newPaymentReference(),
      cardNumber: request.payment.cardNumber,
    });
    const order: StoredOrder = {
      id: orderId,
      customerId: request.customerId,
      sagaStyle: request.sagaStyle,
      items: priced.items,
      totalAmount: priced.totalAmount,
      currency: priced.currency,
      payment: { method: 'card', last4: request.payment.cardNumber.slice(-4), status: 'Pending', transactionId: null },
      shippingAddress: request.shippingAddress,
      status: 'Pending',
      statusReason: null,
      createdAt: now,
      updatedAt: now,
      paymentReference,
      simulateFailure: request.simulateFailure ?? null,
      idempotencyKeyHash: key === undefined ? null : hashIdempotencyKey(request.customerId, key),
      requestHash: hashOrderRequest(request),
    };

    const stored = await this.deps.orders.create(order);
    if (!stored.created) {
      const sameRequest = stored.order.customerId === order.customerId && stored.order.requestHash === order.requestHash;
      if (key !== undefined && sameRequest) return { kind: 'replayed', order: toPublicOrder(stored.order) };
      // Nothing about the stored order goes back: the caller only learns that this key is taken.
      return { kind: 'idempotency-conflict' };
    }

    const published = await this.tryPublish(stored.order, options.correlationId);
    return { kind: 'accepted', order: toPublicOrder(stored.order), published };
  }

  async getOrder(orderId: string): Promise<Order | null> {
    const order = await this.deps.orders.get(orderId);
    return order ? toPublicOrder(order) : null;
  }

  /** What a saga starts from, read once when OrderCreated arrives. */
  async getSagaOrder(orderId: string): Promise<SagaOrder | null> {
    const order = await this.deps.orders.get(orderId);
    return order ? toSagaOrder(order) : null;
  }

  /** Newest first; a malformed continuation token raises InvalidContinuationToken (from ports). */
  async listOrders(query: OrderListQuery): Promise<{ items: Order[]; continuationToken: string | null }> {
    const page = await this.deps.orders.list(query);
    return { items: page.items.map(toPublicOrder), continuationToken: page.continuationToken };
  }

  /**
   * The sweeper behind "an accepted order always reaches a final status": an order still Pending after
   * `olderThanSeconds` may have been stored while the broker was down, so its OrderCreated is sent again.
   * The event is rebuilt identically (same event id) but sent under a new message id: the first send may
   * have reached the broker, and duplicate detection would drop a copy under the same id without a word.
   * A copy of one that did get through is absorbed by the saga: an orchestration starts once per instance
   * id, and the choreography's participants are idempotent by order id.
   */
  async republishPendingOrders(olderThanSeconds: number): Promise<number> {
    const now = this.deps.clock.now();
    const createdBefore = new Date(now.getTime() - olderThanSeconds * 1000).toISOString();
    const stranded = await this.deps.orders.listPendingCreatedBefore(createdBefore, REPUBLISH_BATCH);
    if (stranded.length === 0) return 0;
    await this.deps.publisher.publish(stranded.map(orderCreatedEvent), { resend: String(now.getTime()) });
    return stranded.length;
  }

  /** Publishes OrderCreated, waiting at most `publishTimeoutMs`; false (and logged) when it did not go out in time. */
  private async tryPublish(order: StoredOrder, requestCorrelationId: string): Promise<boolean> {
    const timeoutMs = this.deps.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const timedOut = new Error(`the broker did not take it within ${timeoutMs} ms`);
        reject(timedOut);
        abort.abort(timedOut);
      }, timeoutMs);
    });
    try {
      // Raced as well as aborted: a publisher that ignores the signal still cannot hold the request.
      const publishing = this.deps.publisher.publish([orderCreatedEvent(order)], { signal: abort.signal });
      publishing.catch(() => undefined);
      await Promise.race([publishing, deadline]);
      return true;
    } catch (error) {
      // The order is stored, so the client's request succeeded; the sweeper sends OrderCreated later.
      this.log.warn(`OrderCreated for ${order.id} not published; the pending-order sweeper will republish it`, {
        orderId: order.id,
        correlationId: requestCorrelationId,
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** For anything about one order the order id is the correlation id, so a republished event is identical. */
export function orderCreatedEvent(order: StoredOrder): SagaEvent<'OrderCreated'> {
  return createEvent('OrderCreated', {
    orderId: order.id,
    correlationId: order.id,
    occurredAt: order.createdAt,
    data: {
      customerId: order.customerId,
      sagaStyle: order.sagaStyle,
      items: order.items.map((item) => ({ productId: item.productId, quantity: item.quantity })),
      totalAmount: order.totalAmount,
      currency: order.currency,
    },
  });
}
