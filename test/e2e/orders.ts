import path from 'node:path';
import type { Product } from '../../src/domain';
import { startHost, type RunningHost } from '../../src/local-host/host';
import type { LogSink } from '../../src/local-host/logger';
import { SagaClient } from '../support/saga-client';

export const APP_DIR = path.resolve(__dirname, '../..');

export const SHIPPING = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
export const GOOD_CARD = { method: 'card', cardNumber: '4242424242424242' };
export const DECLINED_CARD = { method: 'card', cardNumber: '4000000000000002' };

export interface Line {
  productId: string;
  quantity: number;
}

export function orderRequest(items: Line[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { customerId: 'cust-e2e', items, payment: GOOD_CARD, shippingAddress: SHIPPING, ...overrides };
}

export type Stock = Array<Pick<Product, 'id' | 'available' | 'reserved'>>;

/** `available` and `reserved` of each product, as GET /api/products/{id} reports them. */
export async function stockOf(client: SagaClient, productIds: readonly string[]): Promise<Stock> {
  return Promise.all(
    productIds.map(async (productId) => {
      const { id, available, reserved } = await client.product(productId);
      return { id, available, reserved };
    }),
  );
}

/** `before` with each ordered line's units moved from available to reserved. */
export function afterReserving(before: Stock, lines: readonly Line[]): Stock {
  return before.map((product) => {
    const quantity = lines.filter((line) => line.productId === product.id).reduce((sum, line) => sum + line.quantity, 0);
    return { ...product, available: product.available - quantity, reserved: product.reserved + quantity };
  });
}

export async function startApp(logSink?: LogSink): Promise<{ host: RunningHost; client: SagaClient }> {
  const host = await startHost({ appDir: APP_DIR, port: 0, ...(logSink ? { logSink } : { quiet: true }) });
  return { host, client: new SagaClient(host.url) };
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
