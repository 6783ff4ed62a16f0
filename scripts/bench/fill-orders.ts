import { createHash } from 'node:crypto';
import { BulkOperationType, type Container, type OperationInput } from '@azure/cosmos';
import { DEMO_CATALOG, type OrderStatus, type PaymentInfo, type StoredOrder } from '../../src/domain';

/**
 * Orders for the data-size mode: valid stored orders (src/domain's StoredOrderSchema), spread over customers,
 * products, final statuses and the past weeks, as a store that has been in use would hold them.
 *
 * Only final statuses: the host's sweeps pick up old `Pending` and `Processing` orders and restart their sagas,
 * which would turn the fill into load on the host while it is measured.
 */
const FINAL_MIX: readonly OrderStatus[] = ['Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Completed', 'Cancelled', 'Cancelled', 'Failed'];
const CUSTOMERS = 1000;
/** Filled orders are `SPACING_MS` apart, ending a day before the fill: the measured orders are always newer. */
const SPACING_MS = 10_000;
const DAY_MS = 86_400_000;
const PRODUCTS = DEMO_CATALOG.filter((entry) => entry.price < 1000);

export function fillOrder(n: number, total: number, nowMs: number): StoredOrder {
  const status = FINAL_MIX[n % FINAL_MIX.length] as OrderStatus;
  const product = PRODUCTS[n % PRODUCTS.length] as (typeof PRODUCTS)[number];
  const second = PRODUCTS[(n + 3) % PRODUCTS.length] as (typeof PRODUCTS)[number];
  const items = [
    { productId: product.id, productName: product.name, quantity: 1 + (n % 3), unitPrice: product.price },
    ...(n % 4 === 0 ? [{ productId: second.id, productName: second.name, quantity: 1, unitPrice: second.price }] : []),
  ];
  const totalAmount = Math.round(items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0) * 100) / 100;
  const createdMs = nowMs - DAY_MS - (total - n) * SPACING_MS;
  const declined = status === 'Cancelled' && n % 2 === 0;
  const payment: PaymentInfo = {
    method: 'card',
    last4: declined ? '0002' : '4242',
    status: status === 'Completed' ? 'Captured' : declined ? 'Declined' : 'Refunded',
    transactionId: declined ? null : `txn-fill-${n}`,
  };
  const id = `ord-fill${String(n).padStart(10, '0')}`;
  return {
    id,
    customerId: `fill-customer-${n % CUSTOMERS}`,
    sagaStyle: n % 2 === 0 ? 'orchestration' : 'choreography',
    items,
    totalAmount,
    currency: 'USD',
    payment,
    shippingAddress: { name: 'Fill Customer', line1: `${n + 1} Elm St`, city: 'Springfield', postalCode: '12345', country: status === 'Failed' ? 'AQ' : 'US' },
    status,
    statusReason: status === 'Completed' ? null : declined ? 'Payment declined' : 'Shipping not available to AQ',
    createdAt: new Date(createdMs).toISOString(),
    updatedAt: new Date(createdMs + 1500).toISOString(),
    paymentReference: `pmr-fill${n}`,
    simulateFailure: null,
    idempotencyKeyHash: null,
    requestHash: createHash('sha256').update(id).digest('hex'),
  };
}

export interface FillResult {
  written: number;
  how: 'bulk' | 'creates';
  seconds: number;
}

const CHUNK = 100;
const PARALLEL = 16;

/**
 * Writes orders `from` (inclusive) to `to` (exclusive) of a fill of `total`. Bulk operations when the endpoint
 * takes them (one request per partition key range and 100 documents), else concurrent creates. A document that
 * is already there (a rerun on the same data folder) counts as written.
 */
export async function fillOrders(container: Container, from: number, to: number, total: number, nowMs: number): Promise<FillResult> {
  const started = performance.now();
  let how: FillResult['how'] = 'bulk';
  let next = from;
  const take = (): number[] => {
    const batch: number[] = [];
    while (batch.length < CHUNK && next < to) batch.push(next++);
    return batch;
  };
  const first = take();
  try {
    await bulkCreate(container, first.map((n) => fillOrder(n, total, nowMs)));
  } catch {
    how = 'creates';
    await createEach(container, first.map((n) => fillOrder(n, total, nowMs)));
  }
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      for (let batch = take(); batch.length > 0; batch = take()) {
        const orders = batch.map((n) => fillOrder(n, total, nowMs));
        await (how === 'bulk' ? bulkCreate(container, orders) : createEach(container, orders));
      }
    }),
  );
  return { written: to - from, how, seconds: (performance.now() - started) / 1000 };
}

async function bulkCreate(container: Container, orders: StoredOrder[]): Promise<void> {
  const operations: OperationInput[] = orders.map((order) => ({ operationType: BulkOperationType.Create, partitionKey: order.id, resourceBody: { ...order } }));
  const results = await container.items.executeBulkOperations(operations);
  const failed = results.find((result) => {
    const status = result.response?.statusCode ?? result.error?.code;
    return status !== 201 && status !== 409;
  });
  if (failed) throw new Error(`bulk create answered ${failed.response?.statusCode ?? failed.error?.code}: ${failed.error?.message ?? ''}`);
}

async function createEach(container: Container, orders: StoredOrder[]): Promise<void> {
  for (const order of orders) {
    try {
      await container.items.create(order);
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }
}
