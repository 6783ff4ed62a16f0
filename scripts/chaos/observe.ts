import type { Container } from '@azure/cosmos';
import { z } from 'zod';
import { createCosmosClient } from '../../src/data/cosmos-client';
import { SAGA_CONTAINER_DEFINITIONS } from '../../src/data/containers';
import { PaymentRecordSchema, ShipmentRecordSchema } from '../../src/data/record-schemas';
import { OrderSagaSchema, type OrderSaga } from '../../src/domain';
import type { PaymentRecord, ShipmentRecord } from '../../src/services/ports';
import { CLIENT_ATTEMPTS, clientBackoffMs, getJson } from './driver';
import type { ObservedOrder, ObservedProduct, Observation } from './invariants';
import type { OrderIntent } from './workload';

type Pause = (ms: number) => Promise<void>;

const ProductStockSchema = z.object({ id: z.string(), available: z.number(), reserved: z.number() });
const ProductListSchema = z.object({ items: z.array(ProductStockSchema) });
const OrderViewSchema = z.object({
  status: z.enum(['Pending', 'Processing', 'Completed', 'Cancelled', 'Failed']),
  statusReason: z.string().nullable(),
  items: z.array(z.object({ productId: z.string(), quantity: z.number() })),
  payment: z.object({ status: z.string(), transactionId: z.string().nullable() }),
});

export type StockLevels = Map<string, { available: number; reserved: number }>;

/** Every product's stock as the public API shows it. */
export async function readStock(baseUrl: string, pause: Pause): Promise<StockLevels> {
  const { status, body } = await getJson(`${baseUrl}/api/products`, pause);
  if (status !== 200) throw new Error(`GET /api/products answered ${status}`);
  const { items } = ProductListSchema.parse(body);
  return new Map(items.map((item) => [item.id, { available: item.available, reserved: item.reserved }]));
}

export interface StoreLocation {
  endpoint: string;
  database: string;
}

/**
 * Reads back everything the invariants need: each order and its saga through the API (what a client sees),
 * and the payment and shipment records straight from the database (what really happened to the money and
 * the parcel), including orders the client never got an answer for.
 */
export async function observe(
  baseUrl: string,
  store: StoreLocation,
  accepted: ReadonlyMap<string, OrderIntent>,
  initialStock: StockLevels,
  pause: Pause,
): Promise<Observation> {
  // The embedded server accepts any key.
  const client = createCosmosClient({ endpoint: store.endpoint, key: 'chaos' });
  try {
    const database = client.database(store.database);
    const container = (name: keyof typeof SAGA_CONTAINER_DEFINITIONS) => database.container(SAGA_CONTAINER_DEFINITIONS[name].id);
    const storedIds = (await scan(container('orders'), 'SELECT c.id FROM c', z.object({ id: z.string() }), pause)).map((row) => row.id);
    // The payments container also keeps each order's card (`{orderId}.card`); a payment record's id is its order id.
    const payments = await scan(container('payments'), 'SELECT * FROM c WHERE c.id = c.orderId', PaymentRecordSchema, pause);
    const shipments = await scan(container('shipments'), 'SELECT * FROM c', ShipmentRecordSchema, pause);
    const paymentOf = new Map<string, PaymentRecord>(payments.map((record) => [record.orderId, record]));
    const shipmentOf = new Map<string, ShipmentRecord>(shipments.map((record) => [record.orderId, record]));

    const ids = new Set([...accepted.keys(), ...storedIds]);
    const orders: ObservedOrder[] = [];
    for (const id of ids) {
      const orderAnswer = await getJson(`${baseUrl}/api/orders/${encodeURIComponent(id)}`, pause);
      const sagaAnswer = await getJson(`${baseUrl}/api/orders/${encodeURIComponent(id)}/saga`, pause);
      const intent = accepted.get(id);
      orders.push({
        id,
        ...(intent ? { intent } : {}),
        accepted: accepted.has(id),
        order: orderAnswer.status === 200 ? OrderViewSchema.parse(orderAnswer.body) : null,
        saga: sagaAnswer.status === 200 ? (OrderSagaSchema.parse(sagaAnswer.body) as OrderSaga) : null,
        payment: paymentOf.get(id) ?? null,
        shipment: shipmentOf.get(id) ?? null,
      });
    }

    const finalStock = await readStock(baseUrl, pause);
    const products: ObservedProduct[] = [...initialStock].map(([id, initial]) => ({
      id,
      initial,
      final: finalStock.get(id) ?? { available: Number.NaN, reserved: Number.NaN },
    }));
    return {
      orders,
      products,
      paymentDocuments: countByOrder(payments),
      shipmentDocuments: countByOrder(shipments),
    };
  } finally {
    client.dispose();
  }
}

function countByOrder(records: readonly { orderId: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) counts.set(record.orderId, (counts.get(record.orderId) ?? 0) + 1);
  return counts;
}

/** A whole-container query, retried as a whole: the run's faults reach these reads too. */
async function scan<S extends z.ZodType>(container: Container, query: string, schema: S, pause: Pause): Promise<z.infer<S>[]> {
  let lastError: unknown;
  for (let tried = 1; tried <= CLIENT_ATTEMPTS; tried += 1) {
    try {
      const { resources } = await container.items.query<unknown>(query).fetchAll();
      return resources.map((resource) => schema.parse(stripSystem(resource)) as z.infer<S>);
    } catch (error) {
      lastError = error;
      await pause(clientBackoffMs(tried));
    }
  }
  throw new Error(`Reading ${container.id} kept failing: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

function stripSystem(resource: unknown): unknown {
  if (typeof resource !== 'object' || resource === null) return resource;
  const copy: Record<string, unknown> = { ...(resource as Record<string, unknown>) };
  for (const key of Object.keys(copy)) if (key.startsWith('_')) delete copy[key];
  return copy;
}
