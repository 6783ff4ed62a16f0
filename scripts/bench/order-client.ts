import { FINAL_ORDER_STATUSES, type SagaStyle } from '../../src/domain';

export interface TrackedOrder {
  id: string;
  style: SagaStyle;
  acceptedAtMs: number;
  finalStatus?: string;
  /** Server time at which the order reached its final status (its `updatedAt`). */
  finishedAtMs?: number;
}

const FINAL = new Set<string>(FINAL_ORDER_STATUSES);

/** Products with enough stock for long runs (the benchmark restocks them first) and low prices. */
const BENCH_PRODUCTS = ['dog-food-5kg', 'cat-food-2kg', 'dog-leash', 'hamster-wheel'];

/**
 * Orders for the benchmark: everyday products, and a fixed share of natural business failures
 * (a declined card, an undeliverable country) so compensations are part of what is measured.
 */
export function benchOrderBody(style: SagaStyle, index: number, failureShare: number): unknown {
  const every = failureShare > 0 ? Math.max(1, Math.round(1 / failureShare)) : 0;
  const failing = every > 0 && index % every === every - 1;
  const declined = failing && Math.floor(index / every) % 2 === 0;
  return {
    customerId: `bench-${style}`,
    items: [{ productId: BENCH_PRODUCTS[index % BENCH_PRODUCTS.length], quantity: 1 + (index % 2) }],
    payment: { method: 'card', cardNumber: declined ? '4000000000000002' : '4242424242424242' },
    shippingAddress: {
      name: 'Bench Customer',
      line1: `${index + 1} Main St`,
      city: 'Springfield',
      postalCode: '12345',
      country: failing && !declined ? 'AQ' : 'US',
    },
    sagaStyle: style,
  };
}

export async function placeOrder(baseUrl: string, body: unknown, style: SagaStyle): Promise<TrackedOrder> {
  const response = await fetch(`${baseUrl}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const acceptedAtMs = Date.now();
  if (response.status !== 202) throw new Error(`POST /api/orders answered ${response.status}: ${await response.text()}`);
  const order = (await response.json()) as { id: string };
  return { id: order.id, style, acceptedAtMs };
}

/**
 * The benchmark's own database requests (a status check is one point read, a change-feed read one request):
 * load, not saga work, so the summary takes them out of the per-saga count.
 */
export const benchReads = { count: 0 };

/** Reads the order once; records its final status and the server's time of it. */
export async function checkOrder(baseUrl: string, tracked: TrackedOrder): Promise<boolean> {
  benchReads.count += 1;
  const response = await fetch(`${baseUrl}/api/orders/${encodeURIComponent(tracked.id)}`);
  if (!response.ok) return false;
  const order = (await response.json()) as { status: string; updatedAt: string };
  if (!FINAL.has(order.status)) return false;
  tracked.finalStatus = order.status;
  tracked.finishedAtMs = Date.parse(order.updatedAt);
  return true;
}
