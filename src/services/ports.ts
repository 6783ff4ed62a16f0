import type { AnySagaEvent, CompensationStatus, IssuerVerdict, OrderSaga, OrderStatus, Product, StoredOrder } from '../domain';

/** A stored document's concurrency token travels with it so a replace can be conditional. */
export type Versioned<T> = T & { etag?: string };

export interface OrderListQuery {
  customerId?: string;
  status?: OrderStatus;
  limit: number;
  continuationToken?: string;
}

export interface OrderPage {
  items: StoredOrder[];
  continuationToken: string | null;
}

export class InvalidContinuationToken extends Error {
  override readonly name = 'InvalidContinuationToken';
}

/** An update addressed a record that does not exist (updates never create). */
export class RecordNotFound extends Error {
  override readonly name = 'RecordNotFound';
}

export interface OrderRepository {
  /** Creates the order, or returns the one already stored under that id. */
  create(order: StoredOrder): Promise<{ created: true; order: StoredOrder } | { created: false; order: StoredOrder }>;
  get(orderId: string): Promise<StoredOrder | null>;
  /** Read-modify-replace with If-Match, retried on a lost race. `change` returns null to leave it as it is. */
  update(orderId: string, change: (order: StoredOrder) => StoredOrder | null): Promise<StoredOrder>;
  list(query: OrderListQuery): Promise<OrderPage>;
  /** Orders still Pending that were created before `createdBefore` (for the republishing sweeper). */
  listPendingCreatedBefore(createdBefore: string, limit: number): Promise<StoredOrder[]>;
  /** Orders Processing that were last written before `updatedBefore`, least recently first (for the stuck-saga sweeper). */
  listProcessingUpdatedBefore(updatedBefore: string, limit: number): Promise<StoredOrder[]>;
}

/** `released`: the order's hold was already given back (its saga is compensating or over), so nothing is held. */
export type ReserveOutcome = 'reserved' | 'already-reserved' | 'released' | 'insufficient' | 'unknown-product';
export type ReleaseOutcome = 'released' | 'nothing-held';

export interface ProductRepository {
  list(): Promise<Product[]>;
  get(productId: string): Promise<Product | null>;
  getMany(productIds: readonly string[]): Promise<Map<string, Product>>;
  /** Creates the products that are missing; leaves existing ones (and their stock) alone. */
  ensureCatalog(products: readonly Product[]): Promise<{ created: string[]; existing: string[] }>;
  /** Holds `quantity` units for the order: its hold and the stock change written together, or neither. Idempotent per order. */
  reserve(productId: string, orderId: string, quantity: number): Promise<ReserveOutcome>;
  /** Gives back what the order holds of this product, and refuses later reservations for it. Idempotent per order. */
  release(productId: string, orderId: string): Promise<ReleaseOutcome>;
}

export interface PaymentRecord {
  orderId: string;
  amount: number;
  currency: string;
  status: 'Captured' | 'Declined' | 'Refunded';
  transactionId: string | null;
  reason: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The card the payment step keeps for an order, under an opaque reference: only what the issuer will answer,
 * never the number or anything computed from it. Stored beside the order's payment record, keyed by order id.
 */
export interface PaymentMethodRecord {
  orderId: string;
  paymentReference: string;
  issuerVerdict: IssuerVerdict;
  createdAt: string;
}

export interface ShipmentRecord {
  orderId: string;
  status: 'Shipped' | 'Cancelled';
  trackingNumber: string;
  country: string;
  createdAt: string;
  updatedAt: string;
}

/** A record keyed by order id: create-once, then conditional updates. */
export interface OrderKeyedRepository<T extends { orderId: string }> {
  get(orderId: string): Promise<T | null>;
  /** Creates the record, or returns the one already there (a redelivered step must not act twice). */
  createOnce(record: T): Promise<{ created: boolean; record: T }>;
  update(orderId: string, change: (record: T) => T | null): Promise<T>;
}

export type PaymentRepository = OrderKeyedRepository<PaymentRecord>;
export type PaymentMethodRepository = Pick<OrderKeyedRepository<PaymentMethodRecord>, 'get' | 'createOnce'>;
export type ShipmentRepository = OrderKeyedRepository<ShipmentRecord>;

/**
 * The saga record of an order. `T` is the stored document: the OrderSaga itself, or an OrderSaga with internal
 * fields of a saga style (the choreography's event log), which reads and writes keep.
 */
export interface SagaRepository<T extends OrderSaga = OrderSaga> {
  get(orderId: string): Promise<T | null>;
  /** Writes the whole record (the orchestrator owns it; replays write the same snapshot again). */
  save(saga: T): Promise<void>;
  /** Read-modify-replace with If-Match (choreography: several handlers update one record). */
  update(orderId: string, change: (saga: T | null) => T | null): Promise<T | null>;
}

/** What a compensation reports when it did not throw (a thrown fault is retried, then recorded as Failed). */
export type CompensationOutcome = Extract<CompensationStatus, 'Compensated' | 'NothingToCompensate'>;

/** How one publish call is sent. */
export interface PublishOptions {
  /**
   * Sends the events again under new message ids (the event ids stay): the broker's duplicate detection
   * would otherwise drop a copy sent within its window (10 min on Azure, 5 on the emulator) without a word.
   * The value (e.g. the sweep's time) makes the message ids of this attempt; it must differ per attempt.
   */
  resend?: string;
  /** Gives up the send when aborted; the call then rejects. */
  signal?: AbortSignal;
}

export interface EventPublisher {
  publish(events: readonly AnySagaEvent[], options?: PublishOptions): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
